// What the head node's services logged about booting nodes, as events: dhcpd
// and Kea (through the journal, `journalctl -o short-unix`), tftpd-hpa (the
// same journal, with --verbose) and nginx (the boot site's own access log,
// format converge_boot: `$msec $remote_addr $status $body_bytes_sent
// "$request_method $uri"`). Everything here is data from the network: a field
// that does not parse drops the line, nothing is interpreted further.

export type DhcpMessage = 'discover' | 'offer' | 'request' | 'ack' | 'nak';
/** Who asked, from the class line the playbook's dhcpd.conf logs: boot firmware or an operating system. */
export type DhcpClient = 'pxe' | 'ipxe' | 'os';

export type BootEvent =
  | { t: number; kind: 'dhcp'; mac: string; message: DhcpMessage; ip?: string; client?: DhcpClient }
  | { t: number; kind: 'tftp'; ip: string; file: string; refused?: string }
  | { t: number; kind: 'http'; ip: string; path: string; status: number; bytes: number };

const MAC = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** fc:ab:14:e8:66:1 (dhcpd's binary-to-ascii) -> fc:ab:14:e8:66:01 */
export function normalMac(s: string): string | undefined {
  if (!MAC.test(s)) return undefined;
  return s.toLowerCase().split(':').map((b) => b.padStart(2, '0')).join(':');
}

const DHCPD: Array<[RegExp, DhcpMessage]> = [
  [/^DHCPDISCOVER from (\S+)/, 'discover'],
  [/^DHCPOFFER on (\S+) to (\S+)/, 'offer'],
  [/^DHCPREQUEST for (\S+) .*?from (\S+)/, 'request'],
  [/^DHCPACK on (\S+) to (\S+)/, 'ack'],
  [/^DHCPNAK on (\S+) to (\S+)/, 'nak'],
];

/**
 * Journal lines (`journalctl -o short-unix`): "1733270000.123456 HOST IDENT[PID]: MESSAGE".
 * dhcpd's class line ("converge-dhcp MAC ipxe") comes just before the
 * message of the same packet: it tags the messages of that MAC that follow.
 */
export function parseJournal(text: string): BootEvent[] {
  const out: BootEvent[] = [];
  const clientOf = new Map<string, DhcpClient>();
  for (const line of text.split('\n')) {
    const m = /^(\d+(?:\.\d+)?) \S+ ([^\s:[]+)(?:\[\d+\])?: (.*)$/.exec(line);
    if (!m) continue;
    const t = Number(m[1]) * 1000;
    const ident = m[2];
    const msg = m[3].trim();
    if (ident === 'dhcpd') {
      const c = /^converge-dhcp (\S+) (pxe|ipxe|os)$/.exec(msg);
      if (c) {
        const mac = normalMac(c[1]);
        if (mac) clientOf.set(mac, c[2] as DhcpClient);
        continue;
      }
      for (const [re, message] of DHCPD) {
        const d = re.exec(msg);
        if (!d) continue;
        const macText = message === 'discover' ? d[1] : d[2];
        const mac = normalMac(macText);
        if (!mac) break;
        const ip = message === 'discover' ? undefined : d[1];
        if (ip !== undefined && !IPV4.test(ip)) break;
        const client = clientOf.get(mac);
        out.push({ t, kind: 'dhcp', mac, message, ...(ip ? { ip } : {}), ...(client ? { client } : {}) });
        break;
      }
    } else if (ident === 'kea-dhcp4') {
      // Kea says which address it offers (ADVERT) and hands out (ALLOC); it logs no class.
      const k = /DHCP4_LEASE_(ADVERT|ALLOC) \[hwtype=\d+ ([0-9a-f:]+)\].*?lease (\d{1,3}(?:\.\d{1,3}){3})/i.exec(msg);
      const mac = k && normalMac(k[2]);
      if (k && mac) out.push({ t, kind: 'dhcp', mac, message: k[1].toUpperCase() === 'ADVERT' ? 'offer' : 'ack', ip: k[3] });
    } else if (ident === 'in.tftpd' || ident === 'tftpd') {
      const r = /^RRQ from (\S+) filename (\S+)/.exec(msg);
      if (r && IPV4.test(r[1])) { out.push({ t, kind: 'tftp', ip: r[1], file: r[2].replace(/^\/+/, '') }); continue; }
      const n = /^sending NAK \(\d+, ([^)]*)\) to (\S+)/.exec(msg);
      if (n && IPV4.test(n[2])) out.push({ t, kind: 'tftp', ip: n[2], file: '', refused: n[1] });
    }
  }
  return out;
}

/** The boot site's access log (log_format converge_boot). */
export function parseHttpLog(text: string): BootEvent[] {
  const out: BootEvent[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+\.\d+) (\S+) (\d{3}) (\d+) "(?:GET|HEAD) ([^"\s]+)"$/.exec(line);
    if (!m || !IPV4.test(m[2])) continue;
    out.push({ t: Number(m[1]) * 1000, kind: 'http', ip: m[2], status: Number(m[3]), bytes: Number(m[4]), path: m[5] });
  }
  return out;
}
