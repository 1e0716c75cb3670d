// The console behind fds 0, 1 and 2 of every process the harness starts:
// reads see end of file; writes go to the host's sink as they happen (the
// CLI prints them at once under `exec`) and are kept (per pid and stream)
// for scenario checks while the run's memory budget allows; beyond it the
// kept copy stops growing and `dropped` counts what it missed. No host I/O
// happens inside the simulation: the sink is the caller's.
import type { MemoryBudget } from '../hw/budget.ts';
import { S_IFCHR } from './abi.ts';
import { ENOTTY } from './errno.ts';
import type { FileOps, OpenFile, StatInfo } from './file.ts';
import type { Task } from './task.ts';
import type { UserIO } from './userio.ts';

export interface ConsoleWrite {
  pid: number;
  stream: 'stdout' | 'stderr';
  bytes: Uint8Array;
}

/** Host bytes charged per kept console write beyond its bytes. */
const WRITE_COST = 64;
/** Largest piece of one write copied at a time. */
const CHUNK = 64 * 1024;

export class Console {
  readonly writes: ConsoleWrite[] = [];
  /** bytes written but not kept (the memory budget was spent) */
  dropped = 0;
  /** the host's live view of the output (the CLI's stdout/stderr); called for every write */
  sink: ((w: ConsoleWrite) => void) | null = null;

  constructor(private readonly memory: MemoryBudget | null = null) {}

  /** Records one write: to the sink, and kept while the budget allows. */
  add(w: ConsoleWrite): void {
    this.sink?.(w);
    if (this.memory && !this.memory.charge(w.bytes.length + WRITE_COST)) {
      this.dropped += w.bytes.length;
      return;
    }
    this.writes.push(w);
  }

  /** Everything written to a stream, in order, optionally for one pid. */
  text(stream: 'stdout' | 'stderr' = 'stdout', pid?: number): string {
    let s = '';
    for (const w of this.writes) if (w.stream === stream && (pid === undefined || w.pid === pid)) s += new TextDecoder().decode(w.bytes);
    return s;
  }
}

export class ConsoleFile implements FileOps {
  readonly kind = 'console';

  constructor(
    private readonly console: Console,
    readonly stream: 'stdin' | 'stdout' | 'stderr',
  ) {}

  read(): number {
    return 0;
  }

  write(t: Task, _f: OpenFile, io: UserIO): number {
    // In chunks: a guest may write gigabytes of (untouched, free) mapped memory in one call.
    while (io.done < io.total) {
      const bytes = io.copyIn(Math.min(io.total - io.done, CHUNK));
      if (this.stream !== 'stdin') this.console.add({ pid: t.tgid, stream: this.stream, bytes });
    }
    return io.total;
  }

  ioctl(): number {
    return -ENOTTY;
  }

  poll(): number {
    return 0x1 | 0x4; // POLLIN | POLLOUT: never blocks
  }

  stat(): StatInfo {
    return { dev: 5, ino: 1, mode: S_IFCHR | 0o620, nlink: 1, uid: 0, gid: 0, size: 0, blksize: 1024 };
  }

  describe(): string {
    return `console:${this.stream}`;
  }
}
