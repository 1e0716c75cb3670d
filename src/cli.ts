// The `unixsim` command line. Host I/O, wall-clock rates and exit codes live
// here, outside the simulation core.
//   exit 0: success; 1: a check failed or the run deadlocked (seed and
//   replay command printed); 2: bad usage or a bad scenario file.
//   `unixsim exec` exits with the guest's status instead (128 + signal when
//   killed, 125 when the run itself deadlocked or hit the step limit).
//
// This module parses and dispatches; each command's code is imported when
// that command runs (src/cli/*), so `unixsim bugs` or `--help` loads no
// simulator and `exec` none of the scenario machinery.
import { quietOnClosedStdout } from './command.ts';
import { plantedBugs } from './kernel/bugs.ts';
import { RUN_FLAGS } from './explore/run-flags.ts';
import { DEFAULT_SCENARIO, UsageError, parseFlags } from './cli/flags.ts';
import type { GuestOutput } from './cli/exec-commands.ts';
import type { ProgressSink } from './cli/scenario-commands.ts';
import type { StuckSeed } from './explore/sweep.ts';
import type { Scenario } from './script/scenario.ts';

export { DEFAULT_SCENARIO, UsageError } from './cli/flags.ts';
export type { GuestOutput } from './cli/exec-commands.ts';
export type { ProgressSink } from './cli/scenario-commands.ts';

/** The run flags' usage, from the table that parses them. */
const RUN_FLAGS_USAGE = RUN_FLAGS.map((r) => (r.arg ? `[${r.flag} ${r.arg}]${r.kind === 'list' ? '...' : ''}` : `[${r.flag}]`)).join(' ');

const USAGE = `usage:
  unixsim run FILE [RUN FLAGS] [--trace text|perfetto] [--trace-out PATH] [--fd-paths] [--shrink-runs N]
  unixsim replay FILE --seed S [RUN FLAGS] [--trace text|perfetto] [--fd-paths] [--shrink-runs N]   run with the text trace
  unixsim sweep [FILE] --seeds N [--from S] [RUN FLAGS but --seed] [--workers W] [--shard I/N]
                [--stop-at-first] [--max-failures N] [--shrink-runs N] [--json]
  unixsim sweep [FILE] --seeds N --strategy cov [RUN FLAGS]   coverage-guided: mutates schedules that reached new kernel states
  unixsim sweep [FILE] --strategy dfs|dpor [--preemptions P] [--fault-budget F] [--max-schedules N] [--shard I/N] [--json] [RUN FLAGS]
                                    every schedule (with at most P preemptions; with fault flags, at most
                                    F faults, default 1: fault points are choice points), or the first failure
  unixsim merge FILE.json...  [--json]          combine the --json results of sweep shards
  unixsim exec ELF [RUN FLAGS] [--trace text|perfetto] [--trace-out PATH] [--fd-paths] [--shrink-runs N] [--no-jit] [-- ARGS...]
                                    run a static riscv64 Linux program (and what it forks) like qemu-riscv64
                                    (--no-jit or UNIXSIM_JIT=0: interpreter only, same results)
  unixsim diff ELF [--against LOG] [--seed S] [-- ARGS...]
                                    run under qemu-riscv64 -strace (real Linux) and unixsim; print the first
                                    call whose result differs (exit 0 when none); --against: a strace-format log
  unixsim bugs                      list the planted bugs
RUN FLAGS: ${RUN_FLAGS_USAGE}
FILE is a scenario module (see README: "Scenario files"); sweep defaults to ${DEFAULT_SCENARIO}.
UNIXSIM_WATCHDOG=S: run, replay and sweep stop a scripted program after S seconds without a system call (default 10; 0: never).`;

/** Loads a scenario module; throws UsageError with a one-line message naming the file (src/script/loader.ts). */
export async function loadScenario(file: string): Promise<Scenario> {
  return (await import('./cli/scenario-commands.ts')).loadScenario(file);
}

const HOST_PROGRESS: ProgressSink = { tty: !!process.stderr.isTTY, write: (s) => process.stderr.write(s) };

const HOST_OUTPUT: GuestOutput = {
  stdout: (b) => process.stdout.write(b),
  stderr: (b) => process.stderr.write(b),
};

export async function main(
  argv: string[],
  out?: (s: string) => void,
  io: GuestOutput = HOST_OUTPUT,
  progress: ProgressSink = HOST_PROGRESS,
  /** sweep: seeds a watchdog found stuck on an earlier attempt (src/command.ts), reported without running them */
  stuck?: readonly StuckSeed[],
): Promise<number> {
  const err = (s: string) => console.error(s);
  if (!out) {
    quietOnClosedStdout();
    out = (s) => console.log(s);
  }
  try {
    const [cmd, ...all] = argv;
    // `exec` passes everything after "--" to the guest
    const dashes = cmd === 'exec' || cmd === 'diff' ? all.indexOf('--') : -1;
    const rest = dashes >= 0 ? all.slice(0, dashes) : all;
    const f = parseFlags(rest);
    switch (cmd) {
      case 'exec':
        return (await import('./cli/exec-commands.ts')).cmdExec(f, dashes >= 0 ? all.slice(dashes + 1) : [], io);
      case 'diff':
        return (await import('./cli/exec-commands.ts')).cmdDiff(f, dashes >= 0 ? all.slice(dashes + 1) : [], out);
      case 'run':
        return await (await import('./cli/scenario-commands.ts')).cmdRun(f, false, out, err);
      case 'replay':
        return await (await import('./cli/scenario-commands.ts')).cmdRun(f, true, out, err);
      case 'sweep':
        return await (await import('./cli/scenario-commands.ts')).cmdSweep(f, out, progress, stuck);
      case 'merge':
        return (await import('./cli/scenario-commands.ts')).cmdMerge(f, out);
      case 'bugs':
        // one write: a console.log per line costs more than the rest of the command
        out(Object.entries(plantedBugs()).map(([name, what]) => `${name.padEnd(28)} ${what}`).join('\n'));
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`unixsim: ${e.message}`);
      if (!e.message.includes(':') || e.message.startsWith('unknown') || e.message.startsWith('missing')) err(USAGE);
      return 2;
    }
    throw e;
  }
}

/** The scenario file a command names (the watchdog's line names it: src/command.ts). */
export function scenarioFileOf(argv: string[]): string {
  try {
    return parseFlags(argv.slice(1)).positional[0] ?? DEFAULT_SCENARIO;
  } catch {
    return argv[1] ?? DEFAULT_SCENARIO;
  }
}
