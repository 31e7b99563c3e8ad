// uri: requests from the host to a loopback HTTP server, side by side with
// ansible-playbook; credentials reach the server and never the output, the
// command line or --json; over SSH the bed host makes the request itself.

import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { differential } from './fixtures/ansible-differential.js';
import { startEcho, type EchoServer } from './fixtures/http-echo.js';
import { converge, project } from '../helpers/cli.js';
import { runModule } from '../helpers/module-harness.js';
import { uriModule } from '../../modules/uri.js';
import { DAEMONS_FLAVOR, upTarget, type BedTarget } from './fixtures/bed-host.js';

let dir: string;
let srv: EchoServer;
before(async () => { dir = mkdtempSync('/tmp/cvg-uri-'); srv = await startEcho(path.join(dir, 'requests.log')); });
after(async () => { await srv.stop(); rmSync(dir, { recursive: true, force: true }); });

test('uri: converge and ansible-playbook agree', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => writeFileSync(path.join(root, 'marker'), ''),
    vars: `    base: "${srv.url}"\n`,
    tasks: `
    - name: json
      uri: { url: "{{ base }}/json" }
      register: r
    - name: show json
      debug: { msg: "{{ r.status }} {{ r.json.a }} {{ r.json.list }} {{ r.content_type }} {{ r.msg }} {{ r.redirected }} {{ r.x_served_by }} {{ r.content | default('no content') }} {{ r.url }}" }
    - name: text with content
      ansible.builtin.uri: { url: "{{ base }}/text", return_content: true }
      register: r
    - name: show text
      debug: { msg: "{{ r.content }}|{{ r.json | default('no json') }}|{{ r.content_length }}" }
    - name: redirect followed
      uri: { url: "{{ base }}/redirect", return_content: yes }
      register: r
    - name: show redirect
      debug: { msg: "{{ r.status }} {{ r.url }} {{ r.redirected }} {{ r.content }}" }
    - name: redirect not followed
      uri: { url: "{{ base }}/redirect", follow_redirects: none, status_code: 302 }
      register: r
    - name: show redirect not followed
      debug: { msg: "{{ r.status }} {{ r.location }} {{ r.redirected }}" }
    - name: post json
      uri: { url: "{{ base }}/echo", method: POST, body_format: json, body: { name: node01, cores: 4, tags: [a, b] }, status_code: 201, headers: { X-Api-Token: tok-123456 } }
      register: r
    - name: show post json
      debug: { msg: "{{ r.json.method }} {{ r.json.type }} {{ r.json.body }} {{ r.json.token == 'tok-123456' }}" }
    - name: post form
      uri: { url: "{{ base }}/echo", method: PUT, body_format: form-urlencoded, body: { a: "x y", b: "&=" }, status_code: [201] }
      register: r
    - name: show post form
      debug: { msg: "{{ r.json.method }} {{ r.json.type }} {{ r.json.body }}" }
    - name: basic auth after a 401
      uri: { url: "{{ base }}/private", url_username: admin, url_password: s3cr3t-pw, return_content: true }
      register: r
    - name: show basic auth
      debug: { msg: "{{ r.status }} {{ r.content }}" }
    - name: basic auth forced
      uri: { url: "{{ base }}/private", user: admin, password: s3cr3t-pw, force_basic_auth: yes }
    - name: wrong password
      uri: { url: "{{ base }}/private", user: admin, password: nope, force_basic_auth: yes }
      ignore_errors: true
      register: r
    - name: show wrong password
      debug: { msg: "{{ r.status }} {{ r.msg }}" }
    - name: not found
      uri: { url: "{{ base }}/missing" }
      ignore_errors: true
      register: r
    - name: show not found
      debug: { msg: "{{ r.status }} {{ r.msg }}" }
    - name: not found is fine
      uri: { url: "{{ base }}/missing", status_code: "200,404", return_content: true }
      register: r
    - name: show not found is fine
      debug: { msg: "{{ r.status }} {{ r.content }}" }
    - name: head
      uri: { url: "{{ base }}/text", method: HEAD }
      register: r
    - name: show head
      debug: { msg: "{{ r.status }} {{ r.content_length }}" }
    - name: creates
      uri: { url: "{{ base }}/json", creates: "{{ root }}/marker" }
      register: r
    - name: show creates
      debug: { msg: "{{ r.stdout | replace(root, 'ROOT') }} {{ r.status | default('no status') }}" }
    - name: nobody listening
      uri: { url: "http://127.0.0.1:9/", timeout: 5 }
      ignore_errors: true
      register: r
    - name: show nobody listening
      debug: { msg: "{{ r.status }} {{ r.msg is search('Request failed') }}" }
`,
  });
});

