// Script failures as one line that points at the scenario's own code: the
// message, and the file and line of the innermost stack frame outside
// unixsim's sources (through tsx's and vitest's source maps, the
// TypeScript line). A typo such as `yield* sys.nope()` (V8 reports it as
// "yield* (intermediate value) is not iterable") reads "... is not iterable;
// is the wrapper's name right? ... (at scenarios/story.ts:12:19)".
import { fileURLToPath } from 'node:url';
import { dirname, relative, sep } from 'node:path';

// this module's own tree: src/ (this file is src/script/errors.ts) or, compiled, dist/ (bundled flat)
const HERE = dirname(fileURLToPath(import.meta.url));
const SRC_DIR = (import.meta.url.endsWith('.ts') ? dirname(HERE) : HERE) + sep;
/** Paths in the project print relative to it (scenarios/x.ts); others in full. */
const PROJECT_DIR = dirname(SRC_DIR);

/** "file:line:col" of the first stack frame in user code, or null. */
export function userFrame(stack: string): string | null {
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (file.startsWith(SRC_DIR) || file.includes(`${sep}node_modules${sep}`)) continue;
    const rel = relative(PROJECT_DIR, file);
    return `${rel.startsWith('..') ? file : rel}:${m[2]}:${m[3]}`;
  }
  return null;
}

export function describeScriptError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const where = e.stack ? userFrame(e.stack) : null;
  let msg = e.message.split('\n')[0];
  // `yield* sys.nmae(...)` or `yield* sys.read` (no call): say what yield* wants
  if (/is not iterable|is not a function/.test(msg)) msg += '; is the wrapper\'s name right? syscalls are `yield* sys.name(args)` (README: "Scripted programs")';
  return where ? `${msg} (at ${where})` : msg;
}
