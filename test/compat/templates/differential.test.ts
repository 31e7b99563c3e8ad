// The differential suite: every expression of expressions.ts, every fragment
// and whole template of whole-templates.ts and every template of the head
// node playbook is rendered by ansible-playbook and by converge in the same
// test run, and the texts are compared. One playbook per tool: each case is a
// template file rendered by lookup('template') as one item of a loop, so a
// case that fails fails alone.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { project } from '../../helpers/cli.js';
import { runAnsible, runConverge } from '../ansible-oracle.js';
import { EXPRESSIONS, FRAGMENTS, UNDEFINED_EXPRESSIONS, UNDEFINED_FRAGMENTS } from './expressions.js';
import { FIXTURE_VARS_YAML } from './fixture-vars.js';
import { WHOLE_TEMPLATES } from './whole-templates.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const HEADNODE_TEMPLATES = fs.readdirSync(path.join(REPO, 'playbooks/templates')).filter((f) => f.endsWith('.j2')).sort();
// What a case file starts with: text without it is a failure (Ansible's errors='ignore' gives None).
const OK = 'OK:';

interface Case { kind: 'expression' | 'fragment' | 'template' | 'headnode'; file: string; source: string }

const cases: Case[] = [
  ...EXPRESSIONS.map((e, i) => ({ kind: 'expression' as const, file: `cases/e${i}.j2`, source: `{{ ${e} }}` })),
  ...FRAGMENTS.map((e, i) => ({ kind: 'fragment' as const, file: `cases/f${i}.j2`, source: e })),
  ...Object.entries(WHOLE_TEMPLATES).map(([name, text]) => ({ kind: 'template' as const, file: `whole/${name}`, source: text })),
];
// Cases where an undefined may fail: Ansible fails a whole loop on one item's undefined, so each has a task of its own.
const alone: Case[] = [
  ...UNDEFINED_EXPRESSIONS.map((e, i) => ({ kind: 'expression' as const, file: `cases/u${i}.j2`, source: `{{ ${e} }}` })),
  ...UNDEFINED_FRAGMENTS.map((e, i) => ({ kind: 'fragment' as const, file: `cases/uf${i}.j2`, source: e })),
];
const headnode: Case[] = HEADNODE_TEMPLATES.map((f) => ({ kind: 'headnode', file: f, source: '' }));

function playbook(errors: string): string {
  const loop = (cs: Case[]) => `[${cs.map((c) => JSON.stringify(c.file)).join(', ')}]`;
  return `
- hosts: localhost
  gather_facts: false
  vars_files: [fixture.yml]
  tasks:
    - name: cases
      debug: { msg: "{{ lookup('template', item, errors='${errors}') }}" }
      loop: ${loop(cases)}
      ignore_errors: true
${alone.map((c) => `    - name: ${c.file}
      debug: { msg: "{{ lookup('template', '${c.file}', errors='${errors}') }}" }
      ignore_errors: true
`).join('')}- hosts: localhost
  gather_facts: false
  vars_files: [vars/common.yml, vars/Debian.yml, vars/dns.yml]
  vars: { ansible_hostname: headnode, node_name: node-000, node_image: failsafe }
  tasks:
    - name: headnode templates
      debug: { msg: "{{ lookup('template', item, errors='${errors}') }}" }
      loop: ${loop(headnode)}
      ignore_errors: true
`;
}

interface Outcome { ok: boolean; text: string }
let dir: string;
let ansible: Outcome[];
let ours: Outcome[];

function outcome(msg: unknown, failed: boolean): Outcome {
  if (!failed && typeof msg === 'string' && msg.startsWith(OK)) return { ok: true, text: msg.slice(OK.length) };
  return { ok: false, text: typeof msg === 'string' ? msg : JSON.stringify(msg) };
}

