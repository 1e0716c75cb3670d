// `unixsim diff`: parsing strace-format logs (strace's own, qemu-riscv64
// -strace's, unixsim's text trace), aligning two runs per process and
// naming the first call whose result differs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { execImage } from '../../src/exec.ts';
import { renderText } from '../../src/sched/trace.ts';
import { compareRuns, parseQemuStrace, parseStraceLog } from '../../src/trace-diff.ts';

const LOG = `4100  socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3
4100  accept4(3,  <unfinished ...>
[pid  4101] connect(5, {sa_family=AF_UNIX, sun_path="/tmp/s"}, 110) = 0
4100  <... accept4 resumed>{sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC) = 4
4100  recvfrom(4, 0x7ffd, 64, MSG_DONTWAIT, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)
4100  fcntl(4, F_GETFL) = 0x2 (flags O_RDWR)
--- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=4100, si_uid=0} ---
4100  read(0,  <unfinished ...>
4100  <... read resumed>0x7ffd, 1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)
4101  +++ exited with 0 +++`;

describe('unixsim diff', () => {
  it('parses strace logs: pids, split calls joined, errno names, hex results, restarts', () => {
    const calls = parseStraceLog(LOG);
    expect(calls.map((c) => [c.pid, c.name, c.ret])).toEqual([
      [4100, 'socket', 3], [4101, 'connect', 0], [4100, 'accept4', 4], [4100, 'recvfrom', -11], [4100, 'fcntl', 2],
      [4100, 'read', -512],
    ]);
    expect(calls[2].line).toBe('accept4(3, {sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC) = 4');
    // qemu's format, and its interleaving: results printed while two processes live are not trusted
    const q = parseQemuStrace('10 socket(PF_UNIX,SOCK_STREAM,IPPROTO_IP) = 3\n10 recvfrom(3,1,2,0,0,0) = -1 errno=11 (Resource temporarily unavailable)\n' +
      '10 clone(0x11,child_stack=0x0) = 0\n11 close(3) = 0\n10 read(3,0x1,1) = 5\n11 exit_group(0)\n10 write(1,0x2,1) = 1\n');
    expect(q.map((c) => [c.pid, c.name, c.ret])).toEqual([
      [10, 'socket', 3], [10, 'recvfrom', -11], [10, 'clone', null], [11, 'close', null], [10, 'read', null], [11, 'exit_group', null], [10, 'write', 1],
    ]);
  });

  it('aligns per process and names the first differing result', () => {
    const a = parseStraceLog(LOG);
    expect(compareRuns(a, parseStraceLog(LOG.replaceAll('4100', '1').replaceAll('4101', '2')), true).difference).toBeNull();
    const changed = parseStraceLog(LOG.replace('= -1 EAGAIN (Resource temporarily unavailable)', '= 0'));
    const d = compareRuns(a, changed, true).difference!;
    expect([d.process, d.why, d.linux!.name, d.linux!.ret, d.unixsim!.ret]).toEqual([1, 'different results', 'recvfrom', -11, 0]);
    const missing = parseStraceLog(LOG.replace(/^4100 {2}fcntl.*$/m, ''));
    expect(compareRuns(a, missing, true).difference!.why).toBe('a call unixsim did not make');
  });

  it('--against: a log of the same program agrees; one changed result is reported with both lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unixsim-diff-'));
    try {
      const path = join(process.cwd(), 'guest/bin/sigpipe');
      const r = execImage(path, new Uint8Array(readFileSync(path)), { seed: 1, recordText: true });
      const log = renderText(r.events);
      writeFileSync(join(dir, 'same.log'), log);
      const out: string[] = [];
      expect(await main(['diff', '--against', join(dir, 'same.log'), path], (s) => out.push(s))).toBe(0);
      expect(out[0]).toMatch(/identical to .*same\.log: \d+ calls compared in 5 processes/);
      const edited = log.replace('write(4, "data", 4) = -1 EPIPE (Broken pipe)', 'write(4, "data", 4) = 4');
      expect(edited).not.toBe(log);
      writeFileSync(join(dir, 'edited.log'), edited);
      out.length = 0;
      expect(await main(['diff', '--against', join(dir, 'edited.log'), path], (s) => out.push(s))).toBe(1);
      expect(out.slice(0, 3).join('\n')).toMatch(/first difference in process 1, call \d+ \(different results\):\n {2}linux: {3}\[pid 1\] write\(4, "data", 4\) = 4\n {2}unixsim: \[pid 1\] write\(4, "data", 4\) = -1 EPIPE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('against qemu-riscv64 -strace: a program unixsim runs as Linux does is identical (exit 0)', async () => {
    const out: string[] = [];
    expect(await main(['diff', 'guest/bin/mmapbrk'], (s) => out.push(s))).toBe(0);
    expect(out[0]).toMatch(/identical to qemu-riscv64: \d+ calls compared in 1 process/);
  });
});
