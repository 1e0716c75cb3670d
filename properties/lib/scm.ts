// Random fd-passing programs for the SCM_RIGHTS properties: the generator
// (one arbitrary), the interpreter (a scenario of scripted processes), the
// two properties and their failure report.
//
// A program: a root process makes 1-2 shared socket pairs (stream or
// seqpacket) and forks 1-3 children; every process then runs its own list
// of operations: open a regular file, make a private socket pair, sendmsg a
// record with 0-3 of its fds (SCM_RIGHTS), recvmsg (or plain recv, or
// MSG_PEEK) with a random control-buffer size, close an fd, move a file
// offset, check an fd's identity. Every socket call is nonblocking, so a
// program cannot deadlock on a correct kernel; exit closes what is left.
//
// A host-side model follows every open file description ("instance"): its
// offset (unique per instance: set to 1000*id at open) or socket inode, and
// the messages each socket has queued. Since a step runs one syscall and
// the script code up to the next, the model is updated exactly in the
// order the syscalls complete, and each receive is checked against it.
import fc from 'fast-check';
import { writeFailureFile } from '../../src/check/failures.ts';
import { replayCommand } from '../../src/explore/run-flags.ts';
import { O_RDWR, SEEK_CUR, SEEK_SET } from '../../src/kernel/abi.ts';
import { EAGAIN, ECONNRESET, EPIPE, errnoName } from '../../src/kernel/errno.ts';
import { runScenario, type RunResult } from '../../src/script/runner.ts';
import { defineScenario, type Scenario } from '../../src/script/scenario.ts';
import { HARTS } from './harts.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';
import { propertyRuns } from './profile.ts';
import {
  AF_UNIX, MSG_CMSG_CLOEXEC, MSG_CTRUNC, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_PEEK, SOCK_SEQPACKET, SOCK_STREAM,
} from '../../src/unix/constants.ts';

// ---- programs ----

export type ScmOp =
  | { k: 'open'; file: number }
  | { k: 'pair'; seqpacket: boolean }
  | { k: 'send'; sock: number; fds: number[] }
  | { k: 'recv'; sock: number; records: number; ctl: number; peek: boolean; cloexec: boolean; plain: boolean }
  | { k: 'close'; slot: number }
  | { k: 'move'; slot: number }
  | { k: 'check'; slot: number };

export interface ScmProgram {
  /** the shared pairs the root makes before forking: true = seqpacket */
  pairs: boolean[];
  /** one op list per process (the first is the root's) */
  procs: ScmOp[][];
  preempt: boolean;
}

export interface ScmCase {
  program: ScmProgram;
  seed: number;
  strategy: 'random' | 'pct';
}

const CTL_SIZES = [0, 16, 20, 24, 28, 32, 64, 1064];

const opArb: fc.Arbitrary<ScmOp> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ k: fc.constant('open' as const), file: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('pair' as const), seqpacket: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('send' as const), sock: fc.nat(7), fds: fc.array(fc.nat(15), { maxLength: 3 }) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('recv' as const),
      sock: fc.nat(7),
      records: fc.integer({ min: 1, max: 3 }),
      ctl: fc.constantFrom(...CTL_SIZES),
      peek: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      cloexec: fc.boolean(),
      plain: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('close' as const), slot: fc.nat(15) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('move' as const), slot: fc.nat(15) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('check' as const), slot: fc.nat(15) }) },
);

export const scmProgramArb: fc.Arbitrary<ScmProgram> = fc.record({
  pairs: fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }),
  procs: fc.array(fc.array(opArb, { maxLength: 12 }), { minLength: 2, maxLength: 4 }),
  preempt: fc.boolean(),
});

export const scmCaseArb: fc.Arbitrary<ScmCase> = fc.record({
  program: scmProgramArb,
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  strategy: fc.constantFrom<'random' | 'pct'>('random', 'pct'),
});

// ---- the model and the interpreter ----

interface Inst {
  id: number;
  kind: 'file' | 'sock';
  /** file: the offset the model expects */
  offset: number;
  /** socket: its inode number, and the instance of its peer */
  ino: number;
  peer: number;
  seqpacket: boolean;
}

interface Record {
  id: number;
  insts: number[];
}

interface Slot {
  fd: number;
  inst: number;
}

export class ScmModel {
  readonly insts: Inst[] = [];
  /** per socket instance: the records queued on its receive queue, oldest first */
  readonly queues = new Map<number, Record[]>();
  readonly problems: string[] = [];
  private nextMsg = 1;

  newInst(kind: 'file' | 'sock', seqpacket = false): Inst {
    const i: Inst = { id: this.insts.length, kind, offset: 0, ino: 0, peer: -1, seqpacket };
    this.insts.push(i);
    if (kind === 'sock') this.queues.set(i.id, []);
    return i;
  }

