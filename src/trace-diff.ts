// `unixsim diff`: line up the syscalls of one program as real Linux ran it
// (qemu-riscv64 -strace, or a strace-format log recorded elsewhere) with the
// same program under unixsim, process by process, and find the first call
// whose name or result differs. Pure functions over text and trace events;
// running qemu is the CLI's job.
//
// Accepted log format (one call per line, as `strace -f -o LOG` writes it):
//   [PID ]NAME(ARGS) = RESULT
// with PID optional (or "[pid PID] "), RESULT a number (decimal or 0x hex,
// anything after it ignored), "-1 ENAME (text)", "-1 errno=N (text)" (qemu)
// or "?"; `<unfinished ...>` / `<... NAME resumed>` pairs are joined, and
// lines that are not calls ("--- SIG... ---", "+++ ... +++") are skipped.
// Processes are matched in order of their first line; pid values in results
// (fork, wait4) are mapped the same way.
import { errnoName } from './kernel/errno.ts';
import { showFdNotes, type TraceEvent } from './sched/trace.ts';

export interface LoggedCall {
  pid: number;
  name: string;
  /** the call as the log shows it */
  line: string;
  /** the result, or null when unknown ("?", or a line the log cut) */
  ret: number | null;
}

/**
 * Calls whose results depend on the emulator rather than the kernel's
 * semantics: addresses (the memory layout is qemu's), and calls qemu-user
 * does not pass to Linux (it answers set_robust_list and rseq with ENOSYS,
 * and reports rt_sigreturn's result as an errno). Left out of the comparison.
 */
export const EMULATOR_DEPENDENT = new Set([
  'brk', 'mmap', 'munmap', 'mprotect', 'mremap', 'madvise', 'set_robust_list', 'rseq', 'rt_sigreturn', 'prlimit64',
  'set_tid_address', 'execve', 'getrandom',
]);

const ERRNO_BY_NAME = new Map<string, number>();
for (let e = 1; e < 600; e++) {
  const n = errnoName(e);
  if (!/^E\d+$/.test(n)) ERRNO_BY_NAME.set(n, e);
}
for (const [n, e] of [['ERESTARTSYS', 512], ['ERESTARTNOINTR', 513], ['ERESTARTNOHAND', 514], ['ERESTART_RESTARTBLOCK', 516]] as const) ERRNO_BY_NAME.set(n, e);

/** The numeric result of the text after " = ". */
export function parseResult(s: string): number | null {
  const t = s.trim();
  let m = /^-1 errno=(\d+)/.exec(t);
  if (m) return -Number(m[1]);
  m = /^-1 (E[A-Z0-9_]+)/.exec(t);
  if (m) return ERRNO_BY_NAME.has(m[1]) ? -ERRNO_BY_NAME.get(m[1])! : null;
  m = /^\? (ERESTART[A-Z_]*)/.exec(t);
  if (m) return -ERRNO_BY_NAME.get(m[1])!;
  m = /^(-?0x[0-9a-f]+|-?\d+)/i.exec(t);
  return m ? Number(m[1]) : null;
}