describe('uri: secrets', () => {
  it('url_password and token headers reach the server, and no output, --json or history', () => {
    const log = path.join(dir, 'requests.log');
    writeFileSync(log, '');
    const pb = `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: auth\n      uri: { url: "${srv.url}/private", url_username: admin, url_password: s3cr3t-pw, force_basic_auth: true, return_content: true }\n      register: r\n    - name: token\n      uri: { url: "${srv.url}/echo", method: POST, body: "payload", status_code: 201, headers: { Authorization: "Bearer tok-abcdef-999", X-Api-Token: tok-zyx-777 } }\n      register: t\n    - name: show\n      debug: { var: t }\n    - name: failing\n      uri: { url: "${srv.url}/missing", url_password: s3cr3t-pw, user: admin, force_basic_auth: true }\n`;
    const p = project({ 'pb.yaml': pb });
    try {
      for (const args of [['pb.yaml', '--json', '--state-dir', path.join(p, 'state')], ['pb.yaml', '-v', '--state-dir', path.join(p, 'state')]]) {
        const r = converge(args, { cwd: p });
        assert.equal(r.code, 2, r.stderr);
        const all = r.stdout + r.stderr;
        for (const secret of ['s3cr3t-pw', 'tok-abcdef-999', 'tok-zyx-777', Buffer.from('admin:s3cr3t-pw').toString('base64')]) assert.ok(!all.includes(secret), `${secret} shown in ${args[1]}: ${all}`);
        assert.match(all, /Status code was 404 and not \[200\]/);
      }
      // The run history and anything else converge stored.
      const stored = execFileSync('sh', ['-c', 'find "$1" -type f -exec cat {} +', 'sh', path.join(p, 'state')], { encoding: 'utf8' });
      assert.ok(stored.length > 0, 'the runs left a history');
      for (const secret of ['s3cr3t-pw', 'tok-abcdef-999', 'tok-zyx-777']) assert.ok(!stored.includes(secret), `${secret} stored in the state directory`);
      const sent = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      assert.ok(sent.some((s) => s.headers.authorization === `Basic ${Buffer.from('admin:s3cr3t-pw').toString('base64')}`), 'the credentials were sent');
      assert.ok(sent.some((s) => s.headers.authorization === 'Bearer tok-abcdef-999' && s.headers['x-api-token'] === 'tok-zyx-777'));
    } finally {
      rmSync(p, { recursive: true, force: true });
    }
  });
});

describe('uri over SSH (bed host)', () => {
  let t: BedTarget;
  before(async () => { t = await upTarget(DAEMONS_FLAVOR); });
  after(async () => { await t?.down(); });

  it('the host makes the request (its own loopback): status and json come back', async () => {
    // nginx on the bed host's loopback, out of the controller's reach.
    await t.bed.execOk(['systemctl', 'start', 'nginx']);
    await t.host.writeFile('/var/www/html/bed.json', '{"on":"bed"}');
    const out = await runModule(uriModule, { url: 'http://127.0.0.1/bed.json', return_content: true }, { host: t.host, baseDir: dir });
    assert.equal(out!.status, 'ok', out!.message);
    assert.equal(out!.result.status, 200);
    assert.equal(out!.result.content, '{"on":"bed"}');
  });
});