  msgId(): number {
    return this.nextMsg++;
  }

  problem(pid: number, what: string): void {
    this.problems.push(`pid ${pid}: ${what}`);
  }
}

const FILES = ['/tmp/scm0', '/tmp/scm1'];
const REC = 4;

function record(id: number): Uint8Array {
  return Uint8Array.of(0x4d, id & 0xff, (id >> 8) & 0xff, (id >> 16) & 0xff);
}

function recordIds(b: Uint8Array): number[] | null {
  if (b.length % REC) return null;
  const out: number[] = [];
  for (let i = 0; i < b.length; i += REC) {
    if (b[i] !== 0x4d) return null;
    out.push(b[i + 1] | (b[i + 2] << 8) | (b[i + 3] << 16));
  }
  return out;
}

const res = (r: number) => (r < 0 ? `-${errnoName(-r)}` : String(r));

/** Checks that fd refers to instance `inst` (offset for files, inode for sockets). */
function* identity(sys: Sys, m: ScmModel, fd: number, inst: number, why: string): SysGen<void> {
  const i = m.insts[inst];
  if (i.kind === 'file') {
    const off = yield* sys.lseek(fd, 0, SEEK_CUR);
    if (off !== i.offset) m.problem(sys.pid, `${why}: fd ${fd} is at offset ${res(off)}, instance ${inst} is at ${i.offset} (not the same open file description)`);
  } else {
    const st = yield* sys.fstat(fd);
    if (st.stat?.ino !== i.ino) m.problem(sys.pid, `${why}: fd ${fd} is socket inode ${st.stat?.ino}, instance ${inst} is inode ${i.ino}`);
  }
}

function* newPair(sys: Sys, m: ScmModel, seqpacket: boolean, slots: Slot[]): SysGen<void> {
  const p = yield* sys.socketpair(AF_UNIX, seqpacket ? SOCK_SEQPACKET : SOCK_STREAM);
  if (p.ret !== 0) return m.problem(sys.pid, `socketpair gave ${res(p.ret)}`);
  const a = m.newInst('sock', seqpacket);
  const b = m.newInst('sock', seqpacket);
  a.peer = b.id;
  b.peer = a.id;
  a.ino = (yield* sys.fstat(p.fds[0])).stat?.ino ?? -1;
  b.ino = (yield* sys.fstat(p.fds[1])).stat?.ino ?? -1;
  slots.push({ fd: p.fds[0], inst: a.id }, { fd: p.fds[1], inst: b.id });
}

