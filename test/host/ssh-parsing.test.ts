// Tables for the pure parts of the SSH host: quoting, known_hosts matching,
// ~/.ssh/config resolution. The quoting is checked by a real /bin/sh.

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { connectHost } from '../../src/host/connect.js';
import { checkHostKey, knownHostsName, parseKnownHosts, patternsMatch } from '../../src/host/known-hosts.js';
import { runLocal } from '../../src/host/local-host.js';
import { commandLine, shellQuote, withCwdEnv } from '../../src/host/ssh-command.js';
import { parseSshConfig, resolveSshConfig } from '../../src/host/ssh-config.js';
import type { SshHost } from '../../src/host/ssh-host.js';

describe('shell quoting', () => {
  const hostile = ["it's", '"dq"', 'a;b', '$(touch /tmp/cvg-never)', '`id`', '$HOME', '*', '\\', 'new\nline', '', ' lead', '!x', "''"];
  it('gives /bin/sh each argument back literally', async () => {
    const r = await runLocal(['sh', '-c', commandLine(['printf', '%s\\0', ...hostile])]);
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), hostile);
  });
  it('quotes with single quotes only', () => {
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.throws(() => shellQuote('a\0b'), /NUL/);
    assert.throws(() => withCwdEnv(['x'], { env: { 'A;B': '1' } }), /invalid environment variable name/);
  });
});

describe('known_hosts', () => {
  const key = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), randomBytes(36)]);
  const other = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), randomBytes(36)]);
  const salt = randomBytes(20);
  const hashed = (n: string) => `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(n).digest('base64')}`;
  const cases: Array<[string, string, boolean]> = [
    ['web1', 'web1', true],
    ['WEB1', 'web1', true],
    ['web1,web2', 'web2', true],
    ['web*', 'web17', true],
    ['web?', 'web17', false],
    ['*.example.com,!bad.example.com', 'bad.example.com', false],
    ['*.example.com,!bad.example.com', 'good.example.com', true],
    ['[127.0.0.1]:2222', '[127.0.0.1]:2222', true],
    ['[127.0.0.1]:2222', '127.0.0.1', false],
    ['127.0.0.1', '[127.0.0.1]:2222', false],
    [hashed('[10.1.1.1]:2200'), '[10.1.1.1]:2200', true],
    [hashed('[10.1.1.1]:2200'), '10.1.1.1', false],
  ];
  for (const [pattern, name, want] of cases) {
    it(`${pattern.startsWith('|1|') ? '|1|(hashed)' : pattern} ${want ? 'matches' : 'does not match'} ${name}`, () => {
      assert.equal(patternsMatch(pattern, name), want);
    });
  }
  it('tells known, unknown, changed and revoked apart', () => {
    const b64 = key.toString('base64');
    const entries = parseKnownHosts(`# comment\nweb1 ssh-ed25519 ${b64}\n@revoked bad ssh-ed25519 ${b64}\n@cert-authority *.x ssh-ed25519 ${other.toString('base64')}\n`);
    assert.equal(checkHostKey(entries, 'web1', key).status, 'known');
    assert.equal(checkHostKey(entries, 'web1', other).status, 'changed');
    assert.equal(checkHostKey(entries, 'web2', key).status, 'unknown');
    assert.equal(checkHostKey(entries, 'bad', key).status, 'revoked');
    // A CA line is not a host key: a host under it is still unknown.
    assert.equal(checkHostKey(entries, 'a.x', other).status, 'unknown');
    assert.equal(knownHostsName('h', 22), 'h');
    assert.equal(knownHostsName('h', 2222), '[h]:2222');
  });
});

describe('ssh config', () => {
  const text = [
    'User globaluser',
    'Host db-* !db-test',
    '  HostName %h.internal',
    '  Port=2201',
    '  IdentityFile ~/.ssh/db_key',
    'Host db-1',
    '  Port 9999',
    '  IdentityFile "/keys/with space"',
    'Match user x',
    '  Port 7',
    'Host *',
    '  Port 22',
    '  User fallback',
  ].join('\n');
  const blocks = parseSshConfig(text);
  it('takes the first value per keyword and accumulates identity files', () => {
    const r = resolveSshConfig(blocks, 'db-1');
    assert.equal(r.hostName, 'db-1.internal');
    assert.equal(r.port, 2201);
    assert.equal(r.user, 'globaluser');
    assert.equal(r.identityFiles.length, 2);
    assert.match(r.identityFiles[0], /\/\.ssh\/db_key$/);
    assert.equal(r.identityFiles[1], '/keys/with space');
  });
  it('names keywords it cannot honour', () => {
    const r = resolveSshConfig(parseSshConfig('Host jumped\n  ProxyJump bastion\nHost *\n  ProxyCommand none\n'), 'jumped');
    assert.deepEqual(r.unsupported, ['ProxyJump']);
    assert.deepEqual(resolveSshConfig(parseSshConfig('Host *\n  ProxyCommand none\n'), 'x').unsupported, []);
  });
  it('honours negated patterns and the catch-all', () => {
    const r = resolveSshConfig(blocks, 'db-test');
    assert.equal(r.hostName, undefined);
    assert.equal(r.port, 22);
    assert.deepEqual(r.identityFiles, []);
  });
});

describe('connectHost (no connection is made)', () => {
  const none = { sshConfigFile: '/nonexistent/cvg-ssh-config' };
  it('picks the address, port and user from the inventory variables', () => {
    const h = connectHost('web1', { ansible_host: '10.1.2.3', ansible_port: '2222', ansible_user: 'admin' }, none) as SshHost;
    assert.equal(h.kind, 'ssh');
    assert.equal(h.address, 'admin@10.1.2.3:2222');
    const b = connectHost('web2', { ansible_user: 'admin', ansible_become: 'yes' }, none) as SshHost;
    assert.equal(b.viaSudo, true);
    const rootB = connectHost('web3', { ansible_user: 'root', ansible_become: true }, none) as SshHost;
    assert.equal(rootB.viaSudo, false);
  });
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ ansible_ssh_common_args: '-o ProxyJump=bastion' }, /ansible_ssh_common_args is not supported/],
    [{ ansible_become: true, ansible_become_method: 'su' }, /ansible_become_method: 'su' is not supported/],
    [{ ansible_port: 'ssh' }, /not a port number/],
    [{ ansible_timeout: 'soon' }, /not a number of seconds/],
    [{ ansible_connection: 'docker' }, /'docker' is not supported/],
  ];
  for (const [vars, re] of bad) {
    it(`rejects ${JSON.stringify(vars)}`, () => assert.throws(() => connectHost('h', vars, none), re));
  }
});
