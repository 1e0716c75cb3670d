// The kernel's own consistency checks (TigerBeetle style: stated densely,
// run after every step in checking mode): every open file's reference count
// equals the references that exist to it.
import type { FdTable } from './fdtable.ts';
import type { OpenFile } from './file.ts';
import type { Kernel } from './kernel.ts';

export function checkInvariants(k: Kernel): string | null {
  const counted = new Map<OpenFile, number>();
  const count = (f: OpenFile) => counted.set(f, (counted.get(f) ?? 0) + 1);
  // A table shared by several tasks (CLONE_FILES) holds one reference per fd, however many tasks use it.
  const tables = new Map<FdTable, number>();
  for (const t of k.tasks.values()) {
    if (t.state === 'exited') continue;
    const n = tables.get(t.fds);
    tables.set(t.fds, (n ?? 0) + 1);
    if (n === undefined) for (const [, f] of t.fds.entries()) count(f);
  }
  for (const [table, n] of tables) {
    if (table.users !== n) return `an fd table has users=${table.users} but ${n} live tasks use it`;
  }
  for (const holder of k.refHolders) for (const f of holder()) count(f);
  for (const [f, n] of counted) {
    if (f.refs <= 0) return `file ${f.id} (${f.ops.describe(f)}) is referenced ${n} times but was released`;
  }
  for (const f of k.files.live.values()) {
    const n = counted.get(f) ?? 0;
    if (f.refs !== n) return `file ${f.id} (${f.ops.describe(f)}) has refs=${f.refs} but ${n} references exist`;
  }
  for (const c of k.checks) {
    const p = c();
    if (p) return p;
  }
  return null;
}
