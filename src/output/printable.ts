// Text from a managed host (file content in diffs, command output, debug
// messages) is data: an escape sequence in it must not move the cursor, retitle
// the terminal or hide lines from the person reading the run. Control
// characters other than tab and line feed are shown as \xNN (C0, DEL, C1) or
// \uNNNN (bidirectional overrides) instead of being sent to the terminal.

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** The text with every control character but \t and \n made visible. */
export function printable(text: string): string {
  return text.replace(CONTROL, escape);
}

/** One line: line feeds made visible too (a task name, a host's message in a single-line record). */
export function printableLine(text: string): string {
  return printable(text).replace(/\n/g, '\\n');
}

/** JSON for a terminal or a log: JSON.stringify escapes C0 controls, this adds DEL, C1 and bidi overrides. */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
