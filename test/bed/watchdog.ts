// Tears down a process's bed hosts when that process dies without doing it
// itself (SIGKILL, a crashed test runner): started detached by the first
// upHost of a process, polls the owner's PID, then runs the same teardown as
// `down` for every host whose state names that owner.
//   node dist/test/bed/watchdog.js OWNER_PID

import { downHostSync } from './teardown.js';
import { pidAlive, sleep } from './proc.js';
import { listStates } from './state.js';

const owner = Number(process.argv[2]);
if (!owner) process.exit(2);
while (pidAlive(owner)) await sleep(1000);
for (const s of listStates()) {
  if (s.ownerPid === owner) {
    try {
      downHostSync(s.name);
    } catch { /* next host */ }
  }
}
