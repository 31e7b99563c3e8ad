// `converge agent`, `converge history`, `converge status`: registered here so
// main.ts stays a list of commands. Filled in by the agent work.

import type { Command } from 'commander';

export function registerAgentCommands(_program: Command, _runOptions: (c: Command) => Command, _setCode: (code: number) => void): void {
  // The agent commands are added in src/agent/.
}
