// The `unixsim` command as bin/unixsim.mjs runs it: which thread runs the
// command line (src/cli.ts). A scripted program is host JavaScript, and a
// loop in it without a system call cannot be preempted on its own thread.
// So run, replay and sweep run cli.ts's main() on a worker thread
// (src/cli-worker.ts) while this thread watches (src/explore/watchdog.ts):
// a program that has not made a system call for UNIXSIM_WATCHDOG seconds
// (default 10; 0: no watchdog and no worker) ends the command with
// `unixsim: FILE: program 'NAME' ran for N s without a system call` and
// exit status 2; a sweep instead starts again with that seed reported as
// stuck. This module stays small: the watching thread never loads the
// simulator for a watched command.
import type { StuckSeed } from './explore/sweep.ts';
import { stuckMessage, watchBuffer, watchdogSeconds, watchWorker, type Stuck } from './explore/watchdog.ts';
import { workerBootCode } from './load.ts';

/** Commands that run scenario scripts, and so run on a watched worker thread. */
const WATCHED = new Set(['run', 'replay', 'sweep']);

const CLI_WORKER = new URL(import.meta.url.endsWith('.ts') ? './cli-worker.ts' : './cli-worker.js', import.meta.url).href;
const CLI = import.meta.url.endsWith('.ts') ? './cli.ts' : './cli.js';

type Message = { out?: string; err?: string; stdout?: Uint8Array; stderr?: Uint8Array; progress?: string; exit?: number };

const loadCli = async () => (await import(CLI)) as typeof import('./cli.ts');

let stdoutWatched = false;

/** The real command line: a reader that goes away (`| head`) ends the output quietly, not with an EPIPE stack trace. */
export function quietOnClosedStdout(): void {
  if (stdoutWatched) return;
  stdoutWatched = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/** A sweep starts again at most this many times, each time with one more stuck seed skipped, before it gives up. */
const MAX_STUCK_SEEDS = 10;

export async function runCommand(argv: string[], secs = watchdogSeconds()): Promise<number> {
  if (secs === 0 || !WATCHED.has(argv[0])) return (await loadCli()).main(argv);
  quietOnClosedStdout();
  const stuck: StuckSeed[] = [];
  for (;;) {
    const r = await attempt(argv, secs, stuck);
    if (r.code !== undefined) return r.code;
    const s = r.stuck!;
    // A sweep's run stuck on the sweep's own thread: the sweep starts again with that seed reported as
    // stuck and not run (runs are deterministic, so the seeds before it give the same outcomes again).
    const seed = s.seed === '' ? NaN : Number(s.seed);
    if (argv[0] === 'sweep' && Number.isInteger(seed) && stuck.length < MAX_STUCK_SEEDS && !stuck.some((k) => k.seed === seed)) {
      stuck.push({ seed, name: s.name, secs: s.secs });
      continue;
    }
    const cli = await loadCli();
    console.error(`unixsim: ${cli.scenarioFileOf(argv)}: ${stuckMessage(s)}${argv[0] === 'sweep' && s.seed ? ` (seed ${s.seed})` : ''}`);
    return 2;
  }
}

/** Runs the command once on a worker thread: its exit status, or what the watchdog found stuck. */
async function attempt(argv: string[], secs: number, stuck: readonly StuckSeed[]): Promise<{ code?: number; stuck?: Stuck }> {
  const watch = watchBuffer();
  // imported here: a command that runs on this thread (bugs, exec, --help) never loads worker_threads
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(workerBootCode(CLI_WORKER), { eval: true, workerData: { argv, watch, tty: !!process.stderr.isTTY, stuck } });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: { code?: number; stuck?: Stuck }) => {
      if (settled) return;
      settled = true;
      dog.stop();
      void worker.terminate();
      resolve(r);
    };
    const dog = watchWorker(watch, secs, (s) => finish({ stuck: s }));
    worker.on('message', (m: Message) => {
      if (m.out !== undefined) console.log(m.out);
      else if (m.err !== undefined) console.error(m.err);
      else if (m.stdout) process.stdout.write(m.stdout);
      else if (m.stderr) process.stderr.write(m.stderr);
      else if (m.progress !== undefined) process.stderr.write(m.progress);
      else if (m.exit !== undefined) finish({ code: m.exit });
    });
    worker.on('error', (e) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      finish({ code: 1 });
    });
    // ended without saying how: as an uncaught failure would end the command
    worker.on('exit', (code) => finish({ code: code === 0 ? 1 : code }));
  });
}
