// The kernel's own consistency checks (TigerBeetle style: stated densely,
// run after every step in checking mode): every open file's reference count
// equals the references that exist to it.
import type { OpenFile } from './file.ts';
import type { Kernel } from './kernel.ts';

export function checkInvariants(k: Kernel): string | null {
  const counted = new Map<OpenFile, number>();
  const count = (f: OpenFile) => counted.set(f, (counted.get(f) ?? 0) + 1);
  for (const t of k.tasks.values()) {
    if (t.state === 'exited') continue;
    for (const [, f] of t.fds.entries()) count(f);
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
