// One sweep worker thread (it loads only what runs need, not the CLI): loads the scenario once, then runs the chunks of
// seeds its parent sends and posts back each run's outcome as it ends, then
// `done` (see pool.ts). Under a watchdog it records which program runs
// (watchdog.ts), so that a run stuck in a script's loop can be abandoned
// with every outcome before it kept.
import { parentPort, workerData } from 'node:worker_threads';
import { loadScenarioFile } from '../script/loader.ts';
import type { RunSpec } from './run-flags.ts';
import { runSeeds, type StuckSeed } from './sweep.ts';
import { watchThisThread } from './watchdog.ts';

const { file, spec, stuck, watch } = workerData as { file: string; spec: RunSpec; stuck: StuckSeed[]; watch?: SharedArrayBuffer };
const port = parentPort!;
if (watch) watchThisThread(watch);
try {
  const sc = await loadScenarioFile(file);
  port.on('message', (m: { from: number; count: number }) => {
    for (let s = m.from; s < m.from + m.count; s++) port.postMessage({ outcome: runSeeds(sc, spec, s, 1, stuck)[0] });
    port.postMessage({ done: true });
  });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
