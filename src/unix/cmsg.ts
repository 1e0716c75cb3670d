// Control messages (ancillary data): parsing what sendmsg brings
// (net/core/scm.c __scm_send, scm_fp_copy, scm_check_creds) and writing
// what recvmsg returns (scm_recv, put_cmsg, scm_detach_fds).
//
// struct cmsghdr (LP64): +0 u64 cmsg_len; +8 i32 cmsg_level; +12 i32
// cmsg_type; data at +16, each header aligned to 8 bytes.
import type { AddressSpace } from '../hw/memory.ts';
import { EBADF, EINVAL, EPERM, ESRCH } from '../kernel/errno.ts';
import type { OpenFile } from '../kernel/file.ts';
import type { Task } from '../kernel/task.ts';
import { taskByVpid, vpid } from '../kernel/namespaces.ts';
import { copyToUser, StructWriter } from '../kernel/uaccess.ts';
import { SCM_CREDENTIALS, SCM_MAX_FD, SCM_PIDFD, SCM_RIGHTS, SOL_SOCKET, UCRED_SIZE } from './constants.ts';
import type { Ucred } from './socket.ts';

export const CMSG_HDR = 16;
export const CMSG_ALIGN = (n: number): number => (n + 7) & ~7;
export const CMSG_LEN = (n: number): number => CMSG_HDR + n;
export const CMSG_SPACE = (n: number): number => CMSG_HDR + CMSG_ALIGN(n);

/** overflowuid/overflowgid: what an unset uid or gid reads as (from_kuid_munged of INVALID_UID) */
export const OVERFLOW_ID = 65534;
/** Credentials reported for a message that carries none. */
export const NO_CREDS: Ucred = { pid: 0, uid: OVERFLOW_ID, gid: OVERFLOW_ID };
/** What a stream read that took no message reports: unix_stream_read_generic's zeroed scm_cookie (uid 0, not INVALID_UID). */
export const ZEROED_COOKIE_CREDS: Ucred = { pid: 0, uid: 0, gid: 0 };

/** What a sendmsg's control data asks for (struct scm_cookie, send side). */
export interface ScmSend {
  /** files whose references the send holds; set to null once a message took them */
  files: OpenFile[] | null;
  /** SCM_CREDENTIALS as given (already checked), or null */
  creds: Ucred | null;
}

/** What a receive collects besides the bytes (struct scm_cookie, receive side). */
export interface ScmRecv {
  /** files taken or peeked from the message; the receive owns these references */
  files: OpenFile[] | null;
  /** credentials of the data read (only filled when the receiver has SO_PASSCRED) */
  creds: Ucred | null;
  /** a seqpacket message was longer than the buffer (MSG_TRUNC) */
  trunc: boolean;
}

export function newScmRecv(): ScmRecv {
  return { files: null, creds: null, trunc: false };
}

const INVALID_ID = 0xffffffff;

/**
 * __scm_send over the control bytes the user gave: every header must be at
 * least 16 bytes and fit (EINVAL); other levels are skipped; at SOL_SOCKET
 * only SCM_RIGHTS and SCM_CREDENTIALS are known. Takes a reference to every
 * file named (the caller owns them); on error none is kept.
 */
export function parseControl(t: Task, ctl: Uint8Array): ScmSend | number {
  const scm: ScmSend = { files: null, creds: null };
  const files: OpenFile[] = [];
  const fail = (err: number): number => {
    if (!t.kernel.bug('scm-send-no-ref')) for (const f of files) f.put();
    return err;
  };
  const v = new DataView(ctl.buffer, ctl.byteOffset, ctl.byteLength);
  // CMSG_FIRSTHDR: nothing when msg_controllen < sizeof(struct cmsghdr)
  let off = 0;
  while (off + CMSG_HDR <= ctl.length) {
    const lenHi = v.getUint32(off + 4, true);
    const len = lenHi ? Infinity : v.getUint32(off, true);
    // CMSG_OK
    if (len < CMSG_HDR || len > ctl.length - off) return fail(-EINVAL);
    const level = v.getInt32(off + 8, true);
    const type = v.getInt32(off + 12, true);
    if (level === SOL_SOCKET) {
      if (type === SCM_RIGHTS) {
        // scm_fp_copy: (cmsg_len - 16) / 4 fds, at most SCM_MAX_FD over all SCM_RIGHTS headers
        const num = Math.floor((len - CMSG_HDR) / 4);
        if (num > SCM_MAX_FD || files.length + num > SCM_MAX_FD) return fail(-EINVAL);
        for (let i = 0; i < num; i++) {
          const fd = v.getInt32(off + CMSG_HDR + 4 * i, true);
          const f = t.fds.get(fd);
          if (!f) return fail(-EBADF);
          files.push(t.kernel.bug('scm-send-no-ref') ? f : f.get());
        }
      } else if (type === SCM_CREDENTIALS) {
        if (len !== CMSG_LEN(UCRED_SIZE)) return fail(-EINVAL);
        const c = { pid: v.getInt32(off + 16, true), uid: v.getUint32(off + 20, true), gid: v.getUint32(off + 24, true) };
        const err = checkCreds(t, c);
        if (err) return fail(err);
        // kept as the global pid (the struct pid __scm_send holds), translated for each receiver
        c.pid = c.pid === vpid(t, t.tgid) ? t.tgid : t.pidNs.global(c.pid);
        scm.creds = c;
      } else return fail(-EINVAL);
    }
    // CMSG_NXTHDR: the next header must fit whole
    off += CMSG_ALIGN(len);
  }
  if (files.length) scm.files = files;
  return scm;
}

