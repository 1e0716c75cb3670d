// The thread a watched command runs on (cli.ts: runCommand). main() runs
// here exactly as on the main thread, with everything it prints posted to
// the parent in order, and a script watch (src/explore/watchdog.ts) so the
// parent can stop a scripted program that loops without a system call. A
// sweep started again after one was stopped gets the seeds stopped so far.
import { parentPort, workerData } from 'node:worker_threads';
import { main } from './cli.ts';
import type { StuckSeed } from './explore/sweep.ts';
import { watchThisThread } from './explore/watchdog.ts';

const { argv, watch, tty, stuck } = workerData as { argv: string[]; watch: SharedArrayBuffer; tty: boolean; stuck: StuckSeed[] };
const port = parentPort!;
watchThisThread(watch);
const text = (args: unknown[]) => args.map(String).join(' ');
console.log = (...args: unknown[]) => port.postMessage({ out: text(args) });
console.error = (...args: unknown[]) => port.postMessage({ err: text(args) });
const code = await main(
  argv,
  (s) => port.postMessage({ out: s }),
  { stdout: (b) => port.postMessage({ stdout: b }), stderr: (b) => port.postMessage({ stderr: b }) },
  { tty, write: (s) => port.postMessage({ progress: s }) },
  stuck,
);
port.postMessage({ exit: code });