const CALL = /^([a-z_][a-z0-9_]*)\((.*)$/;

/** Parses a strace-format log (also qemu-riscv64 -strace output). */
export function parseStraceLog(text: string): LoggedCall[] {
  const out: LoggedCall[] = [];
  const pending = new Map<number, string>();
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    let pid = 0;
    const pm = /^(?:\[pid\s+(\d+)\]|(\d+))\s+(.*)$/.exec(line);
    if (pm) {
      pid = Number(pm[1] ?? pm[2]);
      line = pm[3];
    }
    line = line.replace(/^\d+\s+/, ''); // a time column (unixsim's text trace)
    const pm2 = /^\[pid\s+(\d+)\]\s+(.*)$/.exec(line);
    if (pm2) {
      pid = Number(pm2[1]);
      line = pm2[2];
    }
    if (line.startsWith('<... ')) {
      const m = /^<\.\.\. [a-z0-9_]+ resumed>\s?(.*)$/.exec(line);
      if (!m) continue;
      line = (pending.get(pid) ?? '') + m[1];
      pending.delete(pid);
    } else if (line.endsWith('<unfinished ...>')) {
      pending.set(pid, line.slice(0, -'<unfinished ...>'.length).replace(/ $/, ''));
      continue;
    }
    const m = CALL.exec(line);
    if (!m) continue;
    // qemu -strace prints a call's entry and its result separately, so two processes' output can
    // interleave inside a line ("clone(...) =  = 0"): such a result is unknown
    const eq = line.lastIndexOf(' = ');
    const ret = eq >= 0 && !line.includes(' =  = ') ? parseResult(line.slice(eq + 3)) : null;
    out.push({ pid, name: m[1], line, ret });
  }
  return out;
}

/**
 * Parses qemu-riscv64 -strace output. qemu prints a call's entry and its
 * result as separate writes, so while two processes run their fragments
 * interleave (a blocked call's result lands on another process's line, a
 * fork child prints its " = 0" after its parent's next entry): results are
 * trusted only for lines printed while one process was alive.
 */
export function parseQemuStrace(text: string): LoggedCall[] {
  const calls = parseStraceLog(text);
  const alive = new Set<number>();
  const seen = new Set<number>();
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    // a new process's first output is its " = 0" from fork, printed after whatever came before it
    if (!seen.has(c.pid) && i > 0) calls[i - 1].ret = null;
    seen.add(c.pid);
    alive.add(c.pid);
    if (alive.size > 1) c.ret = null;
    // qemu reports an interrupted call's restart as whatever its host call returned
    if (c.ret !== null && c.ret <= -512 && c.ret >= -516) c.ret = null;
    if (c.name === 'exit_group' || c.name === 'exit') alive.delete(c.pid);
  }
  return calls;
}

/** unixsim's calls from a recorded trace, with the text trace's line for each. */
export function unixsimCalls(events: readonly TraceEvent[]): LoggedCall[] {
  const enters = new Map<number, { pid: number; name: string; args: string }>();
  const out: LoggedCall[] = [];
  for (const e of events) {
    if (e.kind === 'enter') enters.set(e.call, { pid: e.tid, name: e.name, args: e.args });
    else if (e.kind === 'exit') {
      const c = enters.get(e.call);
      if (!c) continue;
      const line = `${c.name}(${showFdNotes(c.args + e.args, false)}) = ${showFdNotes(e.result, false)}`;
      out.push({ pid: c.pid, name: c.name, line, ret: e.ret });
    }
  }
  return out;
}

export interface Difference {
  /** 1-based: the Linux process, in order of first appearance */
  process: number;
  /** 1-based index of the call among that process's compared Linux calls */
  index: number;
  linux: LoggedCall | null;
  unixsim: LoggedCall | null;
  why: string;
}

export interface Comparison {
  difference: Difference | null;
  /** calls compared (aligned pairs) */
  compared: number;
  /** calls on one side with no partner on the other (tolerated when `strict` is off) */
  unaligned: number;
}

function byProcess(calls: LoggedCall[], ignore: ReadonlySet<string>): LoggedCall[][] {
  const pids: number[] = [];
  const seqs: LoggedCall[][] = [];
  for (const c of calls) {
    let i = pids.indexOf(c.pid);
    if (i < 0) {
      i = pids.length;
      pids.push(c.pid);
      seqs.push([]);
    }
    if (!ignore.has(c.name)) seqs[i].push(c);
  }
  return seqs;
}

/** Calls whose result is a pid, which differs between any two runs. */
const RETURNS_PID = new Set(['clone', 'clone3', 'fork', 'vfork', 'wait4', 'waitid', 'getpid', 'gettid', 'getppid']);

