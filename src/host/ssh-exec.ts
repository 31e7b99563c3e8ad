// One command on one SSH exec channel, optionally behind sudo. Output is
// collected as bytes (readFile through sudo needs them raw).
//
// sudo with a password: the password is written to stdin only after sudo's
// unique prompt appears on stderr (so it never reaches a command that did not
// ask for it), the command's own stdin only after the start marker (so sudo
// never reads it as a password attempt). A second prompt or "Sorry, try again"
// means a wrong password: the channel is closed at once, nothing hangs.

import type { Client, ClientChannel } from 'ssh2';
import { isContentStream, type ContentStream } from './content-stream.js';
import type { BecomeSpec } from './ssh-command.js';

export interface ExecRequest {
  command: string;
  /** A ContentStream is sent as it is read; if it fails, the channel is closed without an end of input. */
  stdin?: Buffer | string | ContentStream;
  timeoutMs?: number;
  /** Set when the command line was built with sudoWrap. */
  sudo?: { spec: BecomeSpec; marker: string; prompt: string; stageTimeoutMs: number };
}

export interface ExecOutcome {
  rc: number;
  stdout: Buffer;
  stderr: Buffer;
  /** sudo refused to run the command; the reason in one line. */
  sudoFailure?: string;
  /** The channel closed without an exit status (connection trouble). */
  noExitStatus?: boolean;
}

export function sudoReason(text: string, prompt: string, hadPassword: boolean): string {
  const prompts = text.split(prompt).length - 1;
  if (/incorrect password|Sorry, try again/i.test(text) || prompts > 1) return 'incorrect sudo password (ansible_become_password)';
  if (/a password is required/i.test(text)) return 'sudo needs a password: set ansible_become_password';
  if (/no password was provided/i.test(text)) return hadPassword ? 'incorrect sudo password (ansible_become_password)' : 'sudo needs a password: set ansible_become_password';
  const line = text.split('\n').map((l) => l.split(prompt).join('').trim()).filter(Boolean)
    .find((l) => l.startsWith('sudo:')) ?? text.split(prompt).join('').trim().split('\n')[0];
  return line ? `sudo failed: ${line}` : 'sudo failed without a message';
}

export function execOnClient(client: Client, req: ExecRequest): Promise<ExecOutcome> {
  return new Promise((resolve, reject) => {
    const onChannel = (err: Error | undefined, ch: ClientChannel) => {
      if (err) return reject(err);
      const out: Buffer[] = [];
      const errChunks: Buffer[] = [];
      let exitCode: number | undefined;
      let exitSignal: string | undefined;
      let timedOut = false;
      let sudoFailure: string | undefined;
      const timers: NodeJS.Timeout[] = [];
      const sudo = req.sudo;
      // Before the marker, stderr belongs to sudo.
      let sudoText = '';
      let started = !sudo;
      let passwordSent = false;

      let finish: (() => void) | undefined;
      let closed = false;
      const sendStdin = () => {
        const input = req.stdin;
        if (!isContentStream(input)) {
          if (input !== undefined && input.length) ch.write(input);
          ch.end();
          return;
        }
        void (async () => {
          for await (const chunk of input.chunks()) {
            if (closed) return;
            if (!ch.write(chunk)) {
              await new Promise<void>((resolve) => {
                const done = () => { ch.off('drain', done); ch.off('close', done); resolve(); };
                ch.on('drain', done);
                ch.on('close', done);
              });
            }
          }
          ch.end();
        })().catch(() => kill());
      };
      const kill = () => {
        // ssh2's Channel.signal() refuses once our side sent EOF (stdin ended), which is
        // always the case here: send the request through the protocol object directly.
        const c = ch as unknown as { outgoing?: { id: number; state: string }; _client?: { _protocol?: { signal(id: number, s: string): void } } };
        try {
          if (c.outgoing && ['open', 'eof'].includes(c.outgoing.state)) c._client?._protocol?.signal(c.outgoing.id, 'KILL');
        } catch { /* a server without signal support: closing is all we can do */ }
        ch.close();
        // If the server keeps the channel until the command ends anyway, do not wait for it.
        timers.push(setTimeout(() => finish?.(), 2000));
      };
      if (req.timeoutMs) timers.push(setTimeout(() => { timedOut = true; kill(); }, req.timeoutMs));

      if (!sudo || sudo.spec.password === undefined) {
        // No password conversation: sudo -n never reads stdin.
        sendStdin();
      } else {
        timers.push(setTimeout(() => {
          if (!started) { sudoFailure = `sudo did not start the command within ${sudo.stageTimeoutMs} ms`; kill(); }
        }, sudo.stageTimeoutMs));
      }

      const onSudoText = () => {
        const idx = sudoText.indexOf(sudo!.marker + '\n');
        if (idx >= 0) {
          started = true;
          const rest = sudoText.slice(idx + sudo!.marker.length + 1);
          if (rest) errChunks.push(Buffer.from(rest, 'utf8'));
          if (sudo!.spec.password !== undefined) sendStdin();
          return;
        }
        const prompts = sudoText.split(sudo!.prompt).length - 1;
        if (/Sorry, try again|incorrect password/i.test(sudoText) || prompts > 1) {
          sudoFailure = sudoReason(sudoText, sudo!.prompt, true);
          kill();
          return;
        }
        if (prompts === 1 && !passwordSent && sudo!.spec.password !== undefined) {
          passwordSent = true;
          ch.write(sudo!.spec.password + '\n');
        }
      };

      ch.on('data', (d: Buffer) => out.push(d));
      ch.stderr.on('data', (d: Buffer) => {
        if (started) { errChunks.push(d); return; }
        // Marker and prompts are ASCII; a split multi-byte char before the marker only affects sudo's message.
        sudoText += d.toString('utf8');
        onSudoText();
      });
      ch.on('exit', (code: number | null, signal?: string) => {
        if (typeof code === 'number') exitCode = code;
        else if (signal) exitSignal = signal;
      });
      let done = false;
      finish = () => {
        if (done) return;
        done = true;
        for (const t of timers) clearTimeout(t);
        if (sudo && !started && !sudoFailure) sudoFailure = sudoReason(sudoText, sudo.prompt, sudo.spec.password !== undefined);
        const signals: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, ABRT: 6, KILL: 9, SEGV: 11, PIPE: 13, TERM: 15 };
        const rc = timedOut ? 124
          : exitCode !== undefined ? exitCode
          : exitSignal ? 128 + (signals[exitSignal] ?? 0)
          : 255;
        resolve({
          rc,
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(errChunks),
          sudoFailure,
          noExitStatus: exitCode === undefined && exitSignal === undefined && !timedOut && !sudoFailure,
        });
      };
      ch.on('close', () => { closed = true; finish!(); });
    };
    try {
      client.exec(req.command, onChannel);
    } catch (e) {
      reject(e);
    }
  });
}
