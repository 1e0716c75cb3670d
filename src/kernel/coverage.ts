// Coverage of kernel states: every syscall a run makes adds a tuple
// (syscall, the kind and state of the object it acted on, outcome), e.g.
//   connect(listener/full)=sleeps        accept(socket:stream/listening+empty)=ok+slept
//   read(pipe/empty+no-writers)=0        recvmsg(socket:control-short)=MSG_CTRUNC
//   read(pipe/empty)=woke-to-false-condition   (a wake that found its condition false)
// and every wakeup a "who woke whom" pair (waker, woken, the queue's kind).
// Sweeps count distinct tuples; scenarios name the tuples they were written
// to reach (`targets`); the cov strategy keeps schedules that reach new ones.
// Tuples name processes and objects by kind, never by pid or inode number,
// so runs compare. Off unless the run asks for it (it costs a string per syscall).
import { errnoName } from './errno.ts';
import type { OpenFile } from './file.ts';

export class Coverage {
  readonly tuples = new Set<string>();
  readonly wakes = new Set<string>();

  add(syscall: string, object: string, outcome: string): void {
    this.tuples.add(`${syscall}(${object})=${outcome}`);
  }

  wake(waker: string, woken: string, queue: string): void {
    this.wakes.add(`${waker}>${woken}@${queue.replace(/\d+/g, '#')}`);
  }

  /** Both sets as one, wakes prefixed "wake " (what the cov strategy calls new). */
  all(): Set<string> {
    const out = new Set(this.tuples);
    for (const w of this.wakes) out.add(`wake ${w}`);
    return out;
  }
}

/** "kind/state" of the file an fd names (the kind alone when the file has no state to report). */
export function objectState(f: OpenFile | undefined): string {
  if (!f) return 'badf';
  const st = f.ops.coverageState?.(f);
  return st ? `${f.ops.kind}/${st}` : f.ops.kind;
}

/** A syscall's outcome class: the errno name, 0, or ok; "+slept" when it slept first. */
export function outcomeOf(result: number, slept: boolean): string {
  const base = result < 0 && result > -4096 ? errnoName(-result) : result === 0 ? '0' : 'ok';
  return slept ? `${base}+slept` : base;
}
