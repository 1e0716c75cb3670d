// The console behind fds 0, 1 and 2 of every process the harness starts:
// reads see end of file; writes are collected (per pid and stream) for the
// CLI to print and for scenario checks, and appear in the trace. No host
// I/O happens inside the simulation.
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

export class Console {
  readonly writes: ConsoleWrite[] = [];

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
    const bytes = io.copyIn(io.total);
    if (this.stream !== 'stdin') this.console.writes.push({ pid: t.tgid, stream: this.stream, bytes });
    return bytes.length;
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
