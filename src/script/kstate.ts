// A readable snapshot of the kernel's state, for scenario checks and
// failure reports: every open file and who holds it, every AF_UNIX socket
// with its state, queue lengths and backlog, the file descriptors in
// flight (SCM_RIGHTS not yet received), and every task with what it sleeps
// on. "Nothing left in flight" is `run.state().inflight.length === 0`.
import type { Kernel } from '../kernel/kernel.ts';
import type { OpenFile } from '../kernel/file.ts';
import type { UnixNet } from '../unix/namespace.ts';
import type { Socket, SockState } from '../unix/socket.ts';
import { SOCK_DGRAM, SOCK_SEQPACKET } from '../unix/constants.ts';

export interface FileView {
  /** the kernel's open-file id (stable within a run) */
  id: number;
  /** "socket:[20001]", "pipe:[3]", "/tmp/f" ... */
  what: string;
  /** opened for reading, writing or both */
  access: 'r' | 'w' | 'rw';
  refs: number;
  /** the descriptors that refer to it: pid (the process) and fd */
  fds: { pid: number; fd: number }[];
  /** references held by messages in flight (SCM_RIGHTS sent and not yet received or collected) */
  inflight: number;
}

export interface SocketView {
  ino: number;
  /** "socket:[ino]", as the file view and the trace name it */
  name: string;
  type: 'stream' | 'dgram' | 'seqpacket';
  state: SockState;
  /** the bound name: a path, "@name" for an abstract one (as ss prints it), null when unbound */
  addr: string | null;
  /** the peer's ino (kept after the peer closes, as Linux keeps unix_peer) */
  peer: number | null;
  /** messages and unread bytes on its receive queue */
  queued: { messages: number; bytes: number };
  /** bytes its own sent messages still charge to its send buffer (SIOCOUTQ) */
  sendQueued: number;
  /** SHUT_RD = 1 | SHUT_WR = 2 as received */
  shutdown: number;
  /** no file refers to it any more (released; lingers while its messages are charged) */
  dead: boolean;
  /** listening sockets: connections waiting for accept, the backlog, and tasks sleeping in accept */
  listener: { pending: number; backlog: number; acceptors: number } | null;
  /** fds carried by messages on its receive queue */
  inflightFds: number;
}

export interface TaskView {
  /** the process (thread group) id */
  pid: number;
  tid: number;
  label: string;
  /** zombie: exited, not yet reaped by its parent; exited: a first thread that ended while its other threads run on */
  state: 'runnable' | 'blocked' | 'zombie' | 'exited';
  /** the wait queue a blocked task sleeps on ("socket:[20001] readers") */
  sleepsOn: string | null;
  /** its open descriptors: fd and what it refers to */
  fds: { fd: number; what: string }[];
}

export interface KernelState {
  files: FileView[];
  sockets: SocketView[];
  /** every file referenced by a message in flight, once per reference */
  inflight: { what: string; on: string | null }[];
  /** tasks not yet reaped (zombies included) */
  tasks: TaskView[];
}

function typeName(t: number): SocketView['type'] {
  return t === SOCK_DGRAM ? 'dgram' : t === SOCK_SEQPACKET ? 'seqpacket' : 'stream';
}

