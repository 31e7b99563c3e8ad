// Errors about the user's files. Each names the file, line and column and
// says what was expected; the CLI maps them to exit code 4 in one place.

export interface SourcePos { file: string; line?: number; col?: number }

export class ConfigError extends Error {
  constructor(message: string, public readonly pos?: SourcePos) {
    super(message);
    this.name = 'ConfigError';
  }

  /** "file:line:col: message" */
  get located(): string {
    return `${formatPos(this.pos)}${this.message}`;
  }
}

/** Several problems found in one pass: all are reported, not only the first. */
export class ConfigErrors extends Error {
  constructor(public readonly errors: ConfigError[]) {
    super(errors.map((e) => e.located).join('\n'));
    this.name = 'ConfigErrors';
  }
}

export function formatPos(pos?: SourcePos): string {
  if (!pos) return '';
  return `${pos.file}${pos.line ? `:${pos.line}` : ''}${pos.line && pos.col ? `:${pos.col}` : ''}: `;
}

/** Bad command-line options: exit code 5. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