function* runOps(sys: Sys, m: ScmModel, ops: ScmOp[], slots: Slot[]): SysGen<void> {
  const socks = () => slots.filter((s) => m.insts[s.inst].kind === 'sock');
  for (const op of ops) {
    switch (op.k) {
      case 'open': {
        const fd = yield* sys.open(FILES[op.file], O_RDWR);
        if (fd < 0) {
          m.problem(sys.pid, `open gave ${res(fd)}`);
          break;
        }
        const i = m.newInst('file');
        i.offset = 1000 * (i.id + 1);
        yield* sys.lseek(fd, i.offset, SEEK_SET);
        slots.push({ fd, inst: i.id });
        break;
      }
      case 'pair':
        yield* newPair(sys, m, op.seqpacket, slots);
        break;
      case 'send': {
        const ss = socks();
        if (!ss.length) break;
        const s = ss[op.sock % ss.length];
        const passing = op.fds.map((x) => slots[x % slots.length]);
        const id = m.msgId();
        const r = yield* sys.sendmsg(s.fd, { data: record(id), fds: passing.map((p) => p.fd) }, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (r === REC) m.queues.get(m.insts[s.inst].peer)!.push({ id, insts: passing.map((p) => p.inst) });
        else if (r !== -EAGAIN && r !== -EPIPE && r !== -ECONNRESET) m.problem(sys.pid, `sendmsg gave ${res(r)}`);
        break;
      }
      case 'recv': {
        const ss = socks();
        if (!ss.length) break;
        const s = ss[op.sock % ss.length];
        const inst = m.insts[s.inst];
        const q = m.queues.get(s.inst)!;
        const n = inst.seqpacket ? 16 : REC * op.records;
        let data: Uint8Array;
        let ret: number;
        let fds: number[] = [];
        let flags = 0;
        if (op.plain) {
          const r = yield* sys.recv(s.fd, n, MSG_DONTWAIT | (op.peek ? MSG_PEEK : 0));
          ret = r.ret;
          data = r.data;
        } else {
          const r = yield* sys.recvmsg(s.fd, {
            n,
            controlLen: op.ctl,
            flags: MSG_DONTWAIT | (op.peek ? MSG_PEEK : 0) | (op.cloexec ? MSG_CMSG_CLOEXEC : 0),
          });
          ({ ret, data, fds, flags } = r);
        }
        // what the queue model says this receive must return
        const want: Record[] = [];
        for (const rec of q) {
          if (want.length === (inst.seqpacket ? 1 : op.records)) break;
          want.push(rec);
          if (rec.insts.length) break; // the stream barrier (item 117)
        }
        if (ret < 0 || ret === 0) {
          // seqpacket reports a pending ECONNRESET before queued data (item 49); the data stays
          if (ret === -ECONNRESET && inst.seqpacket) break;
          if (want.length) m.problem(sys.pid, `recv on instance ${s.inst} gave ${res(ret)} but message ${want[0].id} is queued`);
          else if (ret !== -EAGAIN && ret !== 0 && ret !== -ECONNRESET) m.problem(sys.pid, `recv gave ${res(ret)}`);
          break;
        }
        const ids = recordIds(data);
        const wantIds = want.map((w) => w.id);
        if (!ids || ids.join() !== wantIds.join()) {
          m.problem(sys.pid, `recv on instance ${s.inst} returned messages [${ids?.join() ?? 'garbage'}], the queue model says [${wantIds.join()}] (message lost, duplicated or reordered)`);
          break;
        }
        if (!op.peek) q.splice(0, want.length);
        let carried = want.length ? want[want.length - 1].insts : [];
        // A stream peek goes on past a full buffer in chunks of 0 bytes (unix_stream_read_generic) and peeks
        // the files of the first later message that carries any: a 1-byte peek can return the next one's fds
        if (op.peek && !inst.seqpacket && !carried.length) carried = q.slice(want.length).find((r) => r.insts.length)?.insts ?? [];
        const fdmax = op.plain || op.ctl <= 16 ? 0 : Math.floor((op.ctl - 16) / 4);
        const expectN = Math.min(carried.length, fdmax);
        if (fds.length !== expectN) m.problem(sys.pid, `recv got ${fds.length} fds of ${carried.length} sent (room for ${fdmax})`);
        if (!op.plain && ((flags & MSG_CTRUNC) !== 0) !== (fds.length < carried.length)) {
          m.problem(sys.pid, `MSG_CTRUNC is ${(flags & MSG_CTRUNC) !== 0} with ${fds.length} of ${carried.length} fds installed`);
        }
        for (let i = 0; i < fds.length && i < carried.length; i++) {
          yield* identity(sys, m, fds[i], carried[i], `fd received from message ${want[want.length - 1].id}`);
          slots.push({ fd: fds[i], inst: carried[i] });
        }
        break;
      }
      case 'close': {
        if (!slots.length) break;
        const [s] = slots.splice(op.slot % slots.length, 1);
        const r = yield* sys.close(s.fd);
        if (r !== 0) m.problem(sys.pid, `close(${s.fd}) gave ${res(r)}`);
        break;
      }
      case 'move': {
        const fs = slots.filter((s) => m.insts[s.inst].kind === 'file');
        if (!fs.length) break;
        const s = fs[op.slot % fs.length];
        const r = yield* sys.lseek(s.fd, 1, SEEK_CUR);
        const i = m.insts[s.inst];
        if (r !== i.offset + 1) m.problem(sys.pid, `lseek(+1) on instance ${i.id} gave ${res(r)}, expected ${i.offset + 1}`);
        i.offset += 1;
        break;
      }
      case 'check': {
        if (!slots.length) break;
        const s = slots[op.slot % slots.length];
        yield* identity(sys, m, s.fd, s.inst, 'check');
        break;
      }
    }
  }
}

/** The program as a scenario; the model is created fresh when the run starts. */
export function scmScenario(p: ScmProgram, name = 'scm-program'): { scenario: Scenario; model: () => ScmModel } {
  let model = new ScmModel();
  const scenario = defineScenario({
    name,
    description: 'a generated fd-passing program (properties/lib/scm.ts)',
    kernel: { kernelPreemption: p.preempt, harts: HARTS },
    files: { [FILES[0]]: 'zero', [FILES[1]]: 'one' },
    maxSteps: 20_000,
    processes: [
      {
        name: 'root',
        *program(sys) {
          model = new ScmModel();
          const m = model;
          const slots: Slot[] = [];
          for (const seq of p.pairs) yield* newPair(sys, m, seq, slots);
          const kids: number[] = [];
          for (let i = 1; i < p.procs.length; i++) {
            const mine = slots.map((s) => ({ ...s }));
            kids.push(yield* sys.fork((sys) => runOps(sys, m, p.procs[i], mine)));
          }
          yield* runOps(sys, m, p.procs[0], slots);
          for (const k of kids) yield* sys.wait(k);
          return 0;
        },
      },
    ],
    checks: { 'fd identity': () => model.problems.join('; ') || true },
  });
  return { scenario, model: () => model };
}

// ---- the properties ----

export interface ScmRun {
  r: RunResult;
  model: ScmModel;
}

export function runScmCase(cs: ScmCase, bugs: readonly string[], checkInvariants: boolean): ScmRun {
  const { scenario, model } = scmScenario(cs.program);
  const r = runScenario(scenario, { seed: cs.seed, strategy: cs.strategy, bugs, checkInvariants });
  return { r, model: model() };
}

/** Files still referenced by queued or in-transit messages. */
function inflightLeft(r: RunResult): number {
  let n = 0;
  for (const h of r.kernel.refHolders) for (const _ of h()) n++;
  return n;
}

/** Reference conservation: invariants after every step; at the end no open file and no in-flight message. */
export function conservationProblems(run: ScmRun): string[] {
  const out = run.r.failures.filter((f) => !f.startsWith('check "fd identity"'));
  if (run.r.end.kind === 'exited') {
    const n = inflightLeft(run.r);
    if (n) out.push(`${n} file references are still in flight after every process exited`);
  }
  return out;
}

/** Identity: every fd received is the open file description that was sent, and no message is lost or reordered. */
export function identityProblems(run: ScmRun): string[] {
  return [...run.model.problems];
}

export interface ScmPropertyDef {
  name: string;
  file: string;
  numRuns: number;
  checkInvariants: boolean;
  problems(run: ScmRun): string[];
}

export const SCM_CONSERVATION: ScmPropertyDef = {
  name: 'scm-conservation',
  file: 'properties/scm-conservation.test.ts',
  numRuns: propertyRuns(500),
  checkInvariants: true,
  problems: conservationProblems,
};

export const SCM_IDENTITY: ScmPropertyDef = {
  name: 'scm-identity',
  file: 'properties/scm-identity.test.ts',
  numRuns: propertyRuns(500),
  checkInvariants: false,
  problems: identityProblems,
};

function writeCounterexample(name: string, cs: ScmCase): string {
  return writeFailureFile(
    `${name}-seed${cs.seed}`,
    `// Counterexample found by the property "${name}"; replay with the command printed next to it\n` +
      `// (from a unixsim checkout: the property interpreters are not part of the package).\n` +
      `import { scmScenario } from 'unixsim/properties/lib/scm.ts';\n` +
      `export default scmScenario(${JSON.stringify(cs.program)}, ${JSON.stringify(`counterexample-${name}`)}).scenario;\n`,
  );
}

/** Checks a property; the failure report (seed, path, shrunk program, picks, replay command) or null. */
export function checkScmProperty(def: ScmPropertyDef, bugs: readonly string[] = [], seed?: number, numRuns = def.numRuns) {
  const prop = fc.property(scmCaseArb, (cs) => {
    const ps = def.problems(runScmCase(cs, bugs, def.checkInvariants));
    if (ps.length) throw new Error(ps.join('\n'));
  });
  const envSeed = process.env.UNIXSIM_FC_SEED;
  const params: fc.Parameters<[ScmCase]> =
    envSeed !== undefined
      ? { numRuns, seed: Number(envSeed), path: process.env.UNIXSIM_FC_PATH, endOnFailure: false }
      : { numRuns, ...(seed === undefined ? {} : { seed }) };
  const details = fc.check(prop, params);
  if (!details.failed) return { report: null, details };
  const lines = [`property "${def.name}" failed after ${details.numRuns} runs and ${details.numShrinks} shrinks`];
  lines.push(`fast-check: seed ${details.seed}, path "${details.counterexamplePath}"`);
  lines.push(`  or: UNIXSIM_FC_SEED=${details.seed} UNIXSIM_FC_PATH=${details.counterexamplePath} npx vitest run ${def.file}`);
  const ce = details.counterexample?.[0];
  if (ce) {
    const run = runScmCase(ce, bugs, def.checkInvariants);
    lines.push(`run seed ${ce.seed}, strategy ${ce.strategy}${bugs.length ? `, bugs ${bugs.join(',')}` : ''}`);
    lines.push(`shrunk program: ${JSON.stringify(ce.program)}`);
    lines.push(`picks (${run.r.picks.length}): ${run.r.picks.join(',')}`);
    const file = writeCounterexample(def.name, ce);
    const opts = { seed: ce.seed, strategy: ce.strategy, bugs, checkInvariants: def.checkInvariants || undefined, kernelPreemption: ce.program.preempt || undefined, harts: HARTS > 1 ? HARTS : undefined };
    lines.push(`replay: ${replayCommand(file, opts)}`);
  }
  lines.push(`problem: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
  return { report: lines.join('\n'), details };
}
