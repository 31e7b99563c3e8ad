// The attacker of the race tests: run as an unprivileged user (setpriv) in a
// directory that user owns, while root's converge works there. It loops with
// synchronous calls (as fast as a process can) until it is killed or its time
// is up, and prints one line per swap it made, so the test can count the
// attacks that landed in converge's window.
//
//   racer.js swap DIR VICTIM NAME...    NAME appears as a file or directory: rename it away, link NAME -> VICTIM
//   racer.js swap-tree VICTIM DIR...     a DIR's mtime changes (a removal is under way): link it -> VICTIM, once
//   racer.js temps DIR PREFIX VICTIM    a DIR entry starts with PREFIX: read it (print what was read); two of every three: link it -> VICTIM
//   racer.js ps HEX                     print the command line of any process that shows the secret HEX encodes
//                                       (encoded, so that the racer's own command line does not show it)
//
// The last argument before the mode-specific ones is always the time limit in ms: racer.js MS MODE ...

import * as fs from 'node:fs';
import * as path from 'node:path';

const [ms, mode, ...args] = process.argv.slice(2);
const deadline = Date.now() + Number(ms);
let n = 0;
const say = (s: string) => process.stdout.write(s + '\n');

function lstat(p: string): fs.Stats | null {
  try { return fs.lstatSync(p); } catch { return null; }
}

/** Renames `p` out of the way (to a name the test ignores) and puts a link to `victim` in its place. */
function swap(dir: string, p: string, victim: string): boolean {
  try {
    fs.renameSync(p, path.join(dir, `.gone-${process.pid}-${n++}`));
  } catch { return false; }
  try { fs.symlinkSync(victim, p); } catch { return false; }
  return true;
}

if (mode === 'swap') {
  const [dir, victim, ...names] = args;
  const paths = names.map((x) => path.join(dir, x));
  while (Date.now() < deadline) {
    for (let i = 0; i < 2000; i++) {
      for (const p of paths) {
        const st = lstat(p);
        if (st && !st.isSymbolicLink() && swap(dir, p, victim)) say(`swap ${p}`);
      }
    }
  }
} else if (mode === 'swap-tree') {
  const [victim, ...dirs] = args;
  // A removed entry changes the directory's mtime: one lstat per directory and pass, so that a pass
  // is short next to a removal of its entries (reading each directory every pass missed fast ones).
  const full = new Map(dirs.map((p) => [p, fs.lstatSync(p).mtimeMs]));
  // Once every directory had its turn, stop spinning: the CPU is converge's.
  while (Date.now() < deadline && full.size > 0) {
    for (const [p, mtime] of full) {
      const st = lstat(p);
      if (!st) { full.delete(p); continue; } // removed before the attacker saw it change
      if (st.isSymbolicLink() || st.mtimeMs === mtime) continue;
      if (swap(path.dirname(p), p, victim)) {
        let left = -1;
        try { left = fs.readdirSync(path.join(path.dirname(p), `.gone-${process.pid}-${n - 1}`)).length; } catch { /* removed meanwhile */ }
        say(`swap ${p} with ${left} entries left`);
      }
      full.delete(p);
    }
  }
} else if (mode === 'temps') {
  const [dir, prefix, victim] = args;
  const buf = Buffer.alloc(65536);
  const order = new Map<string, number>();
  const denied = new Set<string>();
  while (Date.now() < deadline) {
    let names: string[];
    try { names = fs.readdirSync(dir); } catch { continue; }
    for (const x of names) {
      if (!x.startsWith(prefix)) continue;
      const p = path.join(dir, x);
      const st = lstat(p);
      if (!st || st.isSymbolicLink()) continue;
      try {
        const fd = fs.openSync(p, 'r');
        const got = fs.readSync(fd, buf, 0, buf.length, 0);
        fs.closeSync(fd);
        say(`read ${x} ${JSON.stringify(buf.subarray(0, got).toString('latin1'))}`);
      } catch (e) {
        // Once per name: thousands of lines would fill the pipe, and what a killed racer still had queued is lost.
        if (!denied.has(x)) { denied.add(x); say(`denied ${x} ${(e as NodeJS.ErrnoException).code}`); }
      }
      // Every third temp file is left alone, so that downloads that complete under a reading attacker are checked too.
      if (!order.has(x)) order.set(x, order.size);
      if (order.get(x)! % 3 !== 2 && swap(dir, p, victim)) say(`swap ${p}`);
    }
  }
} else if (mode === 'ps') {
  const secret = Buffer.from(args[0], 'hex').toString('latin1');
  while (Date.now() < deadline) {
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let cmd: string;
      try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1'); } catch { continue; }
      if (cmd.includes(secret)) say(`seen ${pid} ${JSON.stringify(cmd.split('\0').join(' '))}`);
    }
  }
} else {
  process.stderr.write(`racer: unknown mode ${mode}\n`);
  process.exit(2);
}
