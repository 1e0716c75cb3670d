// One sweep worker thread: loads the scenario once, then runs the chunks of
// seeds its parent sends and posts back each run's outcome as it ends, then
// `done` (see pool.ts). Under a watchdog it records which program runs
// (watchdog.ts), so that a run stuck in a script's loop can be abandoned
// with every outcome before it kept.
import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../cli.ts';
import type { RunSpec } from './run-flags.ts';
import { runSeeds } from './sweep.ts';
import { watchThisThread } from './watchdog.ts';

const { file, spec, watch } = workerData as { file: string; spec: RunSpec; watch?: SharedArrayBuffer };
const port = parentPort!;
if (watch) watchThisThread(watch);
try {
  const sc = await loadScenario(file);
  port.on('message', (m: { from: number; count: number }) => {
    for (let s = m.from; s < m.from + m.count; s++) port.postMessage({ outcome: runSeeds(sc, spec, s, 1)[0] });
    port.postMessage({ done: true });
  });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
