// sysconfig on temp files: each case checks --check (prediction, nothing
// changed), the run (exact resulting text: comments, order and quoting kept)
// and an empty second plan.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost } from '../../src/host/local-host.js';
import { Ledger } from '../../src/engine/ledger.js';
import { sysconfigModule } from '../../modules/sysconfig.js';
import { parseShellVars, currentValues } from '../../modules/sysconfig-format.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { checkRunReplan } from './fixtures/converge-case.js';

const host = new LocalHost('localhost');
let dir: string;
before(() => { dir = mkdtempSync('/tmp/sysmod-sysconfig-'); });
after(() => rmSync(dir, { recursive: true, force: true }));

const SUSE_DHCPD = `## Path:        Network/DHCP/DHCP server
## Description: DHCP server settings
## Type:        string
## Default:     ""
#
# Interface(s) for the DHCP server to listen on
#
DHCPD_INTERFACE=""

## Type:        yesno
DHCPD_RUN_CHROOTED="yes"
`;

const DEBIAN_DEFAULT = `# Defaults for isc-dhcp-server (sourced by /etc/init.d/isc-dhcp-server)

# Path to dhcpd's config file (default: /etc/dhcp/dhcpd.conf).
#DHCPDv4_CONF=/etc/dhcp/dhcpd.conf

INTERFACESv4=""
INTERFACESv6=""
`;

const BARE = `# bare style
TFTP_USERNAME=tftp
TFTP_DIRECTORY=/srv/tftp
TFTP_OPTIONS=--secure # keep this comment
`;

interface Case {
  title: string;
  initial: string | null;
  params: Record<string, unknown>;
  expect: string[];
  after: string;
}

const cases: Case[] = [
  {
    title: 'SUSE: set a key that has an empty value, keeping comments and double quotes',
    initial: SUSE_DHCPD, params: { values: { DHCPD_INTERFACE: 'eth1' } },
    expect: ['key:DHCPD_INTERFACE', 'content'],
    after: SUSE_DHCPD.replace('DHCPD_INTERFACE=""', 'DHCPD_INTERFACE="eth1"'),
  },
  {
    title: 'SUSE: a new key is appended in the file\'s style; yes/no from booleans',
    initial: SUSE_DHCPD, params: { values: { NFS4_SUPPORT: true, DHCPD_RUN_CHROOTED: 'yes' } },
    expect: ['key:NFS4_SUPPORT', 'content'],
    after: SUSE_DHCPD + 'NFS4_SUPPORT="yes"\n',
  },
  {
    title: 'Debian: a value with spaces',
    initial: DEBIAN_DEFAULT, params: { key: 'INTERFACESv4', value: 'eth0 eth1' },
    expect: ['key:INTERFACESv4', 'content'],
    after: DEBIAN_DEFAULT.replace('INTERFACESv4=""', 'INTERFACESv4="eth0 eth1"'),
  },
  {
    title: 'bare style stays bare, trailing comment kept; a value that needs quotes gets them',
    initial: BARE, params: { values: { TFTP_DIRECTORY: '/var/lib/tftpboot', TFTP_OPTIONS: '--secure --create', TFTP_ADDRESS: ':69' } },
    expect: ['key:TFTP_DIRECTORY', 'key:TFTP_OPTIONS', 'key:TFTP_ADDRESS', 'content'],
    after: '# bare style\nTFTP_USERNAME=tftp\nTFTP_DIRECTORY=/var/lib/tftpboot\nTFTP_OPTIONS="--secure --create" # keep this comment\nTFTP_ADDRESS=:69\n',
  },
  {
    title: 'equal value in another quoting is in sync',
    initial: "A='x y'\nB=\"z\"\nC=plain\n", params: { values: { A: 'x y', B: 'z', C: 'plain' } },
    expect: [], after: "A='x y'\nB=\"z\"\nC=plain\n",
  },
  {
    title: 'shell-special characters are escaped and read back equal',
    initial: 'OPTS=""\n', params: { values: { OPTS: 'say "hi" to $USER `now` \\o/' } },
    expect: ['key:OPTS', 'content'],
    after: 'OPTS="say \\"hi\\" to \\$USER \\`now\\` \\\\o/"\n',
  },
  {
    title: 'absent removes every assignment of a key; the key/state form too',
    initial: 'A=1\n# about B\nB=2\nA=3\nC=4\n', params: { absent: ['A'], key: 'C', state: 'absent' },
    expect: ['key:A', 'key:C', 'content'],
    after: '# about B\nB=2\n',
  },
  {
    title: 'duplicate key: the last assignment (the one the shell uses) is changed',
    initial: 'A=1\nA=2\n', params: { values: { A: '5' } },
    expect: ['key:A', 'content'], after: 'A=1\nA=5\n',
  },
  {
    title: 'create: true makes a new file (double quotes by default) with a mode',
    initial: null, params: { values: { DHCPDARGS: 'eth1' }, create: true, mode: '0640' },
    expect: ['key:DHCPDARGS', 'content', 'mode'], after: 'DHCPDARGS="eth1"\n',
  },
  {
    title: 'a multi-line quoted value is replaced as a whole',
    initial: 'A="one\ntwo"\nB=1\n', params: { values: { A: 'three' } },
    expect: ['key:A', 'content'], after: 'A="three"\nB=1\n',
  },
];

describe('sysconfig', () => {
  cases.forEach((c, i) => {
    it(c.title, async () => {
      const path = join(dir, `case${i}`);
      if (c.initial !== null) writeFileSync(path, c.initial);
      const observe = () => (existsSync(path) ? readFileSync(path, 'utf8') + ':' + (statSync(path).mode & 0o777).toString(8) : 'absent');
      const r = await checkRunReplan(sysconfigModule, { path, ...c.params }, { host }, observe, c.expect);
      assert.equal(readFileSync(path, 'utf8'), c.after);
      const diff = r.predicted.find((x) => x.property === 'content')?.diff;
      if (c.expect.includes('content')) assert.match(diff ?? '', /^@@ /m, 'a unified diff of the file');
    });
  });

  it('values written are read back by sh exactly', async () => {
    const path = join(dir, 'sh-roundtrip');
    writeFileSync(path, 'X=\n');
    const value = `it's "q" $HOME \`x\` \\ end`;
    await runModule(sysconfigModule, { path, values: { X: value, Y: 'a b' } }, { host });
    const r = await host.run(['sh', '-c', '. "$1"; printf %s "$X|$Y"', 'sh', path]);
    assert.equal(r.stdout, `${value}|a b`);
    assert.equal(currentValues(parseShellVars(readFileSync(path, 'utf8'))).get('X')?.value, value);
  });

  it('a missing file without create fails; in --check an earlier package task explains it', async () => {
    const path = join(dir, 'missing');
    const run = await runModule(sysconfigModule, { path, values: { A: '1' } }, { host });
    assert.equal(run.status, 'failed');
    assert.match(run.message ?? '', /does not exist \(create: true/);
    const ledger = new Ledger();
    ledger.record(2, [{ kind: 'package', name: 'dhcp-server' }]);
    const p = await planModule(sysconfigModule, { path, values: { A: '1' } }, { host, ledger, taskNumber: 3 });
    assert.deepEqual(p.changes.map((c) => [c.property, c.afterTask]), [['key:A', 2]]);
    assert.equal(existsSync(path), false);
  });

  it('keeps an existing file\'s mode when only a value changes', async () => {
    const path = join(dir, 'mode-kept');
    writeFileSync(path, 'A=1\n');
    chmodSync(path, 0o600);
    await runModule(sysconfigModule, { path, values: { A: '2' } }, { host });
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });
});
