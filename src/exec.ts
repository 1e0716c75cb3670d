// Runs a static riscv64 Linux ELF as the first process of a simulated
// machine (`unixsim exec`): every process it forks runs under the seeded
// scheduler; its console output and exit status come back like
// qemu-riscv64 reports them (128 + signal number when a signal killed it).
// Reading the host file is the caller's job (src/cli.ts); this module does
// no host I/O.
import type { ConsoleWrite } from './kernel/console.ts';
import { ElfError } from './hw/elf.ts';
import { S_IFDIR } from './kernel/abi.ts';
import { InvariantViolation, ROOT_CREDS, type Kernel } from './kernel/kernel.ts';
import { installProgram, loadProgram, type LoadedProgram } from './kernel/syscalls/exec.ts';
import { bootMachine } from './machine.ts';
import { Rng, type Seed } from './sched/rng.ts';
import { Scheduler, describeRunEnd, type RunEnd } from './sched/scheduler.ts';
import { ReplayStrategy } from './sched/strategies/replay.ts';
import type { TraceEvent } from './sched/trace.ts';
import { DEFAULT_MAX_INSTRUCTIONS, DEFAULT_MAX_TIME, makeStrategy, type RunHooks, type StrategyName } from './script/runner.ts';

export interface ExecOptions {
  seed?: Seed;
  strategy?: StrategyName;
  /** guest arguments after argv[0] */
  args?: string[];
  /** argv[0]; defaults to the program's path */
  argv0?: string;
  envp?: string[];
  /** record the readable trace */
  recordText?: boolean;
  maxSteps?: number;
  checkInvariants?: boolean;
  /** with the invariants, check wake duties after every step (src/kernel/wake-duty.ts) */
  checkWakeDuties?: boolean;
  /** PREEMPT points inside syscall handlers become scheduling points (the SMP model) */
  kernelPreemption?: boolean;
  /** harts running kernel code at once (the SMP model) */
  harts?: number;
  /** the run's memory budget in bytes (default 1 GiB) */
  memory?: number;
  /** stop after this many guest instructions (reported as the instruction limit) */
  maxInstructions?: number;
  /** stop once virtual time passes this many ticks (reported as the time limit) */
  maxTime?: number;
  /** receives every console write as the guest makes it (the CLI prints them at once) */
  output?: (w: ConsoleWrite) => void;
  /** planted bugs to enable */
  bugs?: readonly string[];
  /** follow these picks first (a recorded schedule); the strategy continues after them */
  picks?: readonly number[];
  /** PCT depth */
  pctDepth?: number;
  /** translate hot guest code (default: on unless UNIXSIM_JIT=0); results are the same either way */
  jit?: boolean;
}

export interface ExecResult {
  /** the status a shell would see: the exit code, or 128 + the signal that killed the program */
  status: number;
  /** the first process's wait status word */
  waitStatus: number;
  /** how the first process ended, e.g. "exit 0" or "killed by SIGSEGV" */
  describe: string;
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** the console output in order (every process), consecutive writes of one pid to one stream as one entry (`output` in the options sees each write) */
  output: ConsoleWrite[];
  end: RunEnd;
  /** set when the run did not end normally (deadlock, step limit, internal error) */
  problem: string | null;
  hash: string;
  /** tids picked at each choice point (replays with `picks`) */
  picks: number[];
  steps: number;
  time: number;
  events: TraceEvent[];
  labels: ReadonlyMap<number, string>;
  kernel: Kernel;
}

/** A program that cannot be started: names the file and the problem in one line. */
export class ExecError extends Error {}

/**
 * Where the program's image lives inside the simulated filesystem: the path
 * as given, made absolute from "/" (the simulated cwd), so that execve of
 * argv[0] and readlink("/proc/self/exe") agree with qemu-riscv64 run on the
 * same absolute path.
 */
export function vfsPathFor(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return '/' + (parts.length ? parts.join('/') : 'a.out');
}

