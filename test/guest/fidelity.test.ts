// The AF_UNIX fidelity probe (test/guest/glibc/af_unix_probe.c): one process
// runs catalogue items (shared/AF_UNIX-SEMANTICS.md) one after another and
// prints one line per item. It is built twice at test time: for the host
// with gcc and run natively (Linux itself: the expectation), and for riscv64
// with the cross toolchain's static glibc, run under qemu-riscv64 and under
// unixsim exec. Every line is compared with the native one:
//   - qemu-riscv64 may differ only on the lines in QEMU_MISTRANSLATES, where
//     qemu-user's own syscall translation is wrong (not Linux);
//   - unixsim may differ only on the lines in UNIXSIM_KNOWN_GAPS: each entry
//     is a fidelity gap still to be closed, with the catalogue item and why.
// An entry that no longer differs fails too, so the lists cannot go stale.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onQemu, onUnixsim, requireCrossCompiler, requireQemu, type Outcome } from './qemu.ts';

const SRC = fileURLToPath(new URL('glibc/af_unix_probe.c', import.meta.url));

/** Lines (by their label, the text before the first ':') where qemu-user, not Linux, is wrong. */
const QEMU_MISTRANSLATES: Record<string, string> = {
  '1 socket': 'qemu-user translates the type flags it knows and drops unknown bits, so SOCK_STREAM|0x1000 succeeds instead of EINVAL',
  '108 control format': "qemu-user rebuilds the control buffer itself: a cmsg_len running past msg_controllen is not rejected (EINVAL) and msg_controllen 15 still sends the fds",
  '109 zero fds': 'follows from the 108 line under qemu-user: the data of its wrongly accepted sends is still queued',
  '111 no control space': 'qemu-user loses MSG_CTRUNC and reports msg_controllen 16/17 when a received SCM_RIGHTS does not fit the control buffer',
  '112 truncated fds': 'qemu-user loses MSG_CTRUNC when only some of the received fds fit',
  '125/126 credential truncation': 'qemu-user loses MSG_CTRUNC when SCM_CREDENTIALS is cut short (controllen 20 and 16)',
};

/** Lines where unixsim differs from Linux today: gaps to close, with the catalogue item. */
const UNIXSIM_KNOWN_GAPS: Record<string, string> = {};

let dir = '';
let riscv = '';
let host = '';

function hostCompiler(): string {
  const r = spawnSync('sh', ['-c', 'command -v gcc']);
  if (r.status !== 0) throw new Error('gcc not found: the fidelity test runs the probe natively as the expectation (apt-get install gcc)');
  return 'gcc';
}

function build(cc: string, args: string[], out: string): void {
  const r = spawnSync(cc, [...args, '-O2', '-o', out, SRC]);
  if (r.status !== 0) throw new Error(`building af_unix_probe.c with ${cc} failed:\n${r.stderr.toString()}`);
}

function native(path: string): Outcome {
  const r = spawnSync(path, [], { maxBuffer: 1 << 24, timeout: 60_000 });
  if (r.error) throw r.error;
  return { stdout: r.stdout.toString(), status: r.status ?? 128 };
}

const label = (line: string): string => line.slice(0, line.indexOf(':') < 0 ? line.length : line.indexOf(':'));

function byLabel(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n').filter((l) => l.length > 0)) {
    if (m.has(label(line))) throw new Error(`the probe printed the label "${label(line)}" twice`);
    m.set(label(line), line);
  }
  return m;
}

/** Every line of `got` that differs from `want`, except the allowed ones; and every allowed line that no longer differs. */
function compare(who: string, want: Map<string, string>, got: Map<string, string>, allowed: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, line] of want) {
    const g = got.get(key);
    if (g === line) {
      if (key in allowed) problems.push(`${who} now matches Linux on "${key}": remove it from the allow-list (${allowed[key]})`);
    } else if (!(key in allowed)) {
      problems.push(`${who} differs:\n  linux:   ${line}\n  ${who}: ${g ?? '(missing)'}`);
    }
  }
  for (const key of got.keys()) if (!want.has(key)) problems.push(`${who} printed an extra line "${key}"`);
  for (const key of Object.keys(allowed)) if (!want.has(key)) problems.push(`allow-list entry "${key}" names no line of the probe`);
  return problems;
}

let linux: Outcome;

beforeAll(() => {
  requireQemu();
  const cross = requireCrossCompiler();
  const cc = hostCompiler();
  dir = mkdtempSync(join(tmpdir(), 'unixsim-fidelity-'));
  riscv = join(dir, 'af_unix_probe');
  host = join(dir, 'af_unix_probe.host');
  build(cross, ['-static'], riscv);
  build(cc, [], host);
  linux = native(host);
  if (linux.status !== 0 || !linux.stdout.endsWith('done\n'))
    throw new Error(`the probe failed natively (status ${linux.status}):\n${linux.stdout}`);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('AF_UNIX fidelity probe: unixsim exec against Linux, line by line', () => {
  it('qemu-riscv64 agrees with the native run except where qemu-user is known to mistranslate', () => {
    const q = onQemu(riscv);
    expect(q.status).toBe(0);
    expect(compare('qemu', byLabel(linux.stdout), byLabel(q.stdout), QEMU_MISTRANSLATES)).toEqual([]);
  });

  it('unixsim exec agrees with the native run except for the listed gaps (kernel invariants checked every step)', () => {
    const u = onUnixsim(riscv, [], { checkInvariants: true });
    expect(u.status).toBe(linux.status);
    expect(compare('unixsim', byLabel(linux.stdout), byLabel(u.stdout), UNIXSIM_KNOWN_GAPS)).toEqual([]);
  });

  it('the probe covers sections A-F of the catalogue with one line per item group', () => {
    const items = [...byLabel(linux.stdout).keys()].map((k) => Number.parseInt(k, 10)).filter((n) => !Number.isNaN(n));
    for (const [lo, hi] of [[1, 28], [29, 74], [75, 95], [96, 103], [104, 128], [129, 133]])
      expect(items.filter((n) => n >= lo && n <= hi).length, `items ${lo}-${hi}`).toBeGreaterThan(3);
  });
});
