// AF_UNIX sockets: registers the socket syscalls, the planted bugs and the
// socket invariants into a kernel. See socket.ts for the object model.
import { registerDgram } from './dgram.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { NetNamespace } from '../kernel/namespaces.ts';
import { UnixNet } from './namespace.ts';
import type { Sender } from './queue.ts';
import { Socket } from './socket.ts';
import { registerSocketCalls } from './syscalls.ts';
import { SOCK_STREAM } from './constants.ts';
import { dgramTruesize, streamTruesize } from './truesize.ts';

export { UNIX_PLANTED_BUGS } from '../kernel/bugs.ts';


export function registerUnix(k: Kernel): UnixNet {
  const net = new UnixNet(k);
  registerSocketCalls(k, net);
  k.checks.push(() => checkUnix(k, net));
  registerDgram(k, net);
  // SCM_RIGHTS: references held by queued or in-transit messages (src/unix/inflight.ts)
  k.refHolders.push(() => net.inflight.held());
  k.checks.push(() => net.inflight.check());
  k.procFiles.set('/proc/net/unix', (t) => procNetUnix(net, t.nsproxy.net));
  return net;
}

/**
 * /proc/net/unix as unix_seq_show prints it: every socket of the reader's
 * network namespace not yet released, here in creation order (Linux walks its hash buckets). The kernel address
 * (%pK) prints as zeros and the reference count as 2, both kernel internals.
 */
export function procNetUnix(net: UnixNet, netns: NetNamespace): string {
  const lines = ['Num       RefCount Protocol Flags    Type St Inode Path'];
  for (const s of net.sockets.values()) {
    if (s.dead || s.netns !== netns) continue;
    const established = s.state === 'connected';
    // SS_UNCONNECTED 1, SS_CONNECTING 2, SS_CONNECTED 3, SS_DISCONNECTING 4; an embryo has no struct socket yet
    const st = s.file ? (established ? 3 : 1) : established ? 2 : 4;
    const hex = (v: number, w: number) => v.toString(16).toUpperCase().padStart(w, '0');
    let line = `0000000000000000: ${hex(2, 8)} ${hex(0, 8)} ${hex(s.state === 'listening' ? 0x10000 : 0, 8)} ${hex(s.type, 4)} ${hex(st, 2)} ${String(s.ino).padStart(5)}`;
    const a = s.addr?.bytes;
    if (a && a.length > 2) {
      const sun = a.subarray(2);
      let name: string;
      if (sun[0] !== 0) {
        const end = sun.indexOf(0);
        name = String.fromCharCode(...(end < 0 ? sun : sun.subarray(0, end)));
      } else {
        name = '@' + Array.from(sun.subarray(1), (c) => (c === 0 ? '@' : String.fromCharCode(c))).join('');
      }
      line += ' ' + name;
    }
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

/** Socket invariants: send-buffer accounting (each message charged its truesize; a sender's wmem is the sum of its live messages' charges), queue byte counts, backlog bounds, one file per socket. */
export function checkUnix(k: Kernel, net: UnixNet): string | null {
  const charged = new Map<Sender, number>();
  // the collector's hitlist: taken off their queues, not freed yet
  for (const [, m] of net.inflight.hitlist) charged.set(m.sender, (charged.get(m.sender) ?? 0) + m.charge);
  for (const s of net.sockets.values()) {
    let bytes = 0;
    for (const m of s.recvQueue.msgs) {
      if (!(m.sender instanceof Socket) || !net.sockets.has(m.sender.id)) {
        return `${s.describe()} holds a message from a freed socket`;
      }
      // each message is charged its skb's truesize (truesize.ts), however much of it was read
      const truesize = s.type === SOCK_STREAM ? streamTruesize(m.length) : dgramTruesize(m.length);
      if (m.charge !== truesize) {
        return `${s.describe()} holds a message of ${m.length} bytes charged ${m.charge}, not its truesize ${truesize}`;
      }
      charged.set(m.sender, (charged.get(m.sender) ?? 0) + m.charge);
      bytes += m.remaining;
    }
    if (bytes !== s.recvQueue.bytes) return `${s.describe()} counts ${s.recvQueue.bytes} unread bytes but holds ${bytes}`;
    if (s.dead && s.recvQueue.length > 0) return `${s.describe()} was released with messages still queued`;
    const bl = s.listener;
    if (bl && s.state === 'listening') {
      if (bl.pending.length > bl.peak + 1) {
        return `${s.describe()} has ${bl.pending.length} pending connections, more than backlog ${bl.peak} + 1`;
      }
      for (const e of bl.pending) {
        if (e.dead || e.file || e.state !== 'connected') return `${s.describe()} has a pending connection ${e.describe()} that is not a live embryo`;
      }
    }
  }
  for (const s of net.sockets.values()) {
    const q = (charged.get(s) ?? 0) + s.sendBuf.inTransit;
    if (q !== s.sendBuf.wmem) {
      return `${s.describe()} has ${s.sendBuf.wmem} bytes charged to its send buffer but ${q} bytes queued from it`;
    }
  }
  const files = new Map<Socket, number>();
  for (const f of k.files.live.values()) {
    if (!(f.ops instanceof Socket)) continue;
    const s = f.ops;
    const n = (files.get(s) ?? 0) + 1;
    files.set(s, n);
    if (n > 1) return `${s.describe()} is the socket of ${n} open files (accepted twice?)`;
    if (s.dead) return `${s.describe()} is released but open file ${f.id} still refers to it`;
  }
  return null;
}