/** Creates the directories above `path` in the VFS (like mkdir -p of its dirname). */
function makeParents(k: Kernel, path: string): void {
  const parts = path.split('/').filter((p) => p.length > 0);
  let dir = '';
  for (const name of parts.slice(0, -1)) {
    dir += '/' + name;
    const l = k.vfs.resolve(dir, k.vfs.root, ROOT_CREDS);
    if (typeof l === 'number') throw new ExecError(`${path}: cannot create its directory in the simulated filesystem`);
    if (!l.inode) k.vfs.create(l, S_IFDIR | 0o755, ROOT_CREDS);
    else if (!l.inode.isDir) throw new ExecError(`${path}: ${dir} is not a directory in the simulated filesystem`);
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Runs `image` (the bytes of the file at `path`); throws ExecError if it is not a loadable program. */
export function execImage(path: string, image: Uint8Array, opts: ExecOptions = {}, hooks: RunHooks = {}): ExecResult {
  const seed = opts.seed ?? 1;
  const rng = new Rng(seed);
  const base = makeStrategy(opts.strategy ?? 'random', rng.fork('sched'), { seed, pctDepth: opts.pctDepth });
  const described = opts.picks ? new ReplayStrategy(opts.picks, base) : base;
  const strategy = hooks.strategy ? hooks.strategy(described) : described;
  const sched = new Scheduler({
    strategy, maxSteps: opts.maxSteps ?? 10_000_000, recordText: opts.recordText,
    maxInstructions: opts.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS, maxTime: opts.maxTime ?? DEFAULT_MAX_TIME,
  });
  hooks.scheduler?.(sched);
  const { kernel: k } = bootMachine(sched, rng.fork('kernel'), {
    checkInvariants: opts.checkInvariants ?? false,
    checkWakeDuties: opts.checkWakeDuties ?? false,
    kernelPreemption: opts.kernelPreemption ?? false,
    harts: opts.harts ?? 1,
    bugs: [...(opts.bugs ?? [])],
    ...(opts.memory !== undefined ? { memoryLimit: opts.memory } : {}),
    ...(opts.jit === undefined ? {} : { jit: opts.jit }),
  });
  k.console.sink = opts.output ?? null;
  const vfsPath = vfsPathFor(path);
  makeParents(k, vfsPath);
  if (image.length > k.memory.limit) throw new ExecError(`${path}: too large for the run's memory budget (${image.length} bytes, budget ${k.memory.limit})`);
  const exeInode = k.vfs.writeFile(vfsPath, image, 0o755);

  const argv = [opts.argv0 ?? path, ...(opts.args ?? [])];
  const envp = opts.envp ?? [];
  const name = vfsPath.slice(vfsPath.lastIndexOf('/') + 1);
  let prog: LoadedProgram;
  try {
    prog = loadProgram(k, ROOT_CREDS, image, { path: vfsPath, inode: exeInode }, argv, envp);
  } catch (e) {
    if (e instanceof ElfError || e instanceof RangeError) throw new ExecError(`${path}: ${e.message}`);
    throw e;
  }
  const first = k.spawn(name, (t) => installProgram(t, prog));
  if (k.config.checkInvariants || k.config.checkWakeDuties) sched.afterStep = () => k.check();

  let end: RunEnd;
  let problem: string | null = null;
  try {
    end = sched.run();
  } catch (e) {
    end = { kind: 'exited', steps: sched.steps };
    problem = e instanceof InvariantViolation
      ? `kernel invariant violated at step ${sched.steps}: ${e.message}`
      : `internal error at step ${sched.steps}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  problem = describeRunEnd(end) ?? problem ?? k.lockdep.reports[0] ?? null;

  const rec = k.exits.find((e) => e.pid === first.pid);
  const waitStatus = rec?.status ?? 0;
  const sig = waitStatus & 0x7f;
  const output = k.console.writes;
  return {
    status: rec ? (sig ? 128 + sig : (waitStatus >> 8) & 0xff) : 1,
    waitStatus,
    describe: rec?.describe ?? 'still running',
    stdout: concat(output.filter((w) => w.stream === 'stdout').map((w) => w.bytes)),
    stderr: concat(output.filter((w) => w.stream === 'stderr').map((w) => w.bytes)),
    output,
    end,
    problem,
    hash: sched.trace.hash.hex(),
    picks: sched.trace.picks,
    steps: sched.steps,
    time: sched.clock.peek(),
    events: sched.trace.events,
    labels: sched.threadLabels(),
    kernel: k,
  };
}
