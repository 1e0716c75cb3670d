// Credentials: the set*id and get*id calls with Linux's permission rules
// (kernel/sys.c). An id argument is a 32-bit uid_t/gid_t: -1 (0xffffffff)
// means "unchanged" for the setre*/setres* calls and is invalid for
// setuid/setgid (EINVAL), any other value is a valid id, so setgid(-100)
// sets gid 4294967196 as it does on Linux. A task may change an id freely
// with the capability (euid 0, as cap_emulate_setxuid keeps capabilities
// following the euid), otherwise only to one of its current ids.
// Credentials are per thread, as Linux's are (glibc broadcasts set*id to
// every thread with a signal; the raw syscall changes only the caller).
import { EFAULT, EINVAL, EPERM } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import type { Task } from '../task.ts';
import { getU32, putU32, StructWriter } from '../uaccess.ts';
import type { Creds } from '../vfs.ts';

const NO_ID = 0xffffffff;

/** The three ids of one kind (user or group) a rule works on. */
interface Ids {
  r: number;
  e: number;
  s: number;
}

type Kind = 'uid' | 'gid';

function idsOf(c: Creds, kind: Kind): Ids {
  return kind === 'uid' ? { r: c.uid, e: c.euid, s: c.suid } : { r: c.gid, e: c.egid, s: c.sgid };
}

function withIds(c: Creds, kind: Kind, n: Ids): Creds {
  return kind === 'uid' ? { ...c, uid: n.r, euid: n.e, suid: n.s } : { ...c, gid: n.r, egid: n.e, sgid: n.s };
}

/** CAP_SETUID / CAP_SETGID: held while the effective uid is 0. */
function capable(t: Task): boolean {
  return t.creds.euid === 0;
}

const u32 = (v: number): number => v >>> 0;

/** __sys_setuid / __sys_setgid */
function setId(t: Task, kind: Kind, arg: number): number {
  const id = u32(arg);
  if (id === NO_ID) return -EINVAL;
  const old = idsOf(t.creds, kind);
  let n: Ids;
  if (capable(t)) n = { r: id, e: id, s: id };
  else if (id === old.r || id === old.s) n = { ...old, e: id };
  else return -EPERM;
  t.creds = withIds(t.creds, kind, n);
  return 0;
}

/** __sys_setreuid / __sys_setregid */
function setReId(t: Task, kind: Kind, rArg: number, eArg: number): number {
  const r = u32(rArg), e = u32(eArg);
  const old = idsOf(t.creds, kind);
  const cap = capable(t);
  const n = { ...old };
  if (r !== NO_ID) {
    if (r !== old.r && r !== old.e && !cap) return -EPERM;
    n.r = r;
  }
  if (e !== NO_ID) {
    if (e !== old.r && e !== old.e && e !== old.s && !cap) return -EPERM;
    n.e = e;
  }
  // The saved id follows the new effective id when the real id was set or the effective one moved off the real one.
  if (r !== NO_ID || (e !== NO_ID && e !== old.r)) n.s = n.e;
  t.creds = withIds(t.creds, kind, n);
  return 0;
}

/** __sys_setresuid / __sys_setresgid */
function setResId(t: Task, kind: Kind, rArg: number, eArg: number, sArg: number): number {
  const want = [u32(rArg), u32(eArg), u32(sArg)];
  const old = idsOf(t.creds, kind);
  const cur = [old.r, old.e, old.s];
  if (!capable(t)) {
    for (const id of want) if (id !== NO_ID && !cur.includes(id)) return -EPERM;
  }
  const [r, e, s] = want.map((id, i) => (id === NO_ID ? cur[i] : id));
  t.creds = withIds(t.creds, kind, { r, e, s });
  return 0;
}

/** getresuid / getresgid: each id through its own pointer (put_user). */
function getResId(t: Task, kind: Kind, rp: number, ep: number, sp: number): number {
  const ids = idsOf(t.creds, kind);
  if (!putU32(t.mm, rp, ids.r) || !putU32(t.mm, ep, ids.e) || !putU32(t.mm, sp, ids.s)) return -EFAULT;
  return 0;
}

/** NGROUPS_MAX */
const NGROUPS_MAX = 65536;

/** getgroups: the count when size is 0; EINVAL when they do not fit. */
function getgroups(t: Task, size: number, list: number): number {
  const groups = t.creds.groups ?? [];
  if (size < 0) return -EINVAL;
  if (size === 0) return groups.length;
  if (size < groups.length) return -EINVAL;
  const w = new StructWriter(4 * groups.length);
  groups.forEach((g, i) => w.u32(4 * i, g));
  return groups.length === 0 || t.mm.write(list, w.bytes) ? groups.length : -EFAULT;
}

/** setgroups: CAP_SETGID only; the list is kept sorted (groups_sort), as getgroups then returns it. */
function setgroups(t: Task, size: number, list: number): number {
  if (size < 0 || size > NGROUPS_MAX) return -EINVAL;
  if (!capable(t)) return -EPERM;
  const groups: number[] = [];
  for (let i = 0; i < size; i++) {
    const g = getU32(t.mm, list + 4 * i);
    if (g === null) return -EFAULT;
    groups.push(g);
  }
  groups.sort((a, b) => a - b);
  t.creds = { ...t.creds, groups };
  return 0;
}

export function registerCreds(k: Kernel): void {
  const d = k.table.define.bind(k.table);
  d(143, 'setregid', ['int', 'int'], (t, [r, e]) => setReId(t, 'gid', r, e));
  d(144, 'setgid', ['int'], (t, [gid]) => setId(t, 'gid', gid));
  d(145, 'setreuid', ['int', 'int'], (t, [r, e]) => setReId(t, 'uid', r, e));
  d(146, 'setuid', ['int'], (t, [uid]) => setId(t, 'uid', uid));
  d(147, 'setresuid', ['int', 'int', 'int'], (t, [r, e, s]) => setResId(t, 'uid', r, e, s));
  d(148, 'getresuid', ['ptr', 'ptr', 'ptr'], (t, [r, e, s]) => getResId(t, 'uid', r, e, s));
  d(149, 'setresgid', ['int', 'int', 'int'], (t, [r, e, s]) => setResId(t, 'gid', r, e, s));
  d(150, 'getresgid', ['ptr', 'ptr', 'ptr'], (t, [r, e, s]) => getResId(t, 'gid', r, e, s));
  d(174, 'getuid', [], (t) => t.creds.uid);
  d(175, 'geteuid', [], (t) => t.creds.euid);
  d(176, 'getgid', [], (t) => t.creds.gid);
  d(177, 'getegid', [], (t) => t.creds.egid);
  d(158, 'getgroups', ['int', 'ptr'], (t, [size, list]) => getgroups(t, size, list));
  d(159, 'setgroups', ['int', 'ptr'], (t, [size, list]) => setgroups(t, size, list));
}
