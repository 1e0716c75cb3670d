// What the threads of one scripted process share on the user side, as the
// threads of a C process share its memory: the signal handlers (the
// functions behind the dispositions the kernel holds) and, for each thread
// sys.thread made, where its tid word lives and what its program returned
// (pthread's struct pthread). fork copies the handlers (the child inherits
// them, as Linux's child inherits its parent's dispositions); execve starts
// from a fresh one (handled signals reset to SIG_DFL).
import type { Program } from './context.ts';
import type { Sys } from './sys.ts';

/** A script signal handler: runs on the host on the return to user mode of the thread that takes the signal, given that thread's `sys`. */
export type ScriptHandler = (signo: number, sys: Sys) => void;

/** What sys.fork / sys.thread leave for the clone that follows. */
export type PendingChild =
  | { kind: 'fork'; program: Program; name?: string }
  | { kind: 'thread'; program: Program; name?: string; scratchBase: number };

export interface ThreadRecord {
  /** the CLONE_CHILD_CLEARTID word: the tid until the thread exits, then 0 (futex-woken) */
  tidAddr: number;
  /** what the thread's program returned (undefined until then, or when it ended otherwise) */
  value: number | void;
  joined: boolean;
}

/** Each thread's area (tid word, then scratch space) in the process's memory: 16 MiB apiece from 1 GiB up. */
export const THREAD_AREA_BASE = 0x4000_0000;
export const THREAD_AREA_SIZE = 0x100_0000;

export class ScriptProcess {
  readonly handlers = new Map<number, ScriptHandler>();
  readonly threads = new Map<number, ThreadRecord>();
  private nextSlot = 0;

  /** The next thread area's address (areas are not reused, so a late futex wake never hits a new thread's word). */
  takeThreadArea(): number {
    return THREAD_AREA_BASE + THREAD_AREA_SIZE * this.nextSlot++;
  }

  threadReturned(tid: number, value: number | void): void {
    const r = this.threads.get(tid);
    if (r) r.value = value;
  }

  /** The child's copy at fork: the same handlers; no threads but the one that forked. */
  forked(): ScriptProcess {
    const p = new ScriptProcess();
    for (const [sig, h] of this.handlers) p.handlers.set(sig, h);
    p.nextSlot = this.nextSlot;
    return p;
  }
}
