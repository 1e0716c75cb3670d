// strace is the oracle for the text trace: test/guest/glibc/strace_socks.c
// built for the host runs natively under `strace -f -qq` (and -yy), its
// riscv64 build runs under unixsim, and the lines of the socket calls must
// be the same, process by process, after normalising only what must
// differ between two machines: addresses, inode numbers and pids. A call
// split by strace into `<unfinished ...>` and `<... resumed>` is joined
// first, since where a split falls depends on the interleaving.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../src/sched/trace.ts';
import { onUnixsim, requireCrossCompiler } from '../guest/qemu.ts';

const SRC = fileURLToPath(new URL('../guest/glibc/strace_socks.c', import.meta.url));
const COMPARED = new Set([
  'socket', 'socketpair', 'bind', 'listen', 'connect', 'accept', 'accept4', 'getsockname', 'getpeername', 'sendto',
  'recvfrom', 'sendmsg', 'recvmsg', 'setsockopt', 'getsockopt', 'shutdown', 'fcntl', 'epoll_ctl', 'epoll_create1', 'wait4', 'waitid', 'ioctl',
]);

let dir = '';
let sockPath = '';
let abstractName = '';

function requireStrace(): string {
  const r = spawnSync('sh', ['-c', 'command -v strace']);
  const p = r.stdout?.toString().trim();
  if (r.status !== 0 || !p) throw new Error('strace not found: the text-trace oracle test needs it (apt-get install strace)');
  return p;
}

/** pid -> its lines, with unfinished/resumed pairs joined; `lines` are "PID TEXT". */
function perProcess(lines: { pid: number; text: string }[]): string[][] {
  const byPid = new Map<number, string[]>();
  const pending = new Map<number, string>();
  for (const { pid, text } of lines) {
    let t = text;
    const resumed = /^<\.\.\. [a-z0-9_]+ resumed>(.*)$/.exec(t);
    if (resumed) {
      t = (pending.get(pid) ?? '') + resumed[1];
      pending.delete(pid);
    } else if (t.endsWith(' <unfinished ...>')) {
      pending.set(pid, t.slice(0, -' <unfinished ...>'.length));
      continue;
    }
    if (!byPid.has(pid)) byPid.set(pid, []);
    byPid.get(pid)!.push(t);
  }
  return [...byPid.values()];
}

/** Only the compared lines, with addresses, inode numbers and pids replaced. */
function normalise(procs: string[][]): string[][] {
  return procs.map((lines) => lines
    .filter((l) => COMPARED.has(/^([a-z0-9_]+)\(/.exec(l)?.[1] ?? '') || l.startsWith('--- SIGPIPE'))
    // stdio is the console here (a character device, so stdio asks it TCGETS) and a pipe natively
    .filter((l) => !/^ioctl\([012][<,]/.test(l))
    .map((l) => l
      .replace(/\s+= /, ' = ')
      .replace(/0x[0-9a-f]+/g, '0xADDR')
      .replace(/(UNIX(?:-STREAM)?|pipe):\[\d+(->\d+)?/g, (_m, p, peer) => `${p}:[INO${peer ? '->INO' : ''}`)
      .replace(/\b(si_pid|pid)=\d+/g, '$1=PID')
      // the child's pid as wait4's and waitid's target and wait4's result
      .replace(/^(wait4\(|waitid\(P_PID, )[1-9]\d*/, '$1PID')
      .replace(/^(wait4\(.*) = [1-9]\d*$/, '$1 = PID')));
}

function nativeLines(extra: string[]): string[][] {
  const bin = join(dir, 'native');
  const log = join(dir, `strace${extra.join('')}.log`);
  const r = spawnSync(requireStrace(), ['-f', '-qq', ...extra, '-o', log, bin, sockPath, abstractName], { timeout: 30_000 });
  if (r.status !== 0) throw new Error(`native run failed: ${r.stderr}`);
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => {
    const m = /^(\d+)\s+(.*)$/.exec(l)!;
    return { pid: Number(m[1]), text: m[2] };
  });
  return normalise(perProcess(lines));
}

function unixsimLines(fdPaths: boolean, seed: number): string[][] {
  const u = onUnixsim(join(dir, 'riscv'), [sockPath, abstractName], { seed, recordText: true });
  expect(u.stdout).toBe('done 0\n');
  const text = renderText(u.run.events, { time: false, fdPaths, wakes: false });
  const lines = text.split('\n').filter(Boolean).map((l) => {
    const m = /^\[pid (\d+)\] (.*)$/.exec(l)!;
    return { pid: Number(m[1]), text: m[2] };
  });
  return normalise(perProcess(lines));
}

beforeAll(() => {
  requireStrace();
  dir = mkdtempSync(join(tmpdir(), 'unixsim-strace-'));
  sockPath = join(dir, 's.sock');
  abstractName = `unixsim-strace-${process.pid}`;
  for (const [cc, out] of [['gcc', 'native'], [requireCrossCompiler(), 'riscv']] as const) {
    const r = spawnSync(cc, ['-static', '-O2', '-o', join(dir, out), SRC]);
    if (r.status !== 0) throw new Error(`building strace_socks.c with ${cc} failed:\n${r.stderr}`);
  }
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the text trace prints socket calls exactly as strace does', () => {
  it('strace -f: every socket call of both processes, line for line', () => {
    const native = nativeLines([]);
    expect(native.length).toBe(2);
    expect(native[0].length).toBeGreaterThan(25);
    for (const seed of [1, 2]) expect(unixsimLines(false, seed)).toEqual(native);
  });

  it('strace -f -yy: fds annotated with what they refer to (--fd-paths)', () => {
    const native = nativeLines(['-yy']);
    // strace -yy learns a socket's peer through sock_diag, and a connection
    // not yet accepted has no inode (sock_i_ino of the embryo is 0): whether
    // the client's call right after connect shows "->INO" depends on whether
    // the server's accept ran first. unixsim follows the same rule, but the
    // two runs interleave differently, so a line may differ by that peer
    // alone, in either direction.
    const noPeer = (l: string): string => l.replace(/->INO\]/g, ']');
    const sim = unixsimLines(true, 1).map((lines, i) =>
      lines.map((l, j) => (native[i]?.[j] !== undefined && native[i][j] !== l && noPeer(native[i][j]) === noPeer(l) ? native[i][j] : l)),
    );
    expect(sim).toEqual(native);
  });
});
