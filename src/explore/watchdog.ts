// The host-side watchdog for scripted programs that loop without a system
// call. Runs happen on a worker thread that records, in a buffer shared with
// its parent, which program is running and since which resume
// (src/script/watch.ts); the parent looks every so often, and when the same
// resume has lasted longer than the budget it terminates the worker. The
// budget is wall-clock time on the host and only decides whether a run is
// abandoned; it never changes what a run that finishes does.

import { setScriptWatch, type ScriptWatch } from '../script/watch.ts';

/** Default seconds a script may run between two system calls before the command gives up on it. */
export const DEFAULT_WATCHDOG_SECS = 10;

/** The budget in seconds from UNIXSIM_WATCHDOG (0 turns the watchdog off), else the default. */
export function watchdogSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.UNIXSIM_WATCHDOG;
  if (v === undefined || v === '') return DEFAULT_WATCHDOG_SECS;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_WATCHDOG_SECS;
}

// The shared buffer: four int32 words, then the program's name and the run's seed as UTF-8.
const ENTERS = 0, BUSY = 1, NAME_LEN = 2, SEED_LEN = 3;
const NAME_AT = 16, NAME_MAX = 200, SEED_AT = NAME_AT + NAME_MAX, SEED_MAX = 40;
const BYTES = SEED_AT + SEED_MAX;

export function watchBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(BYTES);
}

function writeText(bytes: Uint8Array, words: Int32Array, at: number, max: number, lenWord: number, text: string): void {
  const { written } = new TextEncoder().encodeInto(text, bytes.subarray(at, at + max));
  Atomics.store(words, lenWord, written);
}

function readText(bytes: Uint8Array, words: Int32Array, at: number, lenWord: number): string {
  return new TextDecoder().decode(bytes.slice(at, at + Atomics.load(words, lenWord)));
}

/** The worker's half: installs a watcher that writes into `buf` (call once, on the worker thread). */
export function watchThisThread(buf: SharedArrayBuffer): void {
  const words = new Int32Array(buf, 0, 4);
  const bytes = new Uint8Array(buf);
  let lastName = '';
  const w: ScriptWatch = {
    enter(name) {
      if (name !== lastName) {
        lastName = name;
        writeText(bytes, words, NAME_AT, NAME_MAX, NAME_LEN, name);
      }
      Atomics.add(words, ENTERS, 1);
      Atomics.store(words, BUSY, 1);
    },
    leave() {
      Atomics.store(words, BUSY, 0);
    },
    run(seed) {
      writeText(bytes, words, SEED_AT, SEED_MAX, SEED_LEN, String(seed));
    },
  };
  setScriptWatch(w);
}

/** What the watchdog found: the program that has not made a system call for `secs` seconds, in the run of `seed`. */
export interface Stuck {
  name: string;
  seed: string;
  secs: number;
}

/** The one line a stuck program ends the command with (the CLI prefixes `unixsim: FILE: `). */
export function stuckMessage(s: Pick<Stuck, 'name' | 'secs'>): string {
  return `program '${s.name}' ran for ${s.secs} s without a system call`;
}

/**
 * The parent's half: looks at `buf` every so often and calls `onStuck` once
 * the same resume has lasted `secs` seconds. `stop()` ends the watching.
 */
export function watchWorker(buf: SharedArrayBuffer, secs: number, onStuck: (s: Stuck) => void): { stop(): void } {
  const words = new Int32Array(buf, 0, 4);
  const bytes = new Uint8Array(buf);
  let seen = -1;
  let since = performance.now();
  const timer = setInterval(() => {
    const enters = Atomics.load(words, ENTERS);
    const now = performance.now();
    if (Atomics.load(words, BUSY) === 0 || enters !== seen) {
      seen = enters;
      since = now;
      return;
    }
    if (now - since < secs * 1000) return;
    clearInterval(timer);
    onStuck({ name: readText(bytes, words, NAME_AT, NAME_LEN), seed: readText(bytes, words, SEED_AT, SEED_LEN), secs });
  }, Math.max(10, Math.min(250, (secs * 1000) / 4)));
  // the watch alone must not keep the host process alive
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
