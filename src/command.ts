// The `unixsim` command as bin/unixsim.mjs runs it: which thread runs the
// command line (src/cli.ts). A scripted program is host JavaScript, and a
// loop in it without a system call cannot be preempted on its own thread.
// So run, replay and sweep run cli.ts's main() on a worker thread
// (src/cli-worker.ts) while this thread watches (src/explore/watchdog.ts):
// a program that has not made a system call for UNIXSIM_WATCHDOG seconds
// (default 10; 0: no watchdog and no worker) ends the command with
// `unixsim: FILE: program 'NAME' ran for N s without a system call` and
// exit status 2. This module stays small: the watching thread never loads
// the simulator for a watched command.
import { Worker } from 'node:worker_threads';
import { stuckMessage, watchBuffer, watchdogSeconds, watchWorker } from './explore/watchdog.ts';
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

export async function runCommand(argv: string[], secs = watchdogSeconds()): Promise<number> {
  if (secs === 0 || !WATCHED.has(argv[0])) return (await loadCli()).main(argv);
  quietOnClosedStdout();
  const watch = watchBuffer();
  const worker = new Worker(workerBootCode(CLI_WORKER), { eval: true, workerData: { argv, watch, tty: !!process.stderr.isTTY } });
  return new Promise<number>((resolve) => {
    let settled = false;
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      dog.stop();
      void worker.terminate();
      resolve(code);
    };
    const dog = watchWorker(watch, secs, (s) => {
      settled = true; // the worker's exit, which follows, is not the command's end
      void worker.terminate();
      // a sweep says which seed's run it was (a run names its seed on the command line already)
      const seed = argv[0] === 'sweep' && s.seed ? ` (seed ${s.seed})` : '';
      void loadCli().then((cli) => {
        console.error(`unixsim: ${cli.scenarioFileOf(argv)}: ${stuckMessage(s)}${seed}`);
        resolve(2);
      });
    });
    worker.on('message', (m: Message) => {
      if (m.out !== undefined) console.log(m.out);
      else if (m.err !== undefined) console.error(m.err);
      else if (m.stdout) process.stdout.write(m.stdout);
      else if (m.stderr) process.stderr.write(m.stderr);
      else if (m.progress !== undefined) process.stderr.write(m.progress);
      else if (m.exit !== undefined) finish(m.exit);
    });
    worker.on('error', (e) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      finish(1);
    });
    // ended without saying how: as an uncaught failure would end the command
    worker.on('exit', (code) => finish(code === 0 ? 1 : code));
  });
}
