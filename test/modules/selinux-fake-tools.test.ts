// seboolean and sefcontext on their live path, which cannot run on this
// machine (no SELinux in its kernel, no policy store). What is faked, and
// only that: the kernel's /sys/fs/selinux/enforce (read as "1" through a
// host wrapper, FakeSelinuxHost) and the policy tools getsebool, setsebool
// and semanage (FAKE scripts put first on PATH: they keep booleans and
// file-context rules in a JSON file, print what the real tools print for the
// calls the modules make, and record every argv). The tests check the exact
// commands each module runs, that --check runs none of the changing ones, and
// that a second run finds nothing to do against the state the fakes keep.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { LocalHost } from '../../src/host/local-host.js';
import type { Host } from '../../src/host/host.js';
import { sebooleanModule } from '../../modules/seboolean.js';
import { sefcontextModule } from '../../modules/sefcontext.js';
import { checkRunReplan } from './fixtures/converge-case.js';

const FAKE_TOOL = `#!${process.execPath}
// FAKE getsebool / setsebool / semanage for tests (converge): state in $FAKE_SELINUX_DIR/state.json, argv in calls.log.
const fs = require('node:fs'); const p = require('node:path');
const dir = process.env.FAKE_SELINUX_DIR; const file = p.join(dir, 'state.json');
const tool = p.basename(process.argv[1]); const args = process.argv.slice(2);
fs.appendFileSync(p.join(dir, 'calls.log'), [tool, ...args].join(' ') + '\\n');
const st = JSON.parse(fs.readFileSync(file, 'utf8'));
const save = () => fs.writeFileSync(file, JSON.stringify(st));
const DESC = { a: 'all files', f: 'regular file', d: 'directory', l: 'symbolic link', c: 'character device', b: 'block device', s: 'socket', p: 'named pipe' };
const on = (v) => (v ? 'on' : 'off');
if (tool === 'getsebool') {
  const b = st.booleans[args[0]];
  if (!b) { process.stderr.write('Error getting active value for ' + args[0] + '\\n'); process.exit(1); }
  process.stdout.write(args[0] + ' --> ' + on(b.current) + '\\n');
} else if (tool === 'setsebool') {
  const persist = args[0] === '-P'; const [name, value] = persist ? args.slice(1) : args;
  const b = st.booleans[name]; if (!b) process.exit(1);
  b.current = value === 'on'; if (persist) b.persistent = b.current; save();
} else if (tool === 'semanage' && args[0] === 'boolean' && args[1] === '-l') {
  for (const [n, b] of Object.entries(st.booleans)) process.stdout.write(n.padEnd(32) + '(' + on(b.current).padEnd(5) + ',' + on(b.persistent).padStart(5) + ')  ' + n + '\\n');
} else if (tool === 'semanage' && args[0] === 'fcontext' && args[1] === '-l') {
  for (const r of st.rules) process.stdout.write(r.target.padEnd(40) + DESC[r.ftype].padEnd(20) + r.seuser + ':object_r:' + r.setype + ':' + r.level + '\\n');
} else if (tool === 'semanage' && args[0] === 'fcontext') {
  const a = args.slice(1).filter((x) => x !== '-N'); const target = a[a.length - 1];
  const opt = (o) => { const i = a.indexOf(o); return i >= 0 ? a[i + 1] : undefined; };
  const ftype = opt('-f') || 'a'; const i = st.rules.findIndex((r) => r.target === target && r.ftype === ftype);
  if (a[0] === '-d') { if (i < 0) process.exit(1); st.rules.splice(i, 1); }
  else if (a[0] === '-a') { if (i >= 0) process.exit(1); st.rules.push({ target, ftype, setype: opt('-t'), seuser: opt('-s') || 'system_u', level: opt('-r') || 's0' }); }
  else if (a[0] === '-m') { if (i < 0) process.exit(1); Object.assign(st.rules[i], { setype: opt('-t'), ...(opt('-s') ? { seuser: opt('-s') } : {}), ...(opt('-r') ? { level: opt('-r') } : {}) }); }
  else process.exit(2);
  save();
} else { process.stderr.write('FAKE ' + tool + ': call not faked: ' + args.join(' ') + '\\n'); process.exit(2); }
`;

