// A module's run on a real host, recorded command by command (argv, whether
// it only looked, rc, stdout, stderr), replayed as a scripted host's
// observations: what only looks answers as `commands`, what changes as
// `effects`, each in the order it was asked. Long fixed scripts are stored once
// under a name and appear in the logged argv as $NAME.

import { readFileSync } from 'node:fs';
import type { Observations, ScriptedResult } from './scripted-host.js';

interface Logged { argv: string[]; observeOnly: boolean; rc: number; stdout: string; stderr: string }
interface Recording { scripts: Record<string, string>; rows: Record<string, Logged[]> }

/** The rows of test/unit/recorded/<file>.json. */
export function loadRecording(file: string): (row: string) => Observations {
  const rec = JSON.parse(readFileSync(new URL(`../../../test/unit/recorded/${file}`, import.meta.url), 'utf8')) as Recording;
  return (row) => {
    const log = rec.rows[row];
    if (!log) throw new Error(`no recorded run ${row} in ${file}`);
    const commands: Record<string, ScriptedResult[]> = {};
    const effects: Record<string, ScriptedResult[]> = {};
    for (const l of log) {
      const argv = l.argv.map((a) => (a.startsWith('$') && a.slice(1) in rec.scripts ? rec.scripts[a.slice(1)] : a));
      ((l.observeOnly ? commands : effects)[argv.join(' ')] ??= []).push({ rc: l.rc, stdout: l.stdout, stderr: l.stderr });
    }
    return { commands, effects };
  };
}
