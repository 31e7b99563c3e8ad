// node_exporter's textfile collector format (Prometheus text exposition
// 0.0.4): families with HELP and TYPE, then samples. The collector reads
// every *.prom file of its directory at each scrape, so a file is replaced
// whole by a rename and the temp file's name does not end in .prom.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../config/errors.js';
import { randomBytes } from 'node:crypto';

export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function number(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The exposition text of these families; a family without samples is left out. */
export function formatFamilies(families: MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`metric name '${f.name}' is not valid`);
    if (!f.samples.length) continue;
    out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    out.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      for (const [k] of labels) if (!LABEL.test(k) || k.startsWith('__')) throw new Error(`label name '${k}' is not valid`);
      const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${labelValue(v)}"`).join(',')}}` : '';
      out.push(`${f.name}${l} ${number(s.value)}`);
    }
  }
  return out.join('\n') + '\n';
}

/** A --metrics-dir option: an existing directory, refused at once otherwise. */
export function checkMetricsDir(dir: string, flag = '--metrics-dir'): string {
  const abs = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  if (!st.isDirectory()) throw new UsageError(`${flag} ${dir}: not a directory`);
  try {
    fs.accessSync(abs, fs.constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${dir}: not writable by this user`);
  }
  return abs;
}

/** Replaces DIR/NAME.prom in one rename; node_exporter (another user) must be able to read it. */
export function writeTextfile(dir: string, name: string, families: MetricFamily[]): string {
  const file = path.join(dir, `${name}.prom`);
  const text = formatFamilies(families);
  const tmp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    try {
      // Whatever the umask: the collector runs as another user.
      fs.fchmodSync(fd, 0o644);
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return file;
}
