// What the properties demand of a run of a generated program, as lists of
// problems (empty: fine). `finished` says whether the run ended with every
// process exited; conditions that need the whole run are checked only then,
// so a deadlocked run is blamed by the liveness property, not these.
import { ECONNREFUSED, ECONNRESET, EPIPE, errnoName } from '../../src/kernel/errno.ts';
import type { RunResult } from '../../src/script/runner.ts';
import { effectiveQuotas, type Program } from './program.ts';
import { streamByte, type Dir, type Ev } from './interp.ts';

const DIRS: Dir[] = ['c2s', 's2c'];
const res = (r: number) => (r < 0 ? `-${errnoName(-r)}` : String(r));

/** Stream integrity: every byte written is read at most once, in order; a reader that saw EOF or ECONNRESET saw every byte written. */
export function integrityProblems(p: Program, log: readonly Ev[], finished: boolean): string[] {
  const out: string[] = [];
  for (let c = 0; c < p.clients.length; c++) {
    for (const dir of DIRS) {
      let written = 0;
      let read = 0;
      let badAt = -1;
      for (const e of log) {
        if (e.k === 'sent' && e.c === c && e.dir === dir) written += e.bytes.length;
        else if (e.k === 'recv' && e.c === c && e.dir === dir) {
          for (let i = 0; i < e.bytes.length && badAt < 0; i++) if (e.bytes[i] !== streamByte(c, dir, read + i)) badAt = read + i;
          // no `read <= written` here: a blocking write is logged when it returns, after the reader may have taken some of it
          read += e.bytes.length;
        } else if (e.k === 'readEnd' && e.c === c && e.dir === dir) {
          if (e.ret !== 0 && e.ret !== -ECONNRESET) out.push(`client ${c} ${dir}: a read by pid ${e.pid} failed with ${res(e.ret)}`);
          else if (read !== written) {
            out.push(`client ${c} ${dir}: pid ${e.pid} saw ${res(e.ret)} after ${read} of ${written} written bytes (bytes lost)`);
          }
        } else if (e.k === 'writeErr' && e.c === c && e.dir === dir && e.ret !== -EPIPE && e.ret !== -ECONNRESET) {
          out.push(`client ${c} ${dir}: a write failed with ${res(e.ret)}`);
        }
      }
      if (finished && read > written && badAt < 0) badAt = written;
      if (badAt >= 0) out.push(`client ${c} ${dir}: byte ${badAt} read out of order, twice, or never written (${read} read, ${written} written)`);
    }
  }
  return out;
}

/** Accept accounting: each connect ends once as accepted (by one acceptor), refused, or reset. */
export function accountingProblems(p: Program, log: readonly Ev[], finished: boolean): string[] {
  const out: string[] = [];
  const connects = new Map<number, number[]>();
  const acceptedBy = new Map<number, number[]>();
  let acceptedTotal = 0;
  for (const e of log) {
    if (e.k === 'connect') connects.set(e.c, [...(connects.get(e.c) ?? []), e.ret]);
    if (e.k === 'accept' && e.ret < 0) out.push(`acceptor ${e.a}: accept failed with ${res(e.ret)} while owed a connection`);
    if (e.k === 'accept' && e.ret >= 0) acceptedTotal++;
    if (e.k === 'tag') {
      if (e.c === null) out.push(`acceptor ${e.a} accepted a connection whose first bytes ${JSON.stringify(e.raw)} are no client's tag (accepted twice, or mid-stream)`);
      else acceptedBy.set(e.c, [...(acceptedBy.get(e.c) ?? []), e.a]);
    }
  }
  for (let c = 0; c < p.clients.length; c++) {
    const cs = connects.get(c) ?? [];
    const by = acceptedBy.get(c) ?? [];
    if (cs.length > 1) out.push(`client ${c}: connect completed ${cs.length} times`);
    const r = cs[0];
    if (r !== undefined && r !== 0 && r !== -ECONNREFUSED) out.push(`client ${c}: connect gave ${res(r)}`);
    if (by.length > 1) out.push(`client ${c}: accepted ${by.length} times (by acceptors ${by.join(', ')})`);
    if (by.length > 0 && r !== 0) out.push(`client ${c}: accepted although its connect gave ${r === undefined ? 'nothing' : res(r)}`);
    if (finished) {
      if (r === undefined) out.push(`client ${c}: connect never completed`);
      if (r === 0 && by.length === 0) {
        // Not accepted: the listener closed with it pending, so the client was reset. Linux
        // reports the reset once (sk_err, item 47): to a send blocked in sock_alloc_send_pskb,
        // or else to the next read; a send that does not block sees SEND_SHUTDOWN first (EPIPE).
        // So a client that read to the end must have seen ECONNRESET somewhere.
        const seen = log.filter((e) => (e.k === 'readEnd' && e.c === c && e.dir === 's2c') || (e.k === 'writeErr' && e.c === c && e.dir === 'c2s'));
        const readEnds = seen.filter((e) => e.k === 'readEnd');
        if (readEnds.length && !seen.some((e) => (e.k === 'readEnd' || e.k === 'writeErr') && e.ret === -ECONNRESET)) {
          const rets = seen.map((e) => (e.k === 'readEnd' || e.k === 'writeErr' ? `${e.k === 'readEnd' ? 'read' : 'write'} ${res(e.ret)}` : '')).join(', ');
          out.push(`client ${c}: connected, never accepted, yet never saw ECONNRESET (${rets}): connection lost`);
        }
      }
    }
  }
  if (finished) {
    const owed = effectiveQuotas(p).reduce((a, b) => a + b, 0);
    if (acceptedTotal !== owed) out.push(`acceptors accepted ${acceptedTotal} connections, their quotas add up to ${owed}`);
  }
  return out;
}

/** Liveness: the run ends with every process exited (no deadlock, no step limit), and nothing the runner judges went wrong. */
export function livenessProblems(r: RunResult): string[] {
  const out: string[] = [];
  if (r.end.kind === 'deadlock') {
    out.push(`deadlock: ${r.end.sleepers.map((s) => `${s.label} sleeps on ${s.waitingOn}`).join('; ')}`);
  } else if (r.end.kind !== 'exited') out.push(`run ended ${r.end.kind}`);
  // invariant violations, script errors, leaks and bad exits (but not the other properties' checks)
  for (const f of r.failures) if (!f.startsWith('check ') && !f.startsWith('deadlock') && !f.startsWith('step limit')) out.push(f);
  return out;
}
