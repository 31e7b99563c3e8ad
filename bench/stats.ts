// Medians and ranges of a scenario's runs.

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

export function median(xs: number[]): number {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function summarize(xs: number[]): Summary {
  const f = xs.filter((x) => Number.isFinite(x));
  return { n: f.length, median: median(f), min: f.length ? Math.min(...f) : NaN, max: f.length ? Math.max(...f) : NaN };
}
