// Runs a generated Program (program.ts) as scripted processes and logs what
// each one saw: connect and accept results, the tag each acceptor read, every
// byte written and read per direction, and how each reader's stream ended.
// The log is host memory shared by the scripts; since a step runs one
// syscall and the script code up to the next one, log order is the order
// in which the syscalls completed.
import { EAGAIN } from '../../src/kernel/errno.ts';
import { defineScenario, type Scenario } from '../../src/script/scenario.ts';
import type { Sys, SysGen, SockAddr } from '../../src/script/sys.ts';
import { AF_UNIX, MSG_DONTWAIT, SHUT_WR, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_SNDBUF } from '../../src/unix/constants.ts';
import { ignoreSigpipe, RETRY_NS } from './sock.ts';
import { effectiveQuotas, type ClientSpec, type Program, type Side } from './program.ts';
import { accountingProblems, integrityProblems } from './checks.ts';
import { HARTS } from './harts.ts';

export type Dir = 'c2s' | 's2c';

export type Ev =
  | { k: 'connect'; c: number; ret: number }
  | { k: 'accept'; a: number; ret: number }
  | { k: 'tag'; a: number; c: number | null; raw: string }
  | { k: 'sent'; c: number; dir: Dir; bytes: Uint8Array }
  | { k: 'recv'; c: number; dir: Dir; bytes: Uint8Array; pid: number }
  | { k: 'readEnd'; c: number; dir: Dir; ret: number; pid: number }
  | { k: 'writeErr'; c: number; dir: Dir; ret: number }
  | { k: 'acceptorDone'; a: number; accepted: number };

export const TAG_LEN = 4;
export const tagOf = (c: number): string => `<${c}>;`;

/** The byte at offset `off` of a direction's stream: depends on offset, connection and direction. */
export function streamByte(c: number, dir: Dir, off: number): number {
  return (off * 7 + (off >> 8) * 13 + c * 41 + (dir === 'c2s' ? 0 : 101)) & 0xff;
}

function streamBytes(c: number, dir: Dir, off: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = streamByte(c, dir, off + i);
  return b;
}

export function addressOf(p: Program): SockAddr {
  return p.addr === 'path' ? '/tmp/prop.sock' : { abstract: 'prop' };
}

const dirFrom = (from: Side): Dir => (from === 'c' ? 'c2s' : 's2c');

/** One side of a conversation: its steps, then its ending. */
function* runSide(sys: Sys, fd: number, spec: ClientSpec, c: number, side: Side, log: Ev[]): SysGen<void> {
  const stop = Math.min(side === 'c' ? spec.clientStop : spec.serverStop, spec.steps.length);
  const ending = side === 'c' ? spec.clientEnd : spec.serverEnd;
  const offs: Record<Dir, number> = { c2s: 0, s2c: 0 };
  let peerGone = false;
  for (let i = 0; i < stop && !peerGone; i++) {
    const step = spec.steps[i];
    const dir = dirFrom(step.from);
    if (step.from === side) {
      let left = step.len;
      while (left > 0) {
        const n = Math.min(step.chunk, left);
        const bytes = streamBytes(c, dir, offs[dir], n);
        const r = step.writeNonblock ? yield* sys.send(fd, bytes, MSG_DONTWAIT) : yield* sys.write(fd, bytes);
        if (r === -EAGAIN && step.writeNonblock) {
          yield* sys.nanosleep(RETRY_NS);
          continue;
        }
        if (r <= 0) {
          log.push({ k: 'writeErr', c, dir, ret: r });
          peerGone = true;
          break;
        }
        log.push({ k: 'sent', c, dir, bytes: bytes.subarray(0, r) });
        offs[dir] += r;
        left -= r;
      }
    } else {
      let left = step.len;
      while (left > 0) {
        const n = Math.min(step.readSize, left);
        const r = step.readNonblock ? yield* sys.recv(fd, n, MSG_DONTWAIT) : yield* sys.read(fd, n);
        if (r.ret === -EAGAIN && step.readNonblock) {
          yield* sys.nanosleep(RETRY_NS);
          continue;
        }
        if (r.ret <= 0) {
          log.push({ k: 'readEnd', c, dir, ret: r.ret, pid: sys.pid });
          peerGone = true;
          break;
        }
        log.push({ k: 'recv', c, dir, bytes: r.data, pid: sys.pid });
        left -= r.ret;
      }
    }
  }
  const inDir: Dir = side === 'c' ? 's2c' : 'c2s';
  if (side === 'c' && spec.sharedReader) {
    // two readers on one socket: a forked helper drains it too
    yield* sys.shutdown(fd, SHUT_WR);
    const helper = yield* sys.fork(function* (sys) {
      yield* drain(sys, fd, c, inDir, log);
      yield* sys.close(fd);
      return 0;
    });
    yield* drain(sys, fd, c, inDir, log);
    yield* sys.close(fd);
    if (helper > 0) yield* sys.wait(helper);
    return;
  }
  if (ending === 'shutdown') {
    yield* sys.shutdown(fd, SHUT_WR);
    yield* drain(sys, fd, c, inDir, log);
  }
  yield* sys.close(fd);
}

