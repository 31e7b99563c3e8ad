// Reading a playbook's YAML files ahead of loading it, one file at a time
// with a pause between them: loading is synchronous work, and a run that has
// SSH connections starting (src/cli/early-connect.ts) must let their
// handshakes take a step now and then. Parsed documents are kept by
// parseYaml, so loadPlaybook then finds them parsed; this walk only guesses
// which files will be read (static import_tasks/include_tasks, vars_files,
// import_playbook), and a wrong guess costs a parse, never a result.

import * as path from 'node:path';
import { loadYamlFile } from './yaml-source.js';

type Kind = 'playbook' | 'tasks' | 'vars';

const TASK_FILE_KEYS = ['import_tasks', 'include_tasks', 'ansible.builtin.import_tasks', 'ansible.builtin.include_tasks'];
const TASK_LISTS = ['tasks', 'pre_tasks', 'post_tasks', 'handlers'];
const BLOCK_LISTS = ['block', 'rescue', 'always'];
const PLAYBOOK_KEYS = ['import_playbook', 'ansible.builtin.import_playbook'];
/** A playbook naming more files than this is not read ahead beyond them. */
const MAX_FILES = 100;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const staticName = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && !v.includes('{{') ? v : undefined);

export async function preloadPlaybookFiles(playbookFile: string, pause: () => Promise<void>): Promise<void> {
  const top = path.resolve(playbookFile);
  const playbookDir = path.dirname(top);
  const queue: Array<{ file: string; kind: Kind }> = [{ file: top, kind: 'playbook' }];
  const seen = new Set<string>();
  const tasksIn = (list: unknown, dir: string) => {
    if (!Array.isArray(list)) return;
    for (const t of list) {
      if (!isObject(t)) continue;
      for (const k of TASK_FILE_KEYS) {
        const v = t[k];
        const name = staticName(isObject(v) ? v.file : v);
        if (name) queue.push({ file: path.resolve(dir, name), kind: 'tasks' });
      }
      for (const k of BLOCK_LISTS) tasksIn(t[k], dir);
    }
  };
  while (queue.length && seen.size < MAX_FILES) {
    const { file, kind } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let value: unknown;
    try {
      value = loadYamlFile(file, kind).value;
    } catch {
      continue; // reported, if it matters, when the playbook is loaded
    }
    if (kind === 'tasks') tasksIn(value, path.dirname(file));
    if (kind === 'playbook' && Array.isArray(value)) {
      for (const play of value) {
        if (!isObject(play)) continue;
        for (const k of PLAYBOOK_KEYS) {
          const name = staticName(play[k]);
          if (name) queue.push({ file: path.resolve(path.dirname(file), name), kind: 'playbook' });
        }
        if (Array.isArray(play.vars_files)) {
          for (const v of play.vars_files) {
            const name = staticName(v);
            if (name) queue.push({ file: path.resolve(playbookDir, name), kind: 'vars' });
          }
        }
        for (const k of TASK_LISTS) tasksIn(play[k], path.dirname(file));
      }
    }
    await pause();
  }
}
