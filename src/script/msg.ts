// What sendmsg/recvmsg wrappers pass and get back: struct msghdr bytes and
// the control (ancillary data) encoding, SCM_RIGHTS and SCM_CREDENTIALS
// (riscv64 LP64 layouts: cmsghdr 16 bytes, CMSG_ALIGN 8).
import type { SockAddr } from './sockaddr.ts';
import type { Bytes } from './sys.ts';

export interface ScmCreds {
  pid: number;
  uid: number;
  gid: number;
}

export interface SendMsg {
  data?: Bytes | Bytes[];
  fds?: number[];
  creds?: ScmCreds;
  rawControl?: Uint8Array;
  name?: SockAddr;
}

export interface RecvMsgOptions {
  /** iovec sizes (one number: a single buffer) */
  n?: number | number[];
  /** msg_controllen; 0 passes a NULL msg_control */
  controlLen?: number;
  flags?: number;
}

export interface RecvMsgResult {
  ret: number;
  data: Uint8Array;
  /** fds from the SCM_RIGHTS headers, in order */
  fds: number[];
  creds: ScmCreds | null;
  /** SCM_PIDFD's fd (SO_PASSPIDFD), or null */
  pidfd: number | null;
  /** SCM_INQ's count of bytes left to read (SO_INQ on a stream socket), or null */
  inq: number | null;
  /** msg_flags as the kernel wrote it (MSG_CTRUNC, MSG_TRUNC, MSG_CMSG_CLOEXEC) */
  flags: number;
  /** msg_controllen as the kernel wrote it */
  controlLen: number;
  rawControl: Uint8Array;
}

/** CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(SCM_MAX_FD * sizeof(int)) */
export const DEFAULT_CONTROL_LEN = 32 + 1032;

export function msghdrBytes(name: number, namelen: number, iov: number, iovlen: number, control: number, controllen: number): Uint8Array {
  const b = new Uint8Array(56);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(name), true);
  v.setUint32(8, namelen, true);
  v.setBigUint64(16, BigInt(iov), true);
  v.setBigUint64(24, BigInt(iovlen), true);
  v.setBigUint64(32, BigInt(control), true);
  v.setBigUint64(40, BigInt(controllen), true);
  return b;
}

/** The control bytes of a SendMsg: SCM_CREDENTIALS, then SCM_RIGHTS, then rawControl. */
export function encodeControl(m: Pick<SendMsg, 'fds' | 'creds' | 'rawControl'>): Uint8Array {
  const chunks: Uint8Array[] = [];
  const cmsg = (type: number, data: Uint8Array) => {
    const space = 16 + ((data.length + 7) & ~7);
    const b = new Uint8Array(space);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, BigInt(16 + data.length), true);
    v.setInt32(8, 1 /* SOL_SOCKET */, true);
    v.setInt32(12, type, true);
    b.set(data, 16);
    chunks.push(b);
  };
  if (m.creds) {
    const d = new Uint8Array(12);
    const v = new DataView(d.buffer);
    v.setInt32(0, m.creds.pid, true);
    v.setUint32(4, m.creds.uid >>> 0, true);
    v.setUint32(8, m.creds.gid >>> 0, true);
    cmsg(2 /* SCM_CREDENTIALS */, d);
  }
  if (m.fds) {
    const d = new Uint8Array(4 * m.fds.length);
    const v = new DataView(d.buffer);
    m.fds.forEach((fd, i) => v.setInt32(4 * i, fd, true));
    cmsg(1 /* SCM_RIGHTS */, d);
  }
  if (m.rawControl) chunks.push(m.rawControl);
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Walks the control bytes a recvmsg returned: SCM_RIGHTS fds (possibly truncated headers) and SCM_CREDENTIALS. */
export function decodeControl(ctl: Uint8Array, into: { fds: number[]; creds: ScmCreds | null; pidfd?: number | null; inq?: number | null }): void {
  const v = new DataView(ctl.buffer, ctl.byteOffset, ctl.byteLength);
  let off = 0;
  while (off + 16 <= ctl.length) {
    const len = Number(v.getBigUint64(off, true));
    if (len < 16) break;
    const level = v.getInt32(off + 8, true);
    const type = v.getInt32(off + 12, true);
    const end = Math.min(off + len, ctl.length);
    if (level === 1 && type === 1) {
      for (let p = off + 16; p + 4 <= end; p += 4) into.fds.push(v.getInt32(p, true));
    } else if (level === 1 && type === 2 && end - off >= 28) {
      into.creds = { pid: v.getInt32(off + 16, true), uid: v.getUint32(off + 20, true), gid: v.getUint32(off + 24, true) };
    } else if (level === 1 && (type === 4 || type === 84) && end - off >= 20) {
      // SCM_PIDFD, SCM_INQ: one int
      if (type === 4) into.pidfd = v.getInt32(off + 16, true);
      else into.inq = v.getInt32(off + 16, true);
    }
    off += (len + 7) & ~7;
  }
}
