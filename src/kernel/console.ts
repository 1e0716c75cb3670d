// The console behind fds 0, 1 and 2 of every process the harness starts:
// reads see end of file; writes go to the host's sink as they happen (the
// CLI prints them at once) and are kept (per pid and stream) for scenario
// checks while the run's memory budget allows; beyond it the kept copy
// stops growing and `dropped` counts what it missed. The console is output
// captured as into a file (`> out.txt`), and like a file it has a size
// limit (KernelConfig.consoleLimit): a write that reaches it is cut short,
// and the next gets EFBIG and SIGXFSZ, as a write past RLIMIT_FSIZE does
// (generic_write_check_limits), so a guest printing in a loop ends at once
// instead of running to the run's time budget. No host I/O happens inside
// the simulation: the sink is the caller's.
import type { MemoryBudget } from '../hw/budget.ts';
import { S_IFCHR, SIGXFSZ } from './abi.ts';
import { EFAULT, EFBIG, ENOTTY } from './errno.ts';
import type { FileOps, OpenFile, StatInfo } from './file.ts';
import type { Task } from './task.ts';
import type { UserIO } from './userio.ts';

export interface ConsoleWrite {
  pid: number;
  stream: 'stdout' | 'stderr';
  bytes: Uint8Array;
}

/** Default size limit of the console (all processes' stdout and stderr together). */
export const DEFAULT_CONSOLE_LIMIT = 16 * 1024 * 1024;

/** Host bytes charged for each kept run of output (a new pid or stream) beyond its bytes. */
const RUN_COST = 64;
/** Smallest buffer a kept run starts with: byte-sized writes append to it, not one object each. */
const RUN_MIN = 256;
/** Largest piece of one write copied at a time. */
const CHUNK = 64 * 1024;

/** A kept run of consecutive writes by one pid to one stream: `bytes` views the filled part of `buf`. */
interface KeptRun extends ConsoleWrite {
  buf: Uint8Array;
}

export class Console {
  /** what was written and kept, consecutive writes of one pid to one stream joined into one */
  readonly writes: ConsoleWrite[] = [];
  /** bytes written so far (kept or not) */
  written = 0;
  /** bytes written but not kept (the memory budget was spent) */
  dropped = 0;
  /** the host's live view of the output (the CLI's stdout/stderr); called for every write */
  sink: ((w: ConsoleWrite) => void) | null = null;

  constructor(
    private readonly memory: MemoryBudget | null = null,
    /** bytes the console takes in all; see the header */
    readonly limit = DEFAULT_CONSOLE_LIMIT,
  ) {}

  /** Bytes a write may still put on the console. */
  get room(): number {
    return Math.max(0, this.limit - this.written);
  }

  /** Records one write: to the sink, and kept while the budget allows. */
  add(w: ConsoleWrite): void {
    this.written += w.bytes.length;
    this.sink?.(w);
    if (!this.keep(w)) this.dropped += w.bytes.length;
  }

  private keep(w: ConsoleWrite): boolean {
    const last = this.writes[this.writes.length - 1] as KeptRun | undefined;
    const n = w.bytes.length;
    if (last && last.pid === w.pid && last.stream === w.stream) {
      const len = last.bytes.length;
      if (len + n > last.buf.length) {
        const size = Math.max(len + n, last.buf.length * 2);
        if (this.memory && !this.memory.charge(size - last.buf.length)) return false;
        const buf = new Uint8Array(size);
        buf.set(last.bytes);
        last.buf = buf;
      }
      last.buf.set(w.bytes, len);
      last.bytes = last.buf.subarray(0, len + n);
      return true;
    }
    const size = Math.max(RUN_MIN, n);
    if (this.memory && !this.memory.charge(size + RUN_COST)) return false;
    const buf = new Uint8Array(size);
    buf.set(w.bytes);
    const run: KeptRun = { pid: w.pid, stream: w.stream, buf, bytes: buf.subarray(0, n) };
    this.writes.push(run);
    return true;
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
    if (this.stream === 'stdin') {
      while (io.done < io.total && !io.faulted) io.copyIn(Math.min(io.total - io.done, CHUNK));
      return io.done || (io.faulted ? -EFAULT : 0);
    }
    // generic_write_check_limits: at the limit, SIGXFSZ and EFBIG; short of it, as much as fits
    const room = this.console.room;
    if (room === 0 && io.total > 0) {
      t.kernel.sendSignal(t, SIGXFSZ); // send_sig(SIGXFSZ, current, 0)
      return -EFBIG;
    }
    const n = Math.min(io.total, room);
    // In chunks: a guest may write gigabytes of (untouched, free) mapped memory in one call.
    // A hole in the buffer ends the write there (a file's generic_perform_write): EFAULT when nothing was written.
    while (io.done < n && !io.faulted) {
      const bytes = io.copyIn(Math.min(n - io.done, CHUNK));
      if (bytes.length > 0) this.console.add({ pid: t.tgid, stream: this.stream, bytes });
    }
    return io.done || (io.faulted ? -EFAULT : 0);
  }

  ioctl(): number {
    return -ENOTTY;
  }

  /** tty_fasync: O_ASYNC may be set through FIOASYNC (the console never has input to signal) */
  fasync(): void {}

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
