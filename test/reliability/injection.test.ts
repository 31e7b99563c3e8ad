// Injection: values that reach commands (paths, package names, service names,
// user names, validate paths, command arguments, MACs) are full of shell
// metacharacters. Each must arrive as one literal argument or be refused by a
// schema. The proof is strace's log of every execve of the whole run: `touch`
// (what every payload tries to run) never executes, no shell executes at all
// locally, every program that runs is one the tasks intend, and the payloads
// show up verbatim as single arguments.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseExecLog, programOf, straced } from './exec-trace.js';
import { assertOnlyIntended, carriers, injectionPlaybook, PACKAGE_PAYLOADS, payloads } from './injection-cases.js';
import { repoRoot, runCli, tempDir } from './cli-process.js';

let t: ReturnType<typeof tempDir>;
const figures = { literal: 0, refused: 0 };
before(() => { t = tempDir('inject'); });
after(() => {
  t.remove();
  process.stdout.write(`# injection (local): package/service/user values passed literally ${figures.literal}, refused ${figures.refused}\n`);
});

describe('injection, local host', () => {
  it('metacharacters in values reach commands as literal arguments; nothing else runs', async () => {
    const canaryDir = path.join(t.dir, 'cwd');
    const out = path.join(t.dir, 'out');
    fs.mkdirSync(canaryDir);
    fs.mkdirSync(out);
    const list = payloads('CVGCANARY');
    fs.writeFileSync(path.join(t.dir, 'site.yaml'), injectionPlaybook('localhost', out, list));
    const log = path.join(t.dir, 'exec.log');
    // cwd = canaryDir: a `touch CVGCANARY1` that ran would create its file there.
    const r = await runCli([path.join(t.dir, 'site.yaml'), '--json'], { cwd: canaryDir, wrap: (a) => straced(log, a), env: { CONVERGE_STATE_DIR: path.join(t.dir, 'state') } });
    assert.ok(r.rc === 0 || r.rc === 2, r.stderr);
    const execs = parseExecLog(log);
    const ran = execs.filter((e) => !(e.path === process.execPath || programOf(e) === 'strace'));
    assertOnlyIntended(ran, 'CVGCANARY');
    assert.deepEqual(fs.readdirSync(canaryDir), [], 'no canary file');

    // Each payload reached the intended commands as literal arguments.
    for (const p of list) {
      const by = new Set(carriers(ran, p).map(programOf));
      for (const prog of ['cat', 'echo']) assert.ok(by.has(prog), `payload ${JSON.stringify(p)} did not reach ${prog} literally`);
      const asArg = ran.filter((e) => programOf(e) === 'echo' && e.argv[1] === p);
      assert.ok(asArg.length >= 1, `echo got ${JSON.stringify(p)} as its one argument (argv form)`);
    }
    // The paths exist with the payload as their literal name.
    const names = fs.readdirSync(out);
    for (const [i, p] of list.entries()) assert.ok(names.includes(`p${i}-${p}`), `file named p${i}-${JSON.stringify(p)}`);

    // Package and service names: either literal arguments or refused by the module's schema.
    const doc = JSON.parse(r.stdout);
    const tasks = doc.hosts.localhost.tasks as Array<{ name: string; item?: string; status: string; message?: string }>;
    for (const kind of ['package names', 'service names', 'user and group names']) {
      const evs = tasks.filter((x) => x.name === kind);
      const expected = kind === 'package names' ? list.slice(0, PACKAGE_PAYLOADS) : list;
      assert.equal(evs.length, expected.length, kind);
      for (const [i, ev] of evs.entries()) {
        const p = expected[i];
        const value = `${{ 'package names': 'pkg', 'service names': 'svc', 'user and group names': 'usr' }[kind]}-${p}`;
        // Literal: some command got the whole value as one argument. Refused: the task failed and
        // the value reached no command at all.
        const literal = ran.some((e) => e.argv.slice(1).some((a) => a === value || a === `${value}.service`));
        const refused = ev.status === 'failed' && carriers(ran, value).length === 0;
        assert.ok(literal || refused, `${kind}: ${JSON.stringify(p)} neither passed literally nor refused: ${JSON.stringify(ev)}`);
        if (literal) figures.literal++; else figures.refused++;
      }
    }
  });

  it('a MAC with metacharacters is refused by the headnode schema before any host is contacted', async () => {
    const dir = path.join(t.dir, 'mac');
    fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
    const nodeSchema = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'playbooks', 'schema', 'compute-node.schema.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'site.schema.yaml'), JSON.stringify({ groups: { compute: { schema: nodeSchema, unique: ['mac', 'ip'] } } }, null, 1));
    fs.writeFileSync(path.join(dir, 'templates', 'dhcpd.conf.j2'), '{% for n in groups.compute %}host {{ n }} { hardware ethernet {{ hostvars[n].mac }}; }\n{% endfor %}');
    fs.writeFileSync(path.join(dir, 'site.yaml'), `- hosts: headnode\n  gather_facts: false\n  tasks:\n    - template: { src: dhcpd.conf.j2, dest: "${dir}/dhcpd.conf", validate: "cat %s" }\n`);
    fs.writeFileSync(path.join(dir, 'hosts.yml'), [
      'all:', '  children:', '    headnode:', '      hosts:', '        localhost: { ansible_connection: local }',
      '    compute:', '      hosts:', '        node-000: { mac: "fc:ab:14:e8:66:01", ip: 192.168.0.100 }',
      '        node-001: { mac: "fc:ab:14:e8:66:02;touch${IFS}CVGCANARYMAC", ip: 192.168.0.101 }', '',
    ].join('\n'));
    const log = path.join(t.dir, 'mac-exec.log');
    const r = await runCli([path.join(dir, 'site.yaml'), '-i', path.join(dir, 'hosts.yml')], { cwd: dir, wrap: (a) => straced(log, a) });
    assert.equal(r.rc, 4, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/hosts\\.yml:9(:\\d+)?: .*mac`));
    const ran = parseExecLog(log).filter((e) => e.path !== process.execPath && programOf(e) !== 'strace');
    assert.deepEqual(ran.map((e) => e.argv), [], 'nothing ran at all');
    assert.equal(fs.existsSync(path.join(dir, 'dhcpd.conf')), false);
  });
});
