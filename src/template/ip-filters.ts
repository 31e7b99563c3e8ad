// The IPv4 basics of Ansible's `ipaddr` filter, enough to derive a DHCP
// subnet, netmask and ranges from one CIDR in the inventory.

function toInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseCidr(v: string): { addr: number; prefix: number } | undefined {
  const [a, p = '32'] = v.split('/');
  const addr = toInt(a);
  if (addr === undefined || !/^\d{1,2}$/.test(p) || Number(p) > 32) return undefined;
  return { addr, prefix: Number(p) };
}

/** `x | ipaddr`, `x | ipaddr('network'|'netmask'|'address'|'prefix'|'broadcast'|'size'|N)`. */
export function ipv4Filter(value: unknown, query?: unknown): unknown {
  if (typeof value !== 'string') return false;
  const c = parseCidr(value.trim());
  if (!c) return false;
  const size = 2 ** (32 - c.prefix);
  const network = c.addr - (c.addr % size);
  switch (query) {
    case undefined: case '': return value;
    case 'address': return toIp(c.addr);
    case 'network': return toIp(network);
    case 'netmask': return toIp(2 ** 32 - size);
    case 'prefix': return c.prefix;
    case 'broadcast': return toIp(network + size - 1);
    case 'size': return size;
    case 'host': return `${toIp(c.addr)}/${c.prefix}`;
    case 'net': return c.addr === network ? value : false;
    default:
      if (typeof query === 'number' || /^-?\d+$/.test(String(query))) {
        const i = Number(query);
        const n = i >= 0 ? network + i : network + size + i;
        return n >= network && n < network + size ? `${toIp(n)}/${c.prefix}` : false;
      }
      return false;
  }
}
