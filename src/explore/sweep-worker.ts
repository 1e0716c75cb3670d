// One sweep worker thread: loads the scenario once, then runs the chunks of
// seeds its parent sends and posts back their outcomes (see pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../cli/scenario-commands.ts';
import type { RunSpec } from './run-flags.ts';
import { runSeeds } from './sweep.ts';

const { file, spec } = workerData as { file: string; spec: RunSpec };
const port = parentPort!;
try {
  const sc = await loadScenario(file);
  port.on('message', (m: { from: number; count: number }) => {
    port.postMessage({ outcomes: runSeeds(sc, spec, m.from, m.count) });
  });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
