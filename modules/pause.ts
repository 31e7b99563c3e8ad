// pause: waits a number of seconds or minutes on the controller, and
// returns what Ansible's pause returns (start, stop, delta, stdout). converge
// runs unattended, so a pause that would wait for a key press is refused when
// the playbook is checked; a prompt is shown along with a timed pause.

import type { ModuleDefinition } from '../src/engine/module.js';

export interface PauseParams { seconds?: number; minutes?: number; prompt?: string; echo: boolean }

/** Python's str() of a float rounded to 2 places: 1.0, 0.02, 61.5. */
function pyFloat(n: number): string {
  const r = Math.round(n * 100) / 100;
  return Number.isInteger(r) ? r.toFixed(1) : String(r);
}

/** Python's str(datetime.now()): 2026-12-04 00:31:05.123456 (local time). */
function pyNow(d = new Date()): string {
  const z = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())} ${z(d.getHours())}:${z(d.getMinutes())}:${z(d.getSeconds())}.${z(d.getMilliseconds(), 3)}000`;
}

export const pauseModule: ModuleDefinition<PauseParams> = {
  name: 'pause',
  description:
    'Waits seconds or minutes (at least 1 second) before the next task, in --check too, and returns start, stop, delta and stdout ' +
    '("Paused for 5.0 seconds") like Ansible. A prompt is printed with the timed pause; a pause that waits for a key press is refused (converge runs unattended).',
  controllerOnly: true,
  schema: {
    properties: {
      seconds: { type: 'integer', minimum: 0, description: 'Seconds to wait.' },
      minutes: { type: 'integer', minimum: 0, description: 'Minutes to wait.' },
      prompt: { type: 'string', description: 'Text shown while waiting.' },
      echo: { type: 'boolean', default: true, description: 'Accepted for compatibility: there is no input to echo.' },
    },
    anyOf: [{ required: ['seconds'] }, { required: ['minutes'] }],
    not: { required: ['seconds', 'minutes'] },
  },
  async plan(p, ctx) {
    const minutes = p.minutes !== undefined;
    const seconds = Math.max(1, minutes ? p.minutes! * 60 : p.seconds!);
    if (p.prompt) ctx.progress(p.prompt);
    const start = Date.now();
    const startText = pyNow();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const took = (Date.now() - start) / 1000;
    return {
      changes: [],
      result: {
        rc: 0, stderr: '', start: startText, stop: pyNow(), delta: Math.floor(took), echo: p.echo, user_input: '',
        stdout: `Paused for ${pyFloat(minutes ? took / 60 : took)} ${minutes ? 'minutes' : 'seconds'}`,
      },
    };
  },
  async apply() {
    return {};
  },
};
