// A local user races converge's root writes over SSH with sudo, as root over
// SFTP, on the local host and in a chroot tree (issue 16, items 1, 2 and 5).
// The user owns the directory converge writes into; a small program of
// theirs (perl, run under setpriv as that user) watches it and, the moment
// converge's temp file or new directory appears, renames it away and puts a
// symlink to a root-only file in its place. Before the fix, root then
// chowned, chmodded and appended to the link's target over sudo.
//
// 50 copies and 50 new directories in one run, against a real sshd on
// 127.0.0.1 (a non-root login with become, then root), then locally, in a
// chroot tree (the user's directory inside the image) and in a chroot tree
// through SSH with sudo; 90 or 300 copies where the racer loses races (with
// sudo, as root, locally, in the chroot), so that at least 50 of each swap land. Whatever the racer
// manages, the root-only file keeps its owner, mode and content, and no temp
// file of converge's is left behind. A write the racer did redirect fails its task.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { runLocal } from '../../src/host/local-host.js';
import { createUsers, removeUsers, startSshd, testUsers, type Sshd } from '../host/sshd-fixture.js';
import { runCli } from './cli-process.js';

const TRIES = 50;
/**
 * Copies where the racer often loses, so that at least 50 swaps land: a write as root over SFTP, in a
 * chroot or locally is often over before the polling racer is scheduled (on a loaded machine, 46 of 50
 * over SFTP, 32-56 of 90 in the chroot, 35-37 of 90 locally, with or without a 512 KiB comment; 52-183
 * of 200 locally).
 */
const MORE_TRIES = 90;
const LOCAL_TRIES = 300;
/** In the chroot each key file also carries this many bytes of comment: a longer write. */
const PAD = 512 * 1024;
const users = testUsers('race');
const racer = `cvg-racer-${process.pid % 100000}`;
let sshd: Sshd;
let base: string;

// The racer: polls the directory and swaps every temp file of converge's
// (.keysN.converge-XXXXXXXXXXXX.tmp) and every new directory dirN for a
// symlink to $target, once each. Prints how many of each it swapped.
const RACER = String.raw`
my ($home, $target, $stop, $secs) = @ARGV;
my $end = time + $secs; my ($files, $dirs) = (0, 0); my %done;
while (time < $end && ! -e $stop) {
  opendir(my $dh, $home) or die "opendir: $!"; my @names = readdir($dh); closedir($dh);
  for my $n (@names) {
    next if $done{$n} || -l "$home/$n";
    if ($n =~ /^\.keys\d+\.converge-[0-9a-f]{12}\.tmp$/) {
      if (rename("$home/$n", "$home/stolen-$n")) { symlink($target, "$home/$n"); $done{$n} = 1; $files++; }
    } elsif ($n =~ /^dir\d+$/) {
      if (rename("$home/$n", "$home/moved-$n")) { symlink($target, "$home/$n"); $done{$n} = 1; $dirs++; }
    }
  }
}
print "$files $dirs\n";
`;

