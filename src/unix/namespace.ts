// Where names live: the abstract namespace (one per network namespace, the
// socket's own, which is its creator's; keyed by the exact name bytes and
// the socket type, as unix_abstract_hash does) and pathname sockets, which
// the file system makes reachable from every network namespace; they are
// VFS inodes of type S_IFSOCK pointing at their socket. Also
// holds the per-kernel counters and the registry of every socket that
// still exists (for invariant checks).
import { EACCES, EADDRINUSE, ECONNREFUSED, EINVAL, ENOSPC, EPROTOTYPE } from '../kernel/errno.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { Task } from '../kernel/task.ts';
import { MAY_WRITE, type Inode } from '../kernel/vfs.ts';
import { S_IFSOCK } from '../kernel/abi.ts';
import { abstractKey, autobindAddress, type ParsedAddr, type UnixAddress } from './address.ts';
import { RMEM_DEFAULT } from './constants.ts';
import { Inflight } from './inflight.ts';
import { SkbData } from './skbdata.ts';
import { Socket } from './socket.ts';
import type { NetNamespace } from '../kernel/namespaces.ts';

/** The abstract table's key: the network namespace, then the name and type. */
const nsKey = (ns: NetNamespace, addr: UnixAddress, type: number): string => `${ns.id}:${abstractKey(addr, type)}`;

const AUTOBIND_NAMES = 1 << 20;

export class UnixNet {
  /** abstract names: nsKey(netns, addr, type) -> the bound socket */
  readonly abstract = new Map<string, Socket>();
  /** every socket not yet freed (released ones stay while their messages are still charged), by id */
  readonly sockets = new Map<number, Socket>();
  readonly defaultRcvbuf = RMEM_DEFAULT;
  /** where the bytes of short messages live (skbdata.ts) */
  readonly skbData = new SkbData();
  /** SCM_RIGHTS references held by messages, and their garbage collector */
  readonly inflight: Inflight;
  private nextId = 1;
  /** sockfs inode numbers */
  private nextIno = 20000;

  constructor(readonly k: Kernel) {
    this.inflight = new Inflight(k, this.sockets);
  }

  /** A socket in network namespace `netns` (sk_alloc: its creator's, for good). */
  newSocket(type: number, netns: NetNamespace): Socket {
    const s = new Socket(this, this.nextId++, type, this.nextIno++, netns);
    this.sockets.set(s.id, s);
    return s;
  }

  /** Forgets a released socket once nothing it sent is still queued (sk_free after the last sock_wfree). */
  maybeFree(s: Socket): void {
    if (s.dead && s.sendBuf.wmem === 0) this.sockets.delete(s.id);
  }

  /** unix_bind: binds s to a parsed address; 0 or -errno. */
  bind(t: Task, s: Socket, a: ParsedAddr): number {
    if (a.kind === 'autobind') return this.autobind(s);
    const rec = this.k.sched.recorder;
    if (a.kind === 'abstract') {
      // unix_bind_abstract: a bound socket is EINVAL before the name is looked at.
      if (s.addr) return -EINVAL;
      const key = nsKey(s.netns, a.addr, s.type);
      // one abstract name: binds of other names commute with it
      rec?.read('ns');
      rec?.write(`ns:@${key}`);
      if (this.abstract.has(key)) return -EADDRINUSE;
      this.abstract.set(key, s);
      s.addr = a.addr;
      return 0;
    }
    // unix_bind_bsd: the file is created first (EEXIST -> EADDRINUSE), and
    // only then is a socket that already has a name refused with EINVAL.
    rec?.write('vfs'); // a new inode, which every path lookup may see
    const vfs = this.k.vfs;
    const l = vfs.resolve(a.path, t.cwd, t.creds, false); // a symbolic link there, even dangling, is taken (EADDRINUSE)
    if (typeof l === 'number') return l;
    if (l.inode) return -EADDRINUSE;
    if (s.addr) return -EINVAL;
    const inode = vfs.newSocketInode(l, s.mode & ~t.umask, t.creds);
    if (typeof inode === 'number') return inode;
    inode.socket = s;
    s.inode = inode;
    s.pathInode = inode;
    s.addr = a.addr;
    return 0;
  }

  /** unix_autobind: "\0%05x" from a random start, trying each of the 2^20 names once; already bound -> 0. */
  autobind(s: Socket): number {
    if (s.addr) return 0;
    const rec = this.k.sched.recorder;
    if (rec) {
      rec.write('ns');
      rec.write('rng:kernel');
    }
    const start = this.k.rng.int(AUTOBIND_NAMES);
    let n = start;
    for (;;) {
      const addr = autobindAddress(n);
      const key = nsKey(s.netns, addr, s.type);
      if (!this.abstract.has(key)) {
        this.abstract.set(key, s);
        s.addr = addr;
        return 0;
      }
      n = (n + 1) % AUTOBIND_NAMES;
      if (n === start) return -ENOSPC;
    }
  }

  /** Removes the names s owns (the pathname file stays: only its link to the socket goes). */
  unbind(s: Socket): void {
    if (s.inode) {
      this.k.sched.recorder?.write('vfs'); // path lookups find the inode without its socket from now on
      if (s.inode.socket === s) s.inode.socket = null;
      s.inode = null;
    } else if (s.addr && s.addr.path === null) {
      const key = nsKey(s.netns, s.addr, s.type);
      if (this.abstract.get(key) === s) {
        this.k.sched.recorder?.write(`ns:@${key}`);
        this.abstract.delete(key);
      }
    }
  }

  /** unix_find_other: the socket named by a connect/sendto address from a socket of `type` in `netns`, or -errno. */
  find(t: Task, a: ParsedAddr, type: number, netns: NetNamespace): Socket | number {
    const s = this.findOther(t, a, type, netns);
    const rec = this.k.sched.recorder;
    if (rec) {
      // an abstract name is one key ("ns" is written by autobind, which scans them all); a path is in the VFS
      if (a.kind === 'abstract') {
        rec.read('ns');
        rec.read(`ns:@${nsKey(netns, a.addr, type)}`);
      } else rec.read('vfs');
      if (typeof s !== 'number') for (const key of s.footprintKeys()) rec.write(key);
    }
    return s;
  }

  private findOther(t: Task, a: ParsedAddr, type: number, netns: NetNamespace): Socket | number {
    if (a.kind === 'autobind') return -EINVAL;
    if (a.kind === 'abstract') {
      const s = this.abstract.get(nsKey(netns, a.addr, type));
      return s && !s.dead ? s : -ECONNREFUSED;
    }
    const inode = this.k.vfs.lookup(a.path, t.cwd, t.creds);
    if (typeof inode === 'number') return inode;
    // unix_find_bsd: write permission first, then the type of the file, then the socket's type.
    if (!this.k.vfs.permission(inode, t.creds, MAY_WRITE)) return -EACCES;
    if (inode.type !== S_IFSOCK) return -ECONNREFUSED;
    const s = socketOf(inode);
    if (!s || s.dead) return -ECONNREFUSED;
    if (s.type !== type) return -EPROTOTYPE;
    return s;
  }
}

function socketOf(inode: Inode): Socket | null {
  return inode.socket instanceof Socket ? inode.socket : null;
}

export type { UnixAddress };
