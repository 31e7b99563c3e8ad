// A small log-log line plot as SVG, one panel per scaling dimension.
// Hand-written so the bench needs no plotting library.

export interface Point { x: number; y: number; lo?: number; hi?: number }
export interface Series { name: string; points: Point[] }
export interface Panel { title: string; xLabel: string; series: Series[] }

const W = 480, H = 380, M = { left: 64, right: 20, top: 40, bottom: 94 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** 1-2-5 ticks within [lo, hi] on a log axis. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

function fmtTick(v: number): string {
  if (v >= 1000) return `${v / 1000}k`;
  if (v >= 1) return String(+v.toPrecision(3));
  return String(+v.toPrecision(2));
}

function panel(p: Panel, ox: number): string {
  const pts = p.series.flatMap((s) => s.points);
  if (pts.length === 0) return `<text x="${ox + W / 2}" y="${H / 2}" text-anchor="middle">${esc(p.title)}: no data</text>`;
  const xs = pts.map((q) => q.x), ys = pts.flatMap((q) => [q.y, q.lo ?? q.y, q.hi ?? q.y]).filter((v) => v > 0);
  const xlo = Math.min(...xs) / 1.5, xhi = Math.max(...xs) * 1.5;
  const ylo = Math.min(...ys) / 1.5, yhi = Math.max(...ys) * 1.5;
  const pw = W - M.left - M.right, ph = H - M.top - M.bottom;
  const sx = (x: number) => ox + M.left + ((Math.log10(x) - Math.log10(xlo)) / (Math.log10(xhi) - Math.log10(xlo))) * pw;
  const sy = (y: number) => M.top + ph - ((Math.log10(y) - Math.log10(ylo)) / (Math.log10(yhi) - Math.log10(ylo))) * ph;
  const out: string[] = [];
  out.push(`<text x="${ox + W / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  out.push(`<rect x="${ox + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  for (const t of logTicks(xlo, xhi)) {
    out.push(`<line x1="${sx(t)}" y1="${M.top}" x2="${sx(t)}" y2="${M.top + ph}" stroke="#ddd"/>`);
    out.push(`<text x="${sx(t)}" y="${M.top + ph + 16}" text-anchor="middle">${fmtTick(t)}</text>`);
  }
  for (const t of logTicks(ylo, yhi)) {
    out.push(`<line x1="${ox + M.left}" y1="${sy(t)}" x2="${ox + M.left + pw}" y2="${sy(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${ox + M.left - 6}" y="${sy(t) + 4}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  out.push(`<text x="${ox + M.left + pw / 2}" y="${M.top + ph + 34}" text-anchor="middle">${esc(p.xLabel)} (log scale)</text>`);
  out.push(`<text transform="translate(${ox + 16},${M.top + ph / 2}) rotate(-90)" text-anchor="middle">seconds (log scale)</text>`);
  p.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    if (sorted.length > 1) out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${sorted.map((q) => `${sx(q.x).toFixed(1)},${sy(q.y).toFixed(1)}`).join(' ')}"/>`);
    for (const q of sorted) {
      if (q.lo !== undefined && q.hi !== undefined) out.push(`<line x1="${sx(q.x)}" y1="${sy(q.lo)}" x2="${sx(q.x)}" y2="${sy(q.hi)}" stroke="${c}"/>`);
      out.push(`<circle cx="${sx(q.x).toFixed(1)}" cy="${sy(q.y).toFixed(1)}" r="4" fill="${c}"><title>${esc(s.name)}: ${q.x} -> ${q.y.toFixed(3)} s</title></circle>`);
      out.push(`<text x="${sx(q.x) + 7}" y="${sy(q.y) - 6}" font-size="10" fill="${c}">${q.y < 10 ? q.y.toFixed(2) : q.y.toFixed(0)}</text>`);
    }
    const ly = M.top + ph + 52 + i * 14;
    out.push(`<rect x="${ox + M.left}" y="${ly - 9}" width="12" height="10" fill="${c}"/>`);
    out.push(`<text x="${ox + M.left + 18}" y="${ly}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

export function scalingSvg(panels: Panel[]): string {
  const width = W * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H}" viewBox="0 0 ${width} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${H}" fill="white"/>`,
    ...panels.map((p, i) => panel(p, i * W)),
    '</svg>',
    '',
  ].join('\n');
}
