// Worker threads for sweeps: the host-side half of `--workers`. Each worker
// (from source) registers tsx, so it loads the TypeScript sources and the
// user's scenario file the way bin/unixsim.mjs does, loads the scenario once
// and runs chunks of seeds. Which worker finishes first changes nothing: collect()
// stores outcomes by seed. Each worker has a watchdog (watchdog.ts): a run
// whose script loops without a system call is abandoned and reported as
// that seed's failure ("stuck"), and a new worker takes the rest.
import { Worker } from 'node:worker_threads';
import { workerBootCode } from '../load.ts';
import type { RunSpec } from './run-flags.ts';
import { watchBuffer, watchdogSeconds, watchWorker, type Stuck } from './watchdog.ts';
import type { Scenario } from '../script/scenario.ts';
import { collect, runSeeds, shardRange, stuckOutcome, type ChunkRunner, type RunOutcome, type StuckSeed, type SweepPlan, type SweepProgress } from './sweep.ts';

const WORKER_MODULE = new URL(import.meta.url.endsWith('.ts') ? './sweep-worker.ts' : './sweep-worker.js', import.meta.url).href;

interface Reply {
  ready?: boolean;
  error?: string;
  /** one run's outcome, posted as the run ends */
  outcome?: RunOutcome;
  /** the chunk is finished */
  done?: boolean;
}

class SweepWorker {
  private readonly worker: Worker;
  private readonly watch = watchBuffer();
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  readonly ready: Promise<Reply>;
  /** terminated by the watchdog: a new worker takes its place */
  dead = false;

  constructor(file: string, spec: RunSpec, private readonly watchSecs: number, stuck: readonly StuckSeed[]) {
    const workerData = { file, spec, stuck, watch: watchSecs > 0 ? this.watch : undefined };
    this.worker = new Worker(workerBootCode(WORKER_MODULE), { eval: true, workerData });
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

  /**
   * Runs seeds from..from+count-1. When the watchdog finds a run stuck in a
   * script, the worker is terminated and the outcomes end with that run's
   * (stuckOutcome): fewer than `count`, and the worker is dead.
   */
  async run(from: number, count: number): Promise<RunOutcome[]> {
    const out: RunOutcome[] = [];
    let stuck = null as Stuck | null; // set by the watchdog's callback
    const dog = this.watchSecs > 0 ? watchWorker(this.watch, this.watchSecs, (s) => {
      stuck = s;
      this.dead = true;
      this.settle((w) => w.resolve({ done: true }));
      void this.worker.terminate();
    }) : null;
    try {
      let reply = this.next();
      this.worker.postMessage({ from, count });
      for (;;) {
        const r = await reply;
        if (r.error) throw new Error(r.error);
        if (r.done) break;
        reply = this.next();
        out.push(r.outcome!);
      }
    } finally {
      dog?.stop();
    }
    if (stuck) out.push(stuckOutcome({ seed: from + out.length, name: stuck.name, secs: stuck.secs }));
    return out;
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

export interface WorkerPool {
  runners: ChunkRunner[];
  stop(): Promise<void>;
}

/** Starts a worker and waits until it has loaded the scenario. */
async function startWorker(file: string, spec: RunSpec, watchSecs: number, stuck: readonly StuckSeed[]): Promise<SweepWorker> {
  const w = new SweepWorker(file, spec, watchSecs, stuck);
  const r = await w.ready.catch(async (e: Error) => {
    await w.stop();
    throw e;
  });
  if (r.error) {
    await w.stop();
    throw new Error(r.error);
  }
  return w;
}

/**
 * Starts `n` workers for the scenario; resolves once every one has loaded it.
 * A worker the watchdog (after `watchSecs` seconds of a script without a
 * system call; 0: none) terminated is replaced for the rest of its chunk.
 * Seeds in `stuck` are reported without running them.
 */
export async function startWorkers(file: string, spec: RunSpec, n: number, watchSecs = watchdogSeconds(), stuck: readonly StuckSeed[] = []): Promise<WorkerPool> {
  // all at once (each takes about a second to load); if one fails, the others are stopped too
  const starting = Array.from({ length: n }, () => startWorker(file, spec, watchSecs, stuck));
  const started = await Promise.allSettled(starting);
  const slots = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    await Promise.all(slots.map((w) => w.stop()));
  };
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const runner = (i: number): ChunkRunner => async (from, count) => {
    const out: RunOutcome[] = [];
    while (out.length < count) {
      if (slots[i].dead) slots[i] = await startWorker(file, spec, watchSecs, stuck);
      out.push(...(await slots[i].run(from + out.length, count - out.length)));
    }
    return out;
  };
  return { runners: slots.map((_, i) => runner(i)), stop };
}

/** Starts `n` workers for the scenario, hands their chunk runners to `use`, and stops them afterwards. */
export async function withWorkers<T>(file: string, spec: RunSpec, n: number, use: (runners: ChunkRunner[]) => Promise<T>, stuck: readonly StuckSeed[] = []): Promise<T> {
  const pool = await startWorkers(file, spec, n, undefined, stuck);
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
export function inThisThread(sc: Scenario, spec: RunSpec, stuck: readonly StuckSeed[] = []): ChunkRunner {
  return (from, count) => new Promise((resolve) => setImmediate(() => resolve(runSeeds(sc, spec, from, count, stuck))));
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
    if (w === 1) return { ...(await collect(plan, [inThisThread(sc, plan.spec, plan.stuck)], t.onProgress)), threads: 'this thread' };
    return { ...(await withWorkers(plan.file, plan.spec, w, (rs) => collect(plan, rs, t.onProgress), plan.stuck)), threads: `${w} worker threads` };
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
    pool = startWorkers(plan.file, plan.spec, extra, undefined, plan.stuck);
    pool.then((w) => arrive(w.runners), () => arrive([]));
  };
  try {
    const r = await collect(plan, [inThisThread(sc, plan.spec, plan.stuck)], onProgress, later);
    return { ...r, threads: pool ? `this thread + ${extra} worker thread${extra === 1 ? '' : 's'}` : 'this thread' };
  } finally {
    const started = pool as Promise<WorkerPool> | null;
    if (started) await (await started.catch(() => null))?.stop();
  }
}
