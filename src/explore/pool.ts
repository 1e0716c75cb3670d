// Worker threads for sweeps: the host-side half of `--workers`. Each worker
// registers tsx (so it loads the TypeScript sources and the user's scenario
// file the way bin/unixsim.mjs does), loads the scenario once and runs
// chunks of seeds. Which worker finishes first changes nothing: collect()
// stores outcomes by seed.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunSpec } from './run-flags.ts';
import type { ChunkRunner, RunOutcome } from './sweep.ts';

const WORKER_MODULE = new URL(import.meta.url.endsWith('.ts') ? './sweep-worker.ts' : './sweep-worker.js', import.meta.url).href;

function bootCode(): string {
  // tsx's ESM entry (its CommonJS one cannot register from an eval'd worker).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_MODULE)}); });`;
}

interface Reply {
  ready?: boolean;
  error?: string;
  outcomes?: RunOutcome[];
}

class SweepWorker {
  private readonly worker: Worker;
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  readonly ready: Promise<Reply>;

  constructor(file: string, spec: RunSpec) {
    this.worker = new Worker(bootCode(), { eval: true, workerData: { file, spec } });
    this.worker.on('message', (r: Reply) => this.settle((w) => w.resolve(r)));
    this.worker.on('error', (e: Error) => this.settle((w) => w.reject(e)));
    this.worker.on('exit', (code) => this.settle((w) => w.reject(new Error(`sweep worker exited with ${code}`))));
    this.ready = this.next();
  }

  private settle(f: (w: { resolve: (r: Reply) => void; reject: (e: Error) => void }) => void): void {
    const w = this.waiting;
    this.waiting = null;
    if (w) f(w);
  }

  private next(): Promise<Reply> {
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  async run(from: number, count: number): Promise<RunOutcome[]> {
    const reply = this.next();
    this.worker.postMessage({ from, count });
    const r = await reply;
    if (r.error) throw new Error(r.error);
    return r.outcomes!;
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Starts `n` workers for the scenario, hands their chunk runners to `use`, and stops them afterwards. */
export async function withWorkers<T>(file: string, spec: RunSpec, n: number, use: (runners: ChunkRunner[]) => Promise<T>): Promise<T> {
  const workers = Array.from({ length: n }, () => new SweepWorker(file, spec));
  try {
    for (const w of workers) {
      const r = await w.ready;
      if (r.error) throw new Error(r.error);
    }
    return await use(workers.map((w) => (from: number, count: number) => w.run(from, count)));
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}