/** scm_check_creds, then the pid lookup of __scm_send (`c.pid` in the sender's pid namespace). */
function checkCreds(t: Task, c: Ucred): number {
  const self = vpid(t, t.tgid);
  if (c.uid === INVALID_ID || c.gid === INVALID_ID) return -EINVAL;
  const cr = t.creds;
  const root = cr.euid === 0; // CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID
  const pidOk = c.pid === self || root;
  const uidOk = c.uid === cr.uid || c.uid === cr.euid || c.uid === cr.suid || root;
  const gidOk = c.gid === cr.gid || c.gid === cr.egid || c.gid === cr.sgid || root;
  if (!(pidOk && uidOk && gidOk)) return -EPERM;
  if (c.pid !== self && !taskByVpid(t, c.pid)) return -ESRCH;
  return 0;
}

/**
 * The receive side of the control buffer: put_cmsg and scm_detach_fds
 * writing into msg_control as the kernel does, advancing past what was
 * written (the last header possibly capped) and setting MSG_CTRUNC when
 * something did not fit.
 */
export class ControlWriter {
  /** bytes written (the msg_controllen reported back) */
  written = 0;
  ctrunc = false;

  constructor(
    private readonly mm: AddressSpace,
    /** msg_control (0: NULL) */
    private readonly addr: number,
    /** msg_controllen */
    private readonly len: number,
  ) {}

  private get left(): number {
    return this.len - this.written;
  }

  /** put_cmsg: one header and its data, truncated to what is left. */
  put(level: number, type: number, data: Uint8Array): void {
    if (this.addr === 0 || this.left < CMSG_HDR) {
      this.ctrunc = true;
      return;
    }
    let cmlen = CMSG_LEN(data.length);
    if (this.left < cmlen) {
      this.ctrunc = true;
      cmlen = this.left;
    }
    const at = this.addr + this.written;
    const hdr = new StructWriter(CMSG_HDR).u64(0, cmlen).i32(8, level).i32(12, type).bytes;
    // A fault here is ignored, as scm_recv ignores put_cmsg's -EFAULT.
    if (!copyToUser(this.mm, at, hdr) || !copyToUser(this.mm, at + CMSG_HDR, data.subarray(0, cmlen - CMSG_HDR))) return;
    this.written += Math.min(CMSG_SPACE(data.length), this.left);
  }

  /**
   * scm_pidfd_recv: SCM_PIDFD with a new pidfd (O_CLOEXEC) of process
   * `pid`, only if a whole cmsg fits what is left (else MSG_CTRUNC).
   */
  putPidfd(t: Task, pid: number): void {
    if (this.left < CMSG_LEN(4)) {
      this.ctrunc = true;
      return;
    }
    const f = t.kernel.pidfds!.open(pid);
    const fd = t.fds.install(f, true);
    if (fd < 0) f.put();
    this.put(SOL_SOCKET, SCM_PIDFD, new StructWriter(4).i32(0, fd).bytes);
  }

  /** SCM_CREDENTIALS; scm_set_cred gives the sender's pid as the receiver `t`'s pid namespace numbers it (0: not visible). */
  putCreds(t: Task, c: Ucred): void {
    this.put(SOL_SOCKET, SCM_CREDENTIALS, new StructWriter(UCRED_SIZE).i32(0, vpid(t, c.pid)).u32(4, c.uid).u32(8, c.gid).bytes);
  }

  /**
   * scm_detach_fds: installs as many files as the buffer has room for (and
   * the fd table takes), at the lowest free fds in order, writing each fd
   * as it goes; the rest are closed and MSG_CTRUNC is set. Returns the fds.
   */
  detachFds(t: Task, files: OpenFile[], cloexec: boolean, putFiles: (fs: OpenFile[]) => void): number[] {
    const max = this.addr === 0 || this.left <= CMSG_HDR ? 0 : Math.floor((this.left - CMSG_HDR) / 4);
    const fdmax = Math.min(max, files.length);
    const at = this.addr + this.written;
    const fds: number[] = [];
    let i = 0;
    for (; i < fdmax; i++) {
      // receive_fd_user: reserve the fd, write it, then install (EMFILE or a fault stops here)
      const fd = t.fds.install(files[i], cloexec);
      if (fd < 0) break;
      if (!copyToUser(this.mm, at + CMSG_HDR + 4 * i, new StructWriter(4).i32(0, fd).bytes)) {
        t.fds.remove(fd);
        break;
      }
      fds.push(fd);
    }
    if (i > 0) {
      const cmlen = CMSG_LEN(4 * i);
      const hdr = new StructWriter(CMSG_HDR).u64(0, cmlen).i32(8, SOL_SOCKET).i32(12, SCM_RIGHTS).bytes;
      if (copyToUser(this.mm, at, hdr)) this.written += Math.min(CMSG_SPACE(4 * i), this.left);
    }
    if (i < files.length) this.ctrunc = true;
    putFiles(files.slice(i));
    return fds;
  }
}