/** Pairs of indices of a longest common subsequence of call names (strace's and unixsim's orders within one process agree). */
function align(x: LoggedCall[], y: LoggedCall[]): [number, number][] {
  const n = x.length, m = y.length;
  if (n * m > 16_000_000) return Array.from({ length: Math.min(n, m) }, (_, i) => [i, i]);
  const w = m + 1;
  const L = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      L[i * w + j] = x[i].name === y[j].name ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1]);
    }
  }
  const out: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m;) {
    if (x[i].name === y[j].name) out.push([i++, j++]);
    else if (L[(i + 1) * w + j] >= L[i * w + j + 1]) i++;
    else j++;
  }
  return out;
}

/**
 * Compares two runs of one program process by process. Processes are paired
 * greedily by how many calls they share (their creation order depends on the
 * schedule); within a pair the calls are aligned as a longest common
 * subsequence of names, and the first aligned call whose result differs is
 * the difference. With `strict`, a call on one side with no partner is a
 * difference too (a clean log); without, such calls are only counted
 * (qemu-riscv64 -strace interleaves the lines of concurrent processes).
 */
export function compareRuns(linux: LoggedCall[], sim: LoggedCall[], strict: boolean, ignore: ReadonlySet<string> = EMULATOR_DEPENDENT): Comparison {
  const a = byProcess(linux, ignore), b = byProcess(sim, ignore);
  const free = new Set(b.map((_, i) => i));
  let compared = 0, unaligned = 0;
  let difference: Difference | null = null;
  for (let p = 0; p < a.length; p++) {
    const x = a[p];
    let best = -1, bestPairs: [number, number][] = [];
    for (const q of free) {
      const pairs = align(x, b[q]);
      if (best < 0 || pairs.length > bestPairs.length) [best, bestPairs] = [q, pairs];
    }
    if (best < 0) {
      unaligned += x.length;
      if (strict && !difference && x.length) difference = { process: p + 1, index: 1, linux: x[0], unixsim: null, why: 'a process unixsim did not run' };
      continue;
    }
    free.delete(best);
    const y = b[best];
    unaligned += x.length + y.length - 2 * bestPairs.length;
    let i = 0, j = 0;
    for (const [pi, pj] of [...bestPairs, [x.length, y.length] as [number, number]]) {
      if (strict && !difference && (pi > i || pj > j)) {
        difference = { process: p + 1, index: i + 1, linux: x[i] ?? null, unixsim: y[j] ?? null, why: pi > i ? 'a call unixsim did not make' : 'a call Linux did not make' };
      }
      if (pi >= x.length) break;
      const l = x[pi], u = y[pj];
      compared++;
      const lr = RETURNS_PID.has(l.name) && l.ret !== null && l.ret > 0 ? 1 : l.ret;
      let ur = RETURNS_PID.has(u.name) && u.ret !== null && u.ret > 0 ? 1 : u.ret;
      // qemu-user handles restarts itself and never shows ERESTARTSYS: unknown unless the log is strace's
      if (!strict && ur !== null && ur <= -512 && ur >= -516) ur = null;
      if (!difference && lr !== null && ur !== null && lr !== ur) {
        difference = { process: p + 1, index: pi + 1, linux: l, unixsim: u, why: 'different results' };
      }
      i = pi + 1;
      j = pj + 1;
    }
  }
  for (const q of free) {
    unaligned += b[q].length;
    if (strict && !difference && b[q].length) difference = { process: a.length + 1, index: 1, linux: null, unixsim: b[q][0], why: 'a process Linux did not run' };
  }
  return { difference, compared, unaligned };
}

/** The first line where two outputs differ (1-based), or 0. */
export function firstOutputDifference(a: string, b: string): { line: number; linux: string; unixsim: string } | null {
  if (a === b) return null;
  const x = a.split('\n'), y = b.split('\n');
  for (let i = 0; ; i++) if (x[i] !== y[i]) return { line: i + 1, linux: x[i] ?? '(end of output)', unixsim: y[i] ?? '(end of output)' };
}
