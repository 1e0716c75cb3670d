// A scenario's `files`: the filesystem a run starts with. Each entry is a
// path and either a regular file's contents (a string or bytes) or a spec
// with a mode, an owner and, for a directory, `dir: true`. Parents are
// created before their children whatever the order of the entries; a path
// whose parent is neither there nor declared is a problem, reported as one
// line before any run starts.
import { S_IFDIR, S_IFMT, S_IFREG } from '../kernel/abi.ts';
import { errnoName } from '../kernel/errno.ts';
import { Vfs, type Creds } from '../kernel/vfs.ts';

export interface FileSpec {
  /** a directory (created like mkdir; no content) */
  dir?: boolean;
  /** a regular file's contents (default empty) */
  content?: string | Uint8Array;
  /** permission bits (default 0644 for files, 0755 for directories); setuid/setgid/sticky allowed */
  mode?: number;
  /** owner (default root: 0/0) */
  uid?: number;
  gid?: number;
}

export type FileEntry = string | Uint8Array | FileSpec;

const ROOT: Creds = { uid: 0, gid: 0, euid: 0, egid: 0, suid: 0, sgid: 0 };
const isId = (v: unknown): boolean => v === undefined || (Number.isInteger(v) && (v as number) >= 0 && (v as number) < 0xffffffff);

/** The problem with one entry's shape, or null. */
function entryProblem(path: string, e: unknown): string | null {
  if (!path.startsWith('/')) return `files: "${path}" is not an absolute path`;
  if (path === '/') return `files: "/" is the root directory`;
  if (typeof e === 'string' || e instanceof Uint8Array) return null;
  if (!e || typeof e !== 'object' || Array.isArray(e)) {
    return `files: "${path}" must be a string, bytes or { content?, dir?, mode?, uid?, gid? }, not ${describe(e)}`;
  }
  const s = e as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    if (!['dir', 'content', 'mode', 'uid', 'gid'].includes(k)) return `files: "${path}" has an unknown field "${k}"`;
  }
  if (s.dir !== undefined && typeof s.dir !== 'boolean') return `files: "${path}": dir must be true or false`;
  if (s.content !== undefined && typeof s.content !== 'string' && !(s.content instanceof Uint8Array)) {
    return `files: "${path}": content must be a string or bytes, not ${describe(s.content)}`;
  }
  if (s.dir && s.content !== undefined) return `files: "${path}" is a directory and cannot have content`;
  if (s.mode !== undefined && !(Number.isInteger(s.mode) && (s.mode as number) >= 0 && (s.mode as number) <= 0o7777)) {
    return `files: "${path}": mode must be an integer from 0 to 0o7777, not ${describe(s.mode)}`;
  }
  if (!isId(s.uid)) return `files: "${path}": uid must be a non-negative integer, not ${describe(s.uid)}`;
  if (!isId(s.gid)) return `files: "${path}": gid must be a non-negative integer, not ${describe(s.gid)}`;
  return null;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? v.slice(0, 20) + '...' : v);
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function') return 'a function';
  return `${typeof v} ${String(v)}`;
}

/** Creates the entries in `vfs`; returns a one-line problem (and creates nothing more) or null. */
export function installFiles(vfs: Vfs, files: Record<string, unknown>): string | null {
  if (!files || typeof files !== 'object' || Array.isArray(files)) return `files must be an object of path: contents, not ${describe(files)}`;
  const entries = Object.entries(files);
  for (const [path, e] of entries) {
    const p = entryProblem(path, e);
    if (p) return p;
  }
  // Parents first: fewer path components first, then declaration order.
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  const ordered = entries.map((e, i) => ({ e, i })).sort((a, b) => depth(a.e[0]) - depth(b.e[0]) || a.i - b.i);
  for (const { e: [path, raw] } of ordered) {
    const spec: FileSpec = typeof raw === 'string' || raw instanceof Uint8Array ? { content: raw } : (raw as FileSpec);
    const clean = path.replace(/\/+$/, '');
    const l = vfs.resolve(clean, vfs.root, ROOT);
    if (typeof l === 'number') {
      const parent = clean.slice(0, clean.lastIndexOf('/')) || '/';
      return `files: "${path}": its directory ${parent} ${l === -2 ? 'does not exist' : `cannot be used (${errnoName(-l)})`}`;
    }
    const type = spec.dir ? S_IFDIR : S_IFREG;
    let inode = l.inode;
    if (inode && inode.type !== type) return `files: "${path}" already exists as a ${inode.isDir ? 'directory' : 'file'}`;
    if (!inode) {
      const made = vfs.create(l, type | (spec.mode ?? (spec.dir ? 0o755 : 0o644)), ROOT);
      if (typeof made === 'number') return `files: "${path}": cannot create (${errnoName(-made)})`;
      inode = made;
    }
    if (spec.mode !== undefined) inode.mode = (inode.mode & S_IFMT) | spec.mode;
    inode.uid = spec.uid ?? 0;
    inode.gid = spec.gid ?? 0;
    if (!spec.dir) {
      const c = spec.content ?? '';
      const bytes = typeof c === 'string' ? new TextEncoder().encode(c) : c.slice();
      inode.data = bytes;
      inode.size = bytes.length;
    }
  }
  return null;
}

/** A problem with `files` found by building them in a scratch filesystem, or null. */
export function filesProblem(files: unknown): string | null {
  return installFiles(new Vfs(), files as Record<string, unknown>);
}
