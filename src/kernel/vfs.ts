// The in-memory filesystem: a tree of inodes from "/". Regular files keep
// their bytes in memory; socket inodes carry the socket bound to them.
// Path lookup checks search permission on every directory it crosses and
// reports the errno Linux would (ENOENT, ENOTDIR, EACCES, ENAMETOOLONG).
import { MemoryBudget } from '../hw/budget.ts';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from './abi.ts';
import { EACCES, EEXIST, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from './errno.ts';

export interface Creds {
  uid: number;
  gid: number;
  euid: number;
  egid: number;
  suid: number;
  sgid: number;
  /** supplementary groups (setgroups), ascending; absent: none */
  groups?: readonly number[];
}

/** in_group_p: is `gid` the caller's effective group or one of its supplementary groups? */
export function inGroup(creds: Creds, gid: number): boolean {
  return creds.egid === gid || (creds.groups?.includes(gid) ?? false);
}

export const MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4;
const NAME_MAX = 255;
/** MAXSYMLINKS: how many symbolic links one lookup may follow */
const MAXSYMLINKS = 40;

export class Inode {
  /** hard links to this inode from directories */
  nlink = 1;
  /** regular files: contents (data[0..size)) */
  data = new Uint8Array(0);
  size = 0;
  /** open files of this inode (its bytes are freed once unlinked and closed) */
  opens = 0;
  /** directories: entries by name, in insertion order */
  readonly children: Map<string, Inode> | null;
  /** directories: the parent directory ("/" is its own parent) */
  parent: Inode;
  /** socket inodes: the socket bound to this path (null once it is closed) */
  socket: unknown = null;
  /** symbolic links: the target, as given to symlink(2) */
  target: string | null = null;
  /** device nodes: the device number (new_encode_dev), 0 otherwise */
  rdev = 0;
  /** memfd files: F_SEAL_* bits (memfd.ts); null for every other inode, which F_ADD_SEALS refuses */
  seals: number | null = null;
  /** timestamps (CLOCK_REALTIME from virtual time, or what utimensat set): access, modification, change, birth */
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  readonly btime: Timespec;

  constructor(
    readonly ino: number,
    public mode: number,
    public uid: number,
    public gid: number,
    parent?: Inode,
    now: Timespec = EPOCH,
  ) {
    this.children = (mode & S_IFMT) === S_IFDIR ? new Map() : null;
    this.parent = parent ?? this;
    this.atime = this.mtime = this.ctime = this.btime = now;
  }

  get type(): number {
    return this.mode & S_IFMT;
  }
  get isDir(): boolean {
    return this.type === S_IFDIR;
  }
}

export interface Lookup {
  dir: Inode;
  name: string;
  /** the existing inode at dir/name, if any */
  inode: Inode | undefined;
}

/** A timestamp: seconds and nanoseconds of CLOCK_REALTIME (struct timespec64). */
export type Timespec = readonly [sec: number, nsec: number];
const EPOCH: Timespec = [0, 0];

/** timespec64_compare: negative, 0 or positive. */
export function compareTime(a: Timespec, b: Timespec): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** relatime's bound: an atime older than this is updated by a read even if the file did not change */
const RELATIME_SECONDS = 24 * 3600;

export class Vfs {
  private nextIno = 1;
  /** the run's memory budget, which file contents draw on (the kernel sets its own) */
  memory = new MemoryBudget();
  /** the virtual clock the timestamps come from (current_time; the kernel sets its own) */
  now: () => Timespec = () => EPOCH;
  readonly root: Inode;

  constructor() {
    this.root = new Inode(this.nextIno++, S_IFDIR | 0o755, 0, 0);
    this.root.nlink = 2;
    this.mkdirRaw(this.root, 'tmp', 0o1777);
    this.mkdirRaw(this.root, 'dev', 0o755);
    this.mkdirRaw(this.root, 'proc', 0o555);
  }

  /** Generic permission check (root bypasses read/write; exec needs some x bit unless a directory). */
  permission(inode: Inode, creds: Creds, mask: number): boolean {
    if (creds.euid === 0) {
      if (!(mask & MAY_EXEC) || inode.isDir) return true;
      return (inode.mode & 0o111) !== 0;
    }
    let bits: number;
    if (creds.euid === inode.uid) bits = (inode.mode >> 6) & 7;
    else if (inGroup(creds, inode.gid)) bits = (inode.mode >> 3) & 7;
    else bits = inode.mode & 7;
    return (bits & mask) === mask;
  }

  /**
   * Resolves `path` relative to `cwd` up to its last component: the parent
   * directory, the last name, and the inode there if it exists. A trailing
   * "/" (or "." / "..") resolves fully and names the directory itself.
   * Symbolic links met on the way are followed (a relative target from the
   * directory holding the link), and so is one in the last place when
   * `follow` is set or the path ends in "/"; more than MAXSYMLINKS (40) is
   * ELOOP. Not following, a final link is returned as itself.
   */
  resolve(path: string, cwd: Inode, creds: Creds, follow = true): Lookup | number {
    if (path.length === 0) return -ENOENT;
    let dir = path.startsWith('/') ? this.root : cwd;
    let parts = path.split('/').filter((p) => p.length > 0);
    let slash = path.endsWith('/');
    if (parts.length === 0) return { dir: this.root, name: '.', inode: dir };
    let links = 0;
    walk: for (;;) {
      for (let i = 0; i < parts.length; i++) {
        const name = parts[i];
        if (name.length > NAME_MAX) return -ENAMETOOLONG;
        if (!dir.isDir) return -ENOTDIR;
        if (!this.permission(dir, creds, MAY_EXEC)) return -EACCES;
        const next = name === '.' ? dir : name === '..' ? dir.parent : dir.children!.get(name);
        const last = i === parts.length - 1;
        if (next && next.type === S_IFLNK && (!last || follow || slash)) {
          if (++links > MAXSYMLINKS) return -ELOOP;
          const target = next.target ?? '';
          if (target.length === 0) return -ENOENT;
          const rest = parts.slice(i + 1);
          parts = [...target.split('/').filter((p) => p.length > 0), ...rest];
          if (rest.length === 0) slash = slash || target.endsWith('/');
          if (target.startsWith('/')) dir = this.root;
          if (parts.length === 0) return { dir: this.root, name: '.', inode: dir };
          continue walk;
        }
        if (last) {
          if (slash && next && !next.isDir) return -ENOTDIR;
          return { dir, name, inode: next };
        }
        if (!next) return -ENOENT;
        dir = next;
      }
      throw new Error('unreachable');
    }
  }

  /** Resolves an existing inode (following symbolic links), or -errno. */
  lookup(path: string, cwd: Inode, creds: Creds): Inode | number {
    const r = this.resolve(path, cwd, creds);
    if (typeof r === 'number') return r;
    return r.inode ?? -ENOENT;
  }

  /** Creates dir/name of the given full mode (type | permission bits), checking write+search on dir. */
  create(l: Lookup, mode: number, creds: Creds): Inode | number {
    if (l.inode) return -EEXIST;
    // A removed directory takes no new entries (IS_DEADDIR in may_create / lookup_open).
    if (l.dir.nlink === 0) return -ENOENT;
    if (!this.permission(l.dir, creds, MAY_WRITE | MAY_EXEC)) return -EACCES;
    const inode = new Inode(this.nextIno++, mode, creds.euid, creds.egid, l.dir, this.now());
    if (inode.isDir) {
      inode.nlink = 2; // its own "." and the parent's entry
      l.dir.nlink++; // the new directory's ".."
    }
    l.dir.children!.set(l.name, inode);
    this.modified(l.dir);
    return inode;
  }

  /** The contents changed (file_update_time, a directory's entries): mtime and ctime are now. */
  modified(inode: Inode): void {
    inode.mtime = inode.ctime = this.now();
  }

  /** The inode's attributes or links changed (chmod, chown, link, rename): ctime is now. */
  changed(inode: Inode): void {
    inode.ctime = this.now();
  }

  /** touch_atime under relatime (the default mount option): only when the atime is older than a change, or a day old. */
  accessed(inode: Inode): void {
    const now = this.now();
    const a = inode.atime;
    if (compareTime(a, inode.mtime) <= 0 || compareTime(a, inode.ctime) <= 0 || now[0] - a[0] >= RELATIME_SECONDS) inode.atime = now;
  }

  /** Removes dir/name from its directory (the inode lives on while referenced). */
  unlink(l: Lookup): void {
    const inode = l.inode!;
    l.dir.children!.delete(l.name);
    this.modified(l.dir);
    this.changed(inode);
    if (inode.isDir) {
      inode.nlink = 0; // its "." goes with it
      l.dir.nlink--; // and so does its ".."
    } else {
      inode.nlink--;
      if (inode.nlink === 0 && inode.opens === 0 && inode.type === S_IFREG) {
        this.memory.release(inode.data.length); // Linux's iput: nothing refers to the bytes any more
        inode.data = new Uint8Array(0);
        inode.size = 0;
      }
    }
  }

  /** Adds a second name dir/name for an existing non-directory inode (linkat). */
  link(l: Lookup, inode: Inode): void {
    l.dir.children!.set(l.name, inode);
    inode.nlink++;
    this.modified(l.dir);
    this.changed(inode);
  }

  /** Moves `from` to `to` (renameat2): `to`'s old inode, if any, loses that name; a directory changes parent. */
  rename(from: Lookup, to: Lookup): void {
    const inode = from.inode!;
    if (to.inode) this.unlink(to);
    from.dir.children!.delete(from.name);
    to.dir.children!.set(to.name, inode);
    if (inode.isDir && from.dir !== to.dir) {
      from.dir.nlink--;
      to.dir.nlink++;
    }
    inode.parent = to.dir;
    // simple_rename_timestamp: both directories, and the inode moved
    this.modified(from.dir);
    this.modified(to.dir);
    this.changed(inode);
  }

  /** RENAME_EXCHANGE: the two names swap their inodes. */
  exchange(a: Lookup, b: Lookup): void {
    const x = a.inode!, y = b.inode!;
    a.dir.children!.set(a.name, y);
    b.dir.children!.set(b.name, x);
    for (const i of [a.dir, b.dir]) this.modified(i);
    for (const i of [x, y]) this.changed(i);
    if (a.dir !== b.dir) {
      if (x.isDir) {
        x.parent = b.dir;
        a.dir.nlink--;
        b.dir.nlink++;
      }
      if (y.isDir) {
        y.parent = a.dir;
        b.dir.nlink--;
        a.dir.nlink++;
      }
    }
  }

  /** Absolute path of a directory, for getcwd. */
  pathOf(dir: Inode): string {
    const parts: string[] = [];
    let d = dir;
    while (d !== this.root) {
      const p = d.parent;
      let name = '?';
      for (const [n, c] of p.children!) if (c === d) name = n;
      parts.unshift(name);
      d = p;
    }
    return '/' + parts.join('/');
  }

  /** Convenience for setting up scenarios: writes a regular file (creating it). */
  /** An inode in no directory (memfd_create's shmem file): unlinked from the start, freed at its last close. */
  anonymousFile(mode: number, creds: Creds): Inode {
    const inode = new Inode(this.nextIno++, S_IFREG | mode, creds.euid, creds.egid, this.root, this.now());
    inode.nlink = 0;
    return inode;
  }

  writeFile(path: string, bytes: Uint8Array, mode = 0o644): Inode {
    const root: Creds = { uid: 0, gid: 0, euid: 0, egid: 0, suid: 0, sgid: 0 };
    const l = this.resolve(path, this.root, root);
    if (typeof l === 'number') throw new Error(`writeFile ${path}: errno ${-l}`);
    const inode = l.inode ?? (this.create(l, S_IFREG | mode, root) as Inode);
    this.memory.release(inode.data.length);
    if (!this.memory.charge(bytes.length)) this.memory.release(-bytes.length); // the harness's own files always fit
    inode.data = bytes.slice();
    inode.size = bytes.length;
    return inode;
  }

  newSocketInode(l: Lookup, mode: number, creds: Creds): Inode | number {
    return this.create(l, S_IFSOCK | mode, creds);
  }

  private mkdirRaw(parent: Inode, name: string, perm: number): Inode {
    const d = new Inode(this.nextIno++, S_IFDIR | perm, 0, 0, parent, this.now());
    d.nlink = 2;
    parent.nlink++;
    parent.children!.set(name, d);
    return d;
  }
}
