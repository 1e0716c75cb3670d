// The program commands: exec (an ELF as the first process, like
// qemu-riscv64) and diff (its calls against real Linux's). Loaded by
// src/cli.ts only when one of them is asked for.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExecError, execImage } from '../exec.ts';
import { execOptionsOf, execSubject } from '../explore/exec-subject.ts';
import { failureReport } from '../explore/report.ts';
import { execReplayCommand, type RunSpec } from '../explore/run-flags.ts';
import { shrinkFailure } from '../explore/shrink.ts';
import type { RunOptions } from '../script/runner.ts';
import { EMULATOR_DEPENDENT, compareRuns, firstOutputDifference, parseQemuStrace, parseStraceLog, unixsimCalls } from '../trace-diff.ts';
import { UsageError, shrinkRunsOf, traceFormatOf, type Flags } from './flags.ts';
import { checkTraceOut, renderTrace, writeTraceOut } from './trace-out.ts';

/** Largest ELF `exec` agrees to read: bigger files are refused before reading (and could not fit a run's budget). */
export const EXEC_MAX_FILE = 256 * 1024 * 1024;

/** Refuses what `exec` cannot load before reading a byte: missing, not a regular file (a FIFO, /dev/zero), or too large. */
function checkExecFile(file: string, memory: number | undefined): void {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  const st = statSync(file);
  if (st.isDirectory()) throw new UsageError(`${file}: is a directory`);
  if (!st.isFile()) throw new UsageError(`${file}: not a regular file`);
  const limit = Math.min(EXEC_MAX_FILE, memory ?? EXEC_MAX_FILE);
  if (st.size > limit) throw new UsageError(`${file}: too large to run (${st.size} bytes; the limit is ${limit})`);
}

/** Where `unixsim exec` writes the guest's console output (raw bytes). */
export interface GuestOutput {
  stdout(bytes: Uint8Array): void;
  stderr(bytes: Uint8Array): void;
}

/** Exit status of `unixsim exec` when the simulated run itself failed (deadlock, step limit). */
export const EXEC_RUN_FAILED = 125;

/** Candidate runs to shrink a failing `exec` run (a guest program run is slower than a script). */
const EXEC_SHRINK_RUNS = 60;

export function cmdExec(f: Flags, guestArgs: string[], io: GuestOutput): number {
  const file = f.positional[0];
  if (!file) throw new UsageError('missing ELF file');
  if (f.positional.length > 1) throw new UsageError(`unexpected argument "${f.positional[1]}" (guest arguments go after --)`);
  const trace = traceFormatOf(f.trace);
  const opts: RunOptions = { ...f.run, seed: f.run.seed ?? 1 };
  checkExecFile(file, opts.memory);
  checkTraceOut(f.traceOut);
  const seed = opts.seed;
  const image = new Uint8Array(readFileSync(file));
  let r;
  try {
    r = execImage(file, image, execOptionsOf({ ...opts, recordText: trace !== undefined || undefined }, {
      args: guestArgs,
      jit: f.noJit ? false : undefined,
      // the guest's output reaches the user as it is written, not when the run ends
      output: (w) => (w.stream === 'stdout' ? io.stdout : io.stderr)(w.bytes),
    }));
  } catch (e) {
    if (e instanceof ExecError) throw new UsageError(e.message);
    throw e;
  }
  const enc = new TextEncoder();
  if (trace) {
    const meta = { seed: String(seed), strategy: f.run.strategy ?? 'random', replay: execReplayCommand(file, opts, guestArgs), hash: r.hash };
    const rendered = renderTrace(trace, r.events, r.labels, f, meta);
    if (f.traceOut) writeTraceOut(f.traceOut, rendered);
    else io.stderr(enc.encode(rendered));
  }
  const unknown = r.kernel.describeUnknownSyscalls();
  if (unknown) io.stderr(enc.encode(`unixsim: ${file}: unknown syscalls (ENOSYS): ${unknown}\n`));
  if (r.problem) {
    io.stderr(enc.encode(`unixsim: ${file}: ${r.problem} (seed ${seed}, trace ${r.hash})\n`));
    // A run stopped by a budget is not shrunk: every candidate would run to the budget again.
    if (r.end.kind === 'limit') return EXEC_RUN_FAILED;
    // Shrink it like a scenario's failure; a step-limit run is millions of steps, so only when asked.
    const budget = shrinkRunsOf(f) ?? (r.end.kind === 'step-limit' ? 0 : EXEC_SHRINK_RUNS);
    const subject = execSubject(file, image, { args: guestArgs });
    const found = subject({ ...opts, recordText: true }, {});
    const shrunk = shrinkFailure(subject, opts, found, { maxRuns: budget });
    const name = file.slice(file.lastIndexOf('/') + 1);
    const command = (o: RunSpec) => execReplayCommand(file, o, guestArgs);
    for (const l of failureReport({ file, scenario: { name }, opts, found, shrunk, command })) io.stderr(enc.encode(`${l}\n`));
    return EXEC_RUN_FAILED;
  }
  return r.status;
}

