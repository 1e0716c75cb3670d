// Worker threads for sweeps: the host-side half of `--workers`. Each worker
// (from source) registers tsx, so it loads the TypeScript sources and the
// user's scenario file the way bin/unixsim.mjs does, loads the scenario once
// and runs chunks of seeds. Which worker finishes first changes nothing: collect()
// stores outcomes by seed.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunSpec } from './run-flags.ts';
import type { Scenario } from '../script/scenario.ts';
import { collect, runSeeds, shardRange, type ChunkRunner, type RunOutcome, type SweepPlan, type SweepProgress } from './sweep.ts';

const WORKER_MODULE = new URL(import.meta.url.endsWith('.ts') ? './sweep-worker.ts' : './sweep-worker.js', import.meta.url).href;

function bootCode(): string {
  // Compiled, the worker is JavaScript and loads scenario files the way the CLI does.
  if (!WORKER_MODULE.endsWith('.ts')) return `import(${JSON.stringify(WORKER_MODULE)});`;
  // From source: tsx first, by its ESM entry (its CommonJS one cannot register from an eval'd worker).
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

export interface WorkerPool {
  runners: ChunkRunner[];
  stop(): Promise<void>;
}

/** Starts `n` workers for the scenario; resolves once every one has loaded it. */
export async function startWorkers(file: string, spec: RunSpec, n: number): Promise<WorkerPool> {
  const workers = Array.from({ length: n }, () => new SweepWorker(file, spec));
  const stop = async () => {
    await Promise.all(workers.map((w) => w.stop()));
  };
  try {
    for (const w of workers) {
      const r = await w.ready;
      if (r.error) throw new Error(r.error);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { runners: workers.map((w) => (from: number, count: number) => w.run(from, count)), stop };
}

/** Starts `n` workers for the scenario, hands their chunk runners to `use`, and stops them afterwards. */
export async function withWorkers<T>(file: string, spec: RunSpec, n: number, use: (runners: ChunkRunner[]) => Promise<T>): Promise<T> {
  const pool = await startWorkers(file, spec, n);
  try {
    return await use(pool.runners);
  } finally {
    await pool.stop();
  }
}

/**
 * Runs chunks in this thread, handing the event loop back between chunks so
 * that worker replies and progress are handled while it works.
 */
export function inThisThread(sc: Scenario, spec: RunSpec): ChunkRunner {
  return (from, count) => new Promise((resolve) => setImmediate(() => resolve(runSeeds(sc, spec, from, count))));
}

/** A sweep's own thread adds workers only when it has more than this many seconds of work left (they take about one to start). */
const WORKERS_AFTER_SECS = 3;
/** ...judged only after this long: the first runs are slow while the host's JIT warms up, and would overstate what is left. */
const JUDGE_AFTER_SECS = 0.5;

export interface PlanThreads {
  /** worker threads as asked (--workers); undefined: decide from the cores and the sweep's length */
  workers?: number;
  cores: number;
  /** the host clock, in seconds (the decision is the only thing it changes, never the result) */
  seconds: () => number;
  onProgress?: (p: SweepProgress) => void;
}

/**
 * Runs a plan's seeds on threads. With `workers` given: this thread alone
 * for 1, else that many workers. Without: this thread starts alone and adds
 * cores - 1 workers once the seeds left would keep it busy for more than
 * WORKERS_AFTER_SECS, so short sweeps do not pay for starting workers. The
 * outcomes are the same whichever threads ran them.
 */
export async function runPlan(sc: Scenario, plan: SweepPlan, t: PlanThreads): Promise<{ outcomes: RunOutcome[]; stopped: boolean; threads: string }> {
  const mine = shardRange(plan.from, plan.count, plan.shard).count;
  if (t.workers !== undefined) {
    const w = Math.min(t.workers, mine);
    if (w === 1) return { ...(await collect(plan, [inThisThread(sc, plan.spec)], t.onProgress)), threads: 'this thread' };
    return { ...(await withWorkers(plan.file, plan.spec, w, (rs) => collect(plan, rs, t.onProgress))), threads: `${w} worker threads` };
  }
  const extra = t.cores - 1;
  const t0 = t.seconds();
  let pool: Promise<WorkerPool> | null = null;
  let arrive!: (rs: readonly ChunkRunner[]) => void;
  const later = new Promise<readonly ChunkRunner[]>((res) => (arrive = res));
  const onProgress = (p: SweepProgress) => {
    t.onProgress?.(p);
    const elapsed = t.seconds() - t0;
    if (pool || extra < 1 || p.done === 0 || elapsed < JUDGE_AFTER_SECS) return;
    if (((p.total - p.done) / p.done) * elapsed < WORKERS_AFTER_SECS) return;
    pool = startWorkers(plan.file, plan.spec, extra);
    pool.then((w) => arrive(w.runners), () => arrive([]));
  };
  try {
    const r = await collect(plan, [inThisThread(sc, plan.spec)], onProgress, later);
    return { ...r, threads: pool ? `this thread + ${extra} worker thread${extra === 1 ? '' : 's'}` : 'this thread' };
  } finally {
    const started = pool as Promise<WorkerPool> | null;
    if (started) await (await started.catch(() => null))?.stop();
  }
}