function* drain(sys: Sys, fd: number, c: number, dir: Dir, log: Ev[]): SysGen<void> {
  for (;;) {
    const r = yield* sys.read(fd, 512);
    if (r.ret <= 0) {
      log.push({ k: 'readEnd', c, dir, ret: r.ret, pid: sys.pid });
      return;
    }
    log.push({ k: 'recv', c, dir, bytes: r.data, pid: sys.pid });
  }
}

function* client(sys: Sys, p: Program, c: number, listener: number, log: Ev[]): SysGen<number> {
  yield* sys.close(listener);
  const spec = p.clients[c];
  const fd = yield* sys.socket(AF_UNIX, SOCK_STREAM | (spec.connectNonblock ? SOCK_NONBLOCK : 0));
  let r: number;
  for (;;) {
    r = yield* sys.connect(fd, addressOf(p));
    if (r === -EAGAIN && spec.connectNonblock) {
      yield* sys.nanosleep(RETRY_NS);
      continue;
    }
    break;
  }
  log.push({ k: 'connect', c, ret: r });
  if (r !== 0) {
    yield* sys.close(fd);
    return 0;
  }
  // the conversation is blocking or not per call (MSG_DONTWAIT), so the socket itself turns blocking
  if (spec.connectNonblock) yield* sys.fcntl(fd, 4 /* F_SETFL */, 0);
  if (p.sndbuf !== null) yield* sys.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, p.sndbuf);
  const t = yield* sys.write(fd, tagOf(c));
  if (t !== TAG_LEN) {
    log.push({ k: 'writeErr', c, dir: 'c2s', ret: t });
    // reset before accept: still read to see how the stream ends
    yield* drain(sys, fd, c, 's2c', log);
    yield* sys.close(fd);
    return 0;
  }
  yield* runSide(sys, fd, spec, c, 'c', log);
  return 0;
}

function* acceptor(sys: Sys, p: Program, a: number, quota: number, listener: number, log: Ev[]): SysGen<number> {
  let accepted = 0;
  while (accepted < quota) {
    const r = yield* sys.accept(listener);
    if (r.ret === -EAGAIN && p.acceptNonblock) {
      yield* sys.nanosleep(RETRY_NS);
      continue;
    }
    log.push({ k: 'accept', a, ret: r.ret });
    if (r.ret < 0) break;
    accepted++;
    const fd = r.ret;
    if (p.sndbuf !== null) yield* sys.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, p.sndbuf);
    const tag = yield* sys.readAll(fd, TAG_LEN);
    const raw = new TextDecoder().decode(tag.data);
    const m = /^<(\d)>;$/.exec(raw);
    const c = m && Number(m[1]) < p.clients.length ? Number(m[1]) : null;
    log.push({ k: 'tag', a, c, raw });
    if (c === null) {
      yield* sys.close(fd);
      continue;
    }
    yield* runSide(sys, fd, p.clients[c], c, 's', log);
  }
  log.push({ k: 'acceptorDone', a, accepted });
  yield* sys.close(listener);
  return 0;
}

/** A scenario running the program; `log` is cleared when the run starts. */
export function programScenario(p: Program, name = 'generated-program'): { scenario: Scenario; log: Ev[] } {
  const log: Ev[] = [];
  const quotas = effectiveQuotas(p);
  const scenario = defineScenario({
    name,
    description: 'a generated socket program (properties/lib/program.ts)',
    kernel: { kernelPreemption: p.preempt, harts: HARTS },
    maxSteps: 20_000,
    processes: [
      {
        name: 'listener',
        *program(sys) {
          log.length = 0;
          yield* ignoreSigpipe(sys);
          const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM | (p.acceptNonblock ? SOCK_NONBLOCK : 0));
          if ((yield* sys.bind(ls, addressOf(p))) !== 0) throw new Error('bind failed');
          if ((yield* sys.listen(ls, p.backlog)) !== 0) throw new Error('listen failed');
          for (let c = 0; c < p.clients.length; c++) yield* sys.fork((sys) => client(sys, p, c, ls, log));
          for (let a = 1; a < quotas.length; a++) yield* sys.fork((sys) => acceptor(sys, p, a, quotas[a], ls, log));
          return yield* acceptor(sys, p, 0, quotas[0], ls, log);
        },
      },
    ],
    checks: {
      'stream integrity': () => integrityProblems(p, log, true).join('; ') || true,
      'accept accounting': () => accountingProblems(p, log, true).join('; ') || true,
    },
  });
  return { scenario, log };
}