function addrName(s: Socket): string | null {
  const a = s.addr;
  if (!a || a.bytes.length <= 2) return null;
  if (a.path !== null) return a.path;
  // an abstract name: the bytes after the leading NUL, unprintable bytes escaped
  const name = [...a.bytes.subarray(3)].map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`)).join('');
  return `@${name}`;
}

/** Builds the snapshot (cost: one pass over tasks, files and sockets). */
export function kernelState(k: Kernel, net: UnixNet | null): KernelState {
  const holders = new Map<OpenFile, { pid: number; fd: number }[]>();
  const tasks: TaskView[] = [];
  const seenTables = new Set<unknown>();
  for (const t of k.tasks.values()) {
    const fds: TaskView['fds'] = [];
    if (t.state !== 'exited') {
      for (const [fd, f] of t.fds.entries()) {
        fds.push({ fd, what: f.ops.describe(f) });
        if (seenTables.has(t.fds)) continue;
        let h = holders.get(f);
        if (!h) holders.set(f, (h = []));
        h.push({ pid: t.tgid, fd });
      }
      seenTables.add(t.fds);
    }
    tasks.push({
      pid: t.tgid, tid: t.pid, label: t.label,
      state: t.state === 'exited' ? (t.zombie ? 'zombie' : 'exited') : t.state === 'blocked' ? 'blocked' : 'runnable',
      sleepsOn: t.state === 'blocked' ? t.waitingOn : null,
      fds,
    });
  }
  const inflightCount = net?.inflight.count;
  const files: FileView[] = [...k.files.live.values()].map((f) => ({
    id: f.id, what: f.ops.describe(f), access: f.readable ? (f.writable ? 'rw' : 'r') : 'w', refs: f.refs, fds: holders.get(f) ?? [], inflight: inflightCount?.get(f) ?? 0,
  }));
  const sockets: SocketView[] = [];
  const inflight: KernelState['inflight'] = [];
  for (const s of net?.sockets.values() ?? []) {
    let inflightFds = 0;
    for (const m of s.recvQueue.msgs) {
      if (!m.rights) continue;
      inflightFds += m.rights.files.length;
      for (const f of m.rights.files) inflight.push({ what: f.ops.describe(f), on: s.describe() });
    }
    sockets.push({
      ino: s.ino, name: s.describe(), type: typeName(s.type), state: s.state, addr: addrName(s), peer: s.peer?.ino ?? null,
      queued: { messages: s.recvQueue.length, bytes: s.recvQueue.bytes }, sendQueued: s.sendBuf.wmem,
      shutdown: s.shutdown, dead: s.dead,
      listener: s.listener ? { pending: s.listener.pending.length, backlog: s.listener.backlog, acceptors: s.listener.acceptWait.length } : null,
      inflightFds,
    });
  }
  for (const r of net?.inflight.transit ?? []) for (const f of r.files) inflight.push({ what: f.ops.describe(f), on: null });
  return { files, sockets, inflight, tasks };
}

/** The snapshot as report lines (one per object), or [] when nothing is left. */
export function describeKernelState(s: KernelState): string[] {
  const out: string[] = [];
  for (const t of s.tasks) {
    const fds = t.fds.length ? `, fds ${t.fds.map((f) => `${f.fd}=${f.what}`).join(' ')}` : '';
    out.push(`task ${t.label}: ${t.state}${t.sleepsOn ? ` on ${t.sleepsOn}` : ''}${fds}`);
  }
  for (const f of s.files) {
    const by = f.fds.length ? ` held by ${f.fds.map((h) => `pid ${h.pid} fd ${h.fd}`).join(', ')}` : '';
    out.push(`file ${f.what} (${f.access}): refs ${f.refs}${by}${f.inflight ? `, ${f.inflight} in flight` : ''}`);
  }
  for (const x of s.sockets) {
    const parts: string[] = [x.type, x.state];
    if (x.addr !== null) parts.push(`bound ${x.addr}`);
    if (x.peer !== null) parts.push(`peer socket:[${x.peer}]`);
    parts.push(`queue ${x.queued.messages} msg/${x.queued.bytes} B`);
    if (x.sendQueued) parts.push(`sent-unread ${x.sendQueued} B`);
    if (x.shutdown) parts.push(`shutdown ${x.shutdown}`);
    if (x.listener) parts.push(`backlog ${x.listener.pending}/${x.listener.backlog}, ${x.listener.acceptors} in accept`);
    if (x.inflightFds) parts.push(`${x.inflightFds} fd(s) in flight`);
    if (x.dead) parts.push('released');
    out.push(`${x.name}: ${parts.join(', ')}`);
  }
  return out;
}