async function must(argv: string[]): Promise<string> {
  const r = await runLocal(argv);
  if (r.rc !== 0) throw new Error(`${argv.join(' ')}: ${r.rc} ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  sshd = await startSshd();
  await createUsers(users);
  await runLocal(['userdel', '-r', '-f', racer]);
  await must(['useradd', '-M', '-s', '/usr/sbin/nologin', racer]);
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cvg-race-'));
  fs.chmodSync(base, 0o755);
});

after(async () => {
  await sshd?.stop();
  await removeUsers(users);
  await runLocal(['userdel', '-f', racer]);
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

/**
 * One run of 50 copies and 50 directories against the host `hostVars` describes, raced.
 * `image`: a chroot host; the user's directory is inside that tree and the playbook names it as the image sees it.
 * `parentVars`: the host `parent` the chroot host is reached through (ansible_chroot_via).
 * `copies`: how many copies (the directories are always TRIES); `pad`: bytes of comment added to each.
 */
async function race(t: { diagnostic(m: string): void }, label: string, hostVars: string, image?: string, parentVars?: string, copies = TRIES, pad = 0): Promise<void> {
  const root = path.join(base, label);
  fs.mkdirSync(root, { mode: 0o755 });
  // The stand-in for /etc/shadow: root's, 0600, in a directory only root may change.
  const secret = path.join(root, 'secret');
  fs.mkdirSync(secret, { mode: 0o755 });
  const shadow = path.join(secret, 'shadow');
  fs.writeFileSync(shadow, 'root:only\n', { mode: 0o600 });
  const victims = [shadow];
  if (image) {
    // In the image the link's target names the image's own file at that path: a root file too.
    const inImage = path.join(image, shadow);
    fs.mkdirSync(path.dirname(inImage), { recursive: true, mode: 0o755 });
    fs.writeFileSync(inImage, 'root:only\n', { mode: 0o600 });
    victims.push(inImage);
  }
  const home = image ? path.join(image, 'home', racer) : path.join(root, 'home');
  const seen = image ? `/home/${racer}` : home;
  fs.mkdirSync(home, { recursive: true, mode: 0o755 });
  const uid = Number((await must(['id', '-u', racer])).trim());
  const gid = Number((await must(['id', '-g', racer])).trim());
  fs.chownSync(home, uid, gid);
  if (image) {
    // The image's own accounts: owner names resolve in the tree.
    fs.mkdirSync(path.join(image, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(image, 'etc/passwd'), `root:x:0:0:root:/root:/bin/sh\n${racer}:x:${uid}:${gid}::/home/${racer}:/usr/sbin/nologin\n`);
    fs.writeFileSync(path.join(image, 'etc/group'), `root:x:0:\n${racer}:x:${gid}:\n`);
  }
  const stop = path.join(root, 'stop');

  fs.writeFileSync(path.join(root, 'pb.yaml'), `
- hosts: s1
  gather_facts: false
  tasks:
    - copy: { content: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEz race-{{ item }}\\n${pad ? `# {{ 'x' * ${pad} }}\\n` : ''}", dest: "${seen}/keys{{ item }}", owner: ${racer}, mode: "0600" }
      loop: "{{ range(${copies}) | list }}"
      ignore_errors: true
    - file: { path: "${seen}/dir{{ item }}", state: directory, mode: "0777", owner: ${racer} }
      loop: "{{ range(${TRIES}) | list }}"
      ignore_errors: true
`);
  fs.writeFileSync(path.join(root, 'inv.yaml'), `all:\n  hosts:\n    s1: { ${hostVars} }\n` + (parentVars ? `    parent: { ${parentVars} }\n` : ''));

  const race = spawn('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', 'perl', '-e', RACER, home, shadow, stop, '600'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let raced = '';
  race.stdout!.on('data', (d: Buffer) => { raced += d.toString(); });
  race.stderr!.on('data', (d: Buffer) => { raced += d.toString(); });
  const racerDone = new Promise((r) => race.once('close', r));
  const started = Date.now();
  let r;
  try {
    r = await runCli([path.join(root, 'pb.yaml'), '-i', path.join(root, 'inv.yaml'), '--known-hosts-file', sshd.knownHosts,
      '--json', '--state-dir', path.join(root, 'state')]);
  } finally {
    fs.writeFileSync(stop, '');
    await racerDone;
  }
  const [files, dirs] = raced.trim().split(' ').map(Number);
  assert.ok(Number.isInteger(files) && Number.isInteger(dirs), `racer output: ${raced}`);
  const json = JSON.parse(r.stdout);
  const tasks: Array<{ status: string; message?: string; item?: string }> = json.hosts.s1.tasks;
  const failed = tasks.filter((t) => t.status === 'failed');
  t.diagnostic(`${label}: racer swapped ${files} temp files and ${dirs} new directories; ${failed.length} of ${tasks.length} tasks failed; root file unchanged, 0 temp files; ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // The attack must have had its chance, or this test proves nothing.
  assert.ok(files + dirs > 0, `the racer never swapped anything: ${raced}`);
  assert.equal(tasks.length, copies + TRIES, r.stdout.slice(0, 2000) + r.stderr);
  // Issue 16 asks for 50 attacks of each kind that landed.
  assert.ok(files >= 50 && dirs >= 50, `only ${files} temp files and ${dirs} directories swapped: the race was not exercised 50 times each`);

  // Root's file is untouched: owner, mode, content.
  for (const v of victims) {
    const st = fs.statSync(v);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [0, 0, 0o600], `the stand-in for /etc/shadow (${v}) changed owner or mode`);
    assert.equal(fs.readFileSync(v, 'utf8'), 'root:only\n', `the stand-in for /etc/shadow (${v}) was written to`);
  }

  // Every copy that reports success put the racer's key file in place; a failed one says why.
  for (let i = 0; i < copies; i++) {
    const t = tasks[i];
    if (t.status === 'failed') {
      // Over sudo the write is checked after its rename; locally the rename of a temp file the user moved away fails.
      assert.match(t.message ?? '', /replaced while|not converged|no such file|not the file just created|symbolic link|ELOOP/i, JSON.stringify(t));
      continue;
    }
    const k = fs.lstatSync(path.join(home, `keys${i}`));
    assert.ok(k.isFile() && k.uid === uid && (k.mode & 0o7777) === 0o600, `keys${i}: ${JSON.stringify(t)}`);
  }
  // No temp file of converge's is left: only the racer's own renames and links remain.
  // A link at a temp file's name is the racer's own, made after converge had given up on that name
  // (the racer's rename away and its symlink are two steps, and converge's rename can fall between them).
  const left = fs.readdirSync(home).filter((n) => /^\.keys\d+\.converge-[0-9a-f]{12}\.tmp$/.test(n))
    .filter((n) => { const st = fs.lstatSync(path.join(home, n)); return !(st.isSymbolicLink() && st.uid === uid); });
  assert.deepEqual(left, [], 'temp files left behind');
}

const overSsh = (login: string) => `ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, ansible_ssh_private_key_file: ${sshd.clientKey}, ${login}`;

it(`a user swapping temp files and new directories for symlinks never redirects a root write, chown or chmod (at least ${TRIES} of each, SSH with sudo)`, async (t) => {
  // 90 copies: with a look in the privileged shell itself the run is quicker and the polling
  // racer lost 1 of 50 temp files twice in a row on a loaded machine; at least 50 swaps must land.
  await race(t, 'sudo', overSsh(`ansible_user: ${users.nopw}, ansible_become: true`), undefined, undefined, MORE_TRIES);
});

it('... nor over SSH as root (SFTP)', async (t) => {
  await race(t, 'root', overSsh('ansible_user: root'), undefined, undefined, MORE_TRIES);
});

it('... nor locally', async (t) => {
  await race(t, 'local', 'ansible_connection: local', undefined, undefined, LOCAL_TRIES);
});

it('... nor in a chroot tree (the user owns a directory inside the image)', async (t) => {
  const image = path.join(base, 'image');
  await race(t, 'chroot', `ansible_connection: chroot, ansible_chroot_path: ${image}`, image, undefined, LOCAL_TRIES, PAD);
});

it('... nor in a chroot tree reached through SSH with sudo (ansible_chroot_via)', async (t) => {
  const image = path.join(base, 'image-via');
  // 90 copies as over sudo: with 50 the racer landed exactly 50 (no margin) in a CI run.
  await race(t, 'chroot-via-sudo', `ansible_connection: chroot, ansible_host: ${image}, ansible_chroot_via: parent`, image,
    overSsh(`ansible_user: ${users.nopw}, ansible_become: true`), MORE_TRIES);
});