before(() => {
  const files: Record<string, string> = { 'fixture.yml': FIXTURE_VARS_YAML, 'ansible.yaml': playbook('ignore'), 'converge.yaml': playbook('strict') };
  for (const c of [...cases, ...alone]) files[`templates/${c.file}`] = OK + c.source;
  dir = project(files, 'cvg-compat-templates-');
  for (const sub of ['vars', 'files']) fs.cpSync(path.join(REPO, 'playbooks', sub), path.join(dir, sub), { recursive: true });
  fs.cpSync(path.join(REPO, 'inventory'), path.join(dir, 'inventory'), { recursive: true });
  for (const f of HEADNODE_TEMPLATES) fs.writeFileSync(path.join(dir, 'templates', f), OK + fs.readFileSync(path.join(REPO, 'playbooks/templates', f), 'utf8'));
  // lookup('file', 'templates/x.j2') in vars/common.yml reads the originals.
  fs.mkdirSync(path.join(dir, 'files/templates'), { recursive: true });
  for (const f of HEADNODE_TEMPLATES) fs.copyFileSync(path.join(REPO, 'playbooks/templates', f), path.join(dir, 'files/templates', f));
  const inv = ['-i', path.join(dir, 'inventory')];

  const a = runAnsible(dir, 'ansible.yaml', { inventory: inv });
  ansible = a.flatMap((t) => ((t.raw.results as Array<Record<string, unknown>>) ?? [t.raw]).map((r) => outcome(r.msg, r._status === 'failed' || !!r.failed)));
  const c = runConverge(dir, 'converge.yaml', { extraArgs: inv });
  ours = c.map((t) => outcome(t.raw.status === 'failed' ? t.raw.message : t.msg, t.failed));
});

after(() => {
  if (dir && !process.env.CVG_KEEP) fs.rmSync(dir, { recursive: true, force: true });
});

const all = () => [...cases, ...alone, ...headnode];

test('both tools rendered every case', () => {
  assert.equal(ansible.length, all().length, 'ansible results');
  assert.equal(ours.length, all().length, 'converge results');
});

test('figures: identical, refused by converge with a located error, silently different', () => {
  const byKind = new Map<string, { total: number; same: number; refused: string[]; different: string[] }>();
  all().forEach((c, i) => {
    const k = byKind.get(c.kind) ?? { total: 0, same: 0, refused: [], different: [] };
    byKind.set(c.kind, k);
    k.total++;
    const a = ansible[i];
    const o = ours[i];
    if (a.ok && o.ok && a.text === o.text) k.same++;
    else if (!a.ok && !o.ok) k.same++; // both refuse it
    else if (a.ok && !o.ok) k.refused.push(`${c.file} ${JSON.stringify(c.source.slice(0, 120))}: ${o.text.slice(0, 300)}`);
    else k.different.push(`${c.file} ${JSON.stringify(c.source.slice(0, 120))}: ansible ${JSON.stringify(a.text.slice(0, 200))}, converge ${JSON.stringify(o.text.slice(0, 200))}`);
  });
  const lines: string[] = [];
  let total = 0;
  let same = 0;
  for (const [kind, k] of byKind) {
    total += k.total;
    same += k.same;
    lines.push(`${kind}: ${k.total} cases, ${k.same} identical (${(100 * k.same / k.total).toFixed(1)}%), ${k.refused.length} refused by converge, ${k.different.length} silently different`);
  }
  lines.push(`all: ${total} cases, ${same} identical (${(100 * same / total).toFixed(1)}%)`);
  const different = [...byKind.values()].flatMap((k) => k.different);
  lines.push(`silently different: ${different.length}`);
  const report = lines.join('\n') + '\n\nSilently different:\n' + different.join('\n') + '\n\nRefused by converge:\n' + [...byKind.values()].flatMap((k) => k.refused).join('\n') + '\n';
  fs.writeFileSync(path.join(process.env.CVG_COMPAT_REPORT_DIR ?? dir, 'differential-report.txt'), report);
  console.log(lines.join('\n'));
  // A floor, raised as the engine improves: this many must be identical.
  assert.ok(same / total >= FLOOR, `only ${same} of ${total} identical:\n${report}`);
  // Where converge cannot match Ansible it refuses with an error; it never writes something else.
  assert.deepEqual(different, [], report);
  // The head node's own templates render exactly as Ansible renders them.
  assert.equal(byKind.get('headnode')!.same, headnode.length, report);
});

test('every case converge refuses fails with the template file, a line and what it could not do', () => {
  const bad: string[] = [];
  all().forEach((c, i) => {
    if (!ansible[i].ok || ours[i].ok) return;
    if (!ours[i].text.includes(c.file) || !/:\d+/.test(ours[i].text)) bad.push(`${c.file}: ${ours[i].text}`);
  });
  assert.deepEqual(bad, []);
});

const FLOOR = 0.98;