/** A LocalHost that reads SELinux as enforcing and finds the FAKE policy tools first on PATH. */
function fakeSelinuxHost(dir: string): Host {
  const local = new LocalHost('localhost');
  const env = { PATH: `${dir}:${process.env.PATH}`, FAKE_SELINUX_DIR: dir };
  return new Proxy(local, {
    get(target, prop, receiver) {
      if (prop === 'readFile') return async (file: string) => (file === '/sys/fs/selinux/enforce' ? Buffer.from('1\n') : target.readFile(file));
      if (prop === 'run') return (argv: string[], opts: Record<string, unknown> = {}) => target.run(argv, { ...opts, env: { ...(opts.env as object), ...env } });
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('seboolean and sefcontext against FAKE getsebool/setsebool/semanage (SELinux cannot run here)', () => {
  let dir: string;
  let host: Host;
  const calls = () => (existsSync(path.join(dir, 'calls.log')) ? readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n') : []);
  const changing = () => calls().filter((c) => /^setsebool|^semanage fcontext (-N )?-[adm]/.test(c));
  const state = () => readFileSync(path.join(dir, 'state.json'), 'utf8');
  before(() => {
    dir = mkdtempSync('/tmp/cvg-fake-selinux-');
    for (const t of ['getsebool', 'setsebool', 'semanage']) { writeFileSync(path.join(dir, t), FAKE_TOOL); chmodSync(path.join(dir, t), 0o755); }
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ booleans: { tftp_home_dir: { current: false, persistent: false }, nfs_export_all_rw: { current: true, persistent: true } }, rules: [] }));
    host = fakeSelinuxHost(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the fake is the one run (not a real tool of this machine)', async () => {
    const r = await host.run(['getsebool', 'tftp_home_dir']);
    assert.equal(r.stdout, 'tftp_home_dir --> off\n');
    assert.match(readFileSync(path.join(dir, 'getsebool'), 'utf8'), /FAKE getsebool/);
  });

  it('seboolean persistent: setsebool -P NAME on, once; --check runs nothing that changes', async () => {
    const before = changing().length;
    await checkRunReplan(sebooleanModule, { name: 'tftp_home_dir', state: true, persistent: true }, { host }, state, ['boolean:tftp_home_dir']);
    assert.deepEqual(changing().slice(before), ['setsebool -P tftp_home_dir on']);
    await checkRunReplan(sebooleanModule, { name: 'tftp_home_dir', state: true, persistent: true }, { host }, state, []);
    assert.equal(changing().length, before + 1);
  });

  it('seboolean not persistent: setsebool NAME off, the persistent value kept', async () => {
    const before = changing().length;
    await checkRunReplan(sebooleanModule, { name: 'nfs_export_all_rw', state: false }, { host }, state, ['boolean:nfs_export_all_rw']);
    assert.deepEqual(changing().slice(before), ['setsebool nfs_export_all_rw off']);
    assert.deepEqual(JSON.parse(state()).booleans.nfs_export_all_rw, { current: false, persistent: true });
    // Persistent off asks for -P again: the kept value is still on.
    await checkRunReplan(sebooleanModule, { name: 'nfs_export_all_rw', state: false, persistent: true }, { host }, state, ['boolean:nfs_export_all_rw']);
    assert.deepEqual(changing().slice(before + 1), ['setsebool -P nfs_export_all_rw off']);
  });

  it('seboolean of a boolean the policy does not have fails with Ansible\'s message', async () => {
    await assert.rejects(checkRunReplan(sebooleanModule, { name: 'no_such_bool', state: true }, { host }, state, []), /does not exist/);
  });

  it('sefcontext: semanage fcontext -a, then -m for another type, then -d; each once, and a second run runs none', async () => {
    const target = '/srv/tftp(/.*)?';
    let n = changing().length;
    await checkRunReplan(sefcontextModule, { target, setype: 'tftpdir_t' }, { host }, state, [`fcontext:${target}`]);
    assert.deepEqual(changing().slice(n), [`semanage fcontext -a -t tftpdir_t -f a ${target}`]);
    await checkRunReplan(sefcontextModule, { target, setype: 'tftpdir_t' }, { host }, state, []);
    n = changing().length;
    await checkRunReplan(sefcontextModule, { target, setype: 'public_content_t', seuser: 'system_u', selevel: 's0', reload: false }, { host }, state, [`fcontext:${target}`]);
    assert.deepEqual(changing().slice(n), [`semanage fcontext -N -m -t public_content_t -f a -s system_u -r s0 ${target}`]);
    n = changing().length;
    await checkRunReplan(sefcontextModule, { target, state: 'absent' }, { host }, state, [`fcontext:${target}`]);
    assert.deepEqual(changing().slice(n), [`semanage fcontext -d -f a ${target}`]);
    await checkRunReplan(sefcontextModule, { target, state: 'absent' }, { host }, state, []);
    assert.deepEqual(JSON.parse(state()).rules, []);
  });
});