/**
 * `unixsim diff`: the program under real Linux (qemu-riscv64 -strace, or a
 * log given with --against) and under unixsim, compared call by call per
 * process (src/trace-diff.ts); also their stdout. 0: the same; 1: a difference.
 */
export function cmdDiff(f: Flags, guestArgs: string[], out: (s: string) => void): number {
  const given = f.positional[0];
  if (!given) throw new UsageError('missing ELF file');
  if (!existsSync(given)) throw new UsageError(`${given}: no such file`);
  // both runs see the same absolute path (argv[0], /proc/self/exe)
  const file = resolve(given);
  let linuxLog: string;
  let linuxStdout: string | null = null;
  let source: string;
  if (f.against) {
    if (!existsSync(f.against)) throw new UsageError(`${f.against}: no such file`);
    linuxLog = readFileSync(f.against, 'utf8');
    source = f.against;
  } else {
    const q = spawnSync('qemu-riscv64', ['-strace', file, ...guestArgs], { maxBuffer: 1 << 28, timeout: 120_000 });
    if (q.error) throw new UsageError(`cannot run qemu-riscv64 (apt-get install qemu-user): ${q.error.message}`);
    linuxLog = q.stderr.toString();
    linuxStdout = q.stdout.toString();
    source = 'qemu-riscv64';
  }
  const opts: RunOptions = { ...f.run, seed: f.run.seed ?? 1 };
  let r;
  try {
    r = execImage(file, new Uint8Array(readFileSync(file)), execOptionsOf({ ...opts, recordText: true }, { args: guestArgs }));
  } catch (e) {
    if (e instanceof ExecError) throw new UsageError(e.message);
    throw e;
  }
  const linux = f.against ? parseStraceLog(linuxLog) : parseQemuStrace(linuxLog);
  const sim = unixsimCalls(r.events);
  if (linux.length === 0) throw new UsageError(`${source}: no syscall lines found (see README: "unixsim diff" for the format)`);
  const { difference: d, compared, unaligned } = compareRuns(linux, sim, !!f.against);
  if (d) {
    out(`${file}: first difference in process ${d.process}, call ${d.index} (${d.why}):`);
    out(`  linux:   ${d.linux ? `[pid ${d.linux.pid}] ${d.linux.line}` : '(no more calls)'}`);
    out(`  unixsim: ${d.unixsim ? `[pid ${d.unixsim.pid}] ${d.unixsim.line}` : '(no more calls)'}`);
    out(`  replay:  ${execReplayCommand(file, opts, guestArgs)} --trace text`);
    return 1;
  }
  const o = linuxStdout === null ? null : firstOutputDifference(linuxStdout, new TextDecoder().decode(r.stdout));
  if (o) {
    out(`${file}: the calls agree but stdout differs at line ${o.line}:`);
    out(`  linux:   ${o.linux}`);
    out(`  unixsim: ${o.unixsim}`);
    return 1;
  }
  const procs = new Set(sim.map((c) => c.pid)).size;
  out(`${file}: identical to ${source}: ${compared} calls compared in ${procs} process${procs === 1 ? '' : 'es'} (seed ${opts.seed})`);
  if (unaligned) out(`  ${unaligned} calls had no partner in the other run (${source}'s log interleaves concurrent processes)`);
  out(`  not compared (they depend on the emulator): ${[...EMULATOR_DEPENDENT].join(', ')}`);
  return 0;
}
