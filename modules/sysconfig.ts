// sysconfig: KEY=VALUE shell-variable files (/etc/sysconfig/* on Rocky and
// SUSE, /etc/default/* on Debian). Sets, changes and removes keys while
// keeping comments, order and the file's quoting style; reports each key's
// before/after and a unified diff of the file, written atomically.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, requireAbsolute, type FileWriteState } from './common/index.js';
import { writeProperties } from './common/dest-schema.js';
import { currentValues, editShellVars, parseShellVars } from './sysconfig-format.js';

type Scalar = string | number | boolean;

interface SysconfigParams {
  path: string;
  values?: Record<string, Scalar>;
  key?: string;
  value?: Scalar;
  state: 'present' | 'absent';
  absent?: string[];
  create: boolean;
  mode?: string | number;
  owner?: string;
  group?: string;
  backup: boolean;
  validate?: string;
  show_diff_of_secret: boolean;
}

const KEY = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'A shell variable name.' };
const SCALAR = { type: ['string', 'number', 'boolean'] };

const schema = {
  properties: {
    path: { type: 'string', description: 'The file, e.g. /etc/sysconfig/dhcpd or /etc/default/isc-dhcp-server.' },
    values: {
      // Property names are strings already; a `type` here makes ajv (coerceTypes) emit code assigning to a const.
      type: 'object', additionalProperties: SCALAR, propertyNames: { pattern: KEY.pattern },
      description: 'KEY: value pairs the file must contain. Values are literal strings (true/false become yes/no, the sysconfig convention); they are quoted the way the file quotes (SUSE: KEY="value") and whenever the value needs it.',
    },
    key: { ...KEY, description: 'One key (with value, or with state: absent).' },
    value: { ...SCALAR, description: 'Value for key.' },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'With key: present sets it to value, absent removes every assignment of it.' },
    absent: { type: 'array', items: KEY, description: 'Keys that must not be set in the file.' },
    create: { type: 'boolean', default: false, description: 'Create the file when it does not exist (otherwise that is an error).' },
    ...writeProperties,
  },
  required: ['path'],
  anyOf: [{ required: ['values'] }, { required: ['key'] }, { required: ['absent'] }],
};

function asText(v: Scalar): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

function wanted(p: SysconfigParams): { set: Map<string, string>; remove: Set<string> } {
  const set = new Map<string, string>();
  const remove = new Set<string>(p.absent ?? []);
  for (const [k, v] of Object.entries(p.values ?? {})) set.set(k, asText(v));
  if (p.key !== undefined) {
    if (p.state === 'absent') remove.add(p.key);
    else if (p.value === undefined) throw new TaskFailedError(`key ${p.key} needs a value (or state: absent)`);
    else set.set(p.key, asText(p.value));
  }
  for (const k of remove) if (set.has(k)) throw new TaskFailedError(`key ${k} is both set and absent`);
  return { set, remove };
}

interface SysconfigState {
  write: FileWriteState;
  content: string;
}

async function plan(p: SysconfigParams, ctx: ModuleContext): Promise<PlanResult<SysconfigState>> {
  const path = requireAbsolute(p.path);
  const { set, remove } = wanted(p);
  const old = await ctx.host.readFile(path);
  if (old === null && !p.create) {
    // In --check the file may come with a package an earlier task installs.
    const task = ctx.check ? ctx.ledger.findPath(path) ?? ctx.ledger.lastOfKind('package') : undefined;
    if (task === undefined) throw new TaskFailedError(`${path} does not exist (create: true creates it)`);
    const changes: Change[] = [...set].map(([k, v]) => ({ property: `key:${k}`, after: v, afterTask: task, summary: `would set ${k}=${v} (after task ${task} creates ${path})` }));
    return { changes };
  }
  const file = parseShellVars(old?.toString('utf8') ?? '');
  const before = currentValues(file);
  const changes: Change[] = [];
  for (const [k, v] of set) {
    const was = before.get(k)?.value;
    if (was !== v) changes.push({ property: `key:${k}`, before: was, after: v, summary: `${ctx.check ? 'would set' : 'set'} ${k}=${v}` });
  }
  for (const k of remove) {
    if (before.has(k)) changes.push({ property: `key:${k}`, before: before.get(k)!.value, after: undefined, summary: `${ctx.check ? 'would remove' : 'remove'} ${k}` });
  }
  const content = changes.length ? editShellVars(file, set, remove) : old?.toString('utf8') ?? '';
  const w = await planFileWrite({
    path, content: Buffer.from(content), mode: p.mode, owner: p.owner, group: p.group,
    validate: p.validate, backup: p.backup, showSecret: p.show_diff_of_secret,
  }, ctx);
  // Key changes carry before/after; the file's content change carries the diff.
  const all = [...changes, ...w.changes];
  const result = { path, values: Object.fromEntries([...before].map(([k, a]) => [k, a.value])) };
  if (all.length === 0) return { changes: all, result };
  return { changes: all, provides: w.provides, result, state: { write: w.state!, content } };
}

async function apply(p: SysconfigParams, planned: PlanResult<SysconfigState>, ctx: ModuleContext) {
  const st = planned.state!;
  const result = await applyFileWrite({
    path: st.write.path, content: Buffer.from(st.content), mode: p.mode, owner: p.owner, group: p.group, backup: p.backup,
  }, { ...planned, state: st.write }, ctx);
  return { result };
}

export const sysconfigModule: ModuleDefinition<SysconfigParams, SysconfigState> = {
  name: 'sysconfig',
  observedPaths: ['path'],
  convergeOnly: true,
  description: 'Manages KEY=VALUE shell-variable files (/etc/sysconfig/*, /etc/default/*): sets, changes and removes keys, keeps comments, order and the file\'s quoting style, creates the file when asked, and shows a diff of the file.',
  schema,
  plan,
  apply,
};
