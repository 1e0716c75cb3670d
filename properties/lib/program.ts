// Random socket programs, as data. A program is one listener (path or
// abstract name), 1-2 acceptor processes sharing it (each accepts a fixed
// quota of connections), and 1-4 client processes. Each client connects
// (blocking, or nonblocking with retry on EAGAIN), writes its tag, and then
// client and server run a half-duplex conversation: steps of N bytes from
// one side to the other, written in chunks (blocking or MSG_DONTWAIT with
// retry) and read in pieces (blocking or MSG_DONTWAIT with retry). Either
// side may stop early, by close or by shutdown(SHUT_WR) followed by
// draining to EOF; the other side then sees EOF, ECONNRESET or EPIPE and
// stops too. Clients beyond the acceptors' quotas are refused or reset when
// the listener closes.
//
// Deadlock-free by construction on a correct kernel: every blocking read
// waits for bytes the peer is about to send or for the peer's close; every
// blocking write waits for a reader that is reading; every blocking accept
// is owed a connection (quotas never exceed the clients); every blocking
// connect waits for an accept or for the listener's close.
import fc from 'fast-check';

export type Side = 'c' | 's';

export interface Step {
  /** who sends this step's bytes */
  from: Side;
  len: number;
  /** the sender's write size (the message goes out in ceil(len/chunk) writes) */
  chunk: number;
  writeNonblock: boolean;
  readNonblock: boolean;
  /** the receiver's read size */
  readSize: number;
}

export type Ending = 'close' | 'shutdown';

export interface ClientSpec {
  connectNonblock: boolean;
  steps: Step[];
  /** the client stops after this many steps (clamped to steps.length) */
  clientStop: number;
  clientEnd: Ending;
  /** the server side stops after this many steps (clamped to steps.length) */
  serverStop: number;
  serverEnd: Ending;
  /** a forked second process drains the client's socket too (two readers on one socket) */
  sharedReader: boolean;
}

export interface Program {
  addr: 'path' | 'abstract';
  backlog: number;
  /** SO_SNDBUF for every connected socket (null: the default) */
  sndbuf: number | null;
  /** PREEMPT points in kernel handlers become scheduling points (the SMP model) */
  preempt: boolean;
  /** the listener is SOCK_NONBLOCK: acceptors retry accept on EAGAIN after a short sleep */
  acceptNonblock: boolean;
  /** each acceptor's quota of connections (the first acceptor is the process that listens) */
  acceptors: number[];
  clients: ClientSpec[];
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  from: fc.constantFrom<Side>('c', 's'),
  len: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 64 }) }, { weight: 1, arbitrary: fc.integer({ min: 65, max: 12_000 }) }),
  chunk: fc.oneof(fc.constant(100_000), fc.integer({ min: 1, max: 4096 })),
  writeNonblock: fc.boolean(),
  readNonblock: fc.boolean(),
  readSize: fc.oneof(fc.constant(4096), fc.integer({ min: 1, max: 2048 })),
});

const clientArb: fc.Arbitrary<ClientSpec> = fc.record({
  connectNonblock: fc.boolean(),
  steps: fc.array(stepArb, { minLength: 0, maxLength: 4 }),
  clientStop: fc.oneof({ weight: 3, arbitrary: fc.constant(99) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4 }) }),
  clientEnd: fc.constantFrom<Ending>('close', 'shutdown'),
  serverStop: fc.oneof({ weight: 3, arbitrary: fc.constant(99) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4 }) }),
  serverEnd: fc.constantFrom<Ending>('close', 'shutdown'),
  sharedReader: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

export const programArb: fc.Arbitrary<Program> = fc.record({
  addr: fc.constantFrom<'path' | 'abstract'>('path', 'abstract'),
  backlog: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }),
  sndbuf: fc.oneof(fc.constant(null), fc.constant(4096)),
  preempt: fc.boolean(),
  acceptNonblock: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  acceptors: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 2 }),
  clients: fc.array(clientArb, { minLength: 1, maxLength: 4 }),
});

/** A program with its schedule seed and strategy: one property run. */
export interface Case {
  program: Program;
  seed: number;
  strategy: 'random' | 'pct';
}

export const caseArb: fc.Arbitrary<Case> = fc.record({
  program: programArb,
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  strategy: fc.constantFrom<'random' | 'pct'>('random', 'pct'),
});

/**
 * The quotas actually used: each acceptor's quota, cut so that together
 * they never exceed the clients (an acceptor owed no connection would
 * block for ever). Every acceptor keeps at least one when it can.
 */
export function effectiveQuotas(p: Program): number[] {
  let left = p.clients.length;
  return p.acceptors.map((a, i) => {
    const keepForOthers = p.acceptors.length - 1 - i > 0 && left > 1 ? 1 : 0;
    const q = Math.max(0, Math.min(a, left - keepForOthers));
    left -= q;
    return q;
  });
}

export function processCount(p: Program): number {
  return p.acceptors.length + p.clients.length + p.clients.filter((c) => c.sharedReader).length;
}
