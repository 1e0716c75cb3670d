// The scenario module format. A file under scenarios/ default-exports
// `defineScenario({...})`: the processes to start (scripted programs), the
// files and programs the filesystem starts with, the kernel configuration,
// and the checks a finished run must pass. `scenarioProblem` says in one
// line what is wrong with a malformed one.
import type { KernelConfig } from '../kernel/kernel.ts';
import { GC_KINDS, MAX_HARTS } from '../kernel/config-values.ts';
import { isPlantedBug, plantedBugs } from '../kernel/bugs.ts';
import type { RunView } from './runview.ts';
import type { Program } from './context.ts';
import { describe, filesProblem, type FileEntry } from './files.ts';

export type { FileEntry, FileSpec } from './files.ts';

export interface ProcessSpec {
  name: string;
  program: Program;
  /** credentials the process starts with (default root: 0/0); real, effective and saved ids alike */
  uid?: number;
  gid?: number;
}

export interface Scenario {
  name: string;
  /** one line saying what the story shows, for the reader (runs do not use it) */
  description?: string;
  processes: ProcessSpec[];
  /**
   * The filesystem the run starts with: path -> a regular file's contents
   * (string or bytes), or { content?, dir?, mode?, uid?, gid? }.
   */
  files?: Record<string, FileEntry>;
  /** Scripted programs as executable files (mode 0755) that sys.execve (or a guest's execve) can run: path -> program. */
  programs?: Record<string, Program>;
  /** kernel configuration (planted bugs, preemption, harts); merged under the run's options */
  kernel?: Partial<KernelConfig>;
  /** step limit for one run (default 100,000) */
  maxSteps?: number;
  /**
   * Whether every process must exit with status 0 (default true). Set false
   * when a scenario checks exit statuses itself.
   */
  requireCleanExit?: boolean;
  /**
   * Coverage tuples the scenario was written to reach, e.g.
   * "connect(listener/full)=sleeps" (src/kernel/coverage.ts); a sweep says
   * which no run reached.
   */
  targets?: string[];
  /** Named checks over the finished run: true passes; false or a message fails. */
  checks?: Record<string, (run: RunView) => boolean | string>;
}

export function defineScenario(s: Scenario): Scenario {
  return s;
}

const FIELDS = ['name', 'description', 'processes', 'files', 'programs', 'kernel', 'maxSteps', 'requireCleanExit', 'targets', 'checks'];
const KERNEL_FIELDS = ['bugs', 'checkInvariants', 'kernelPreemption', 'harts', 'gc', 'memoryLimit', 'consoleLimit'];
export { MAX_HARTS } from '../kernel/config-values.ts';
const GeneratorFunction = Object.getPrototypeOf(function* () {}) as object;

/** Is `f` a generator function (`function*`, `*method()`)? */
export function isGeneratorFunction(f: unknown): boolean {
  return typeof f === 'function' && Object.getPrototypeOf(f) === GeneratorFunction;
}

function programProblem(what: string, p: unknown): string | null {
  if (typeof p !== 'function') return `${what} is not a function (${describe(p)}); write \`*program(sys) { ... }\``;
  if (!isGeneratorFunction(p)) return `${what} is not a generator function; write \`*program(sys) { ... }\` or \`function* (sys) { ... }\``;
  return null;
}

const isId = (v: unknown): boolean => v === undefined || (Number.isInteger(v) && (v as number) >= 0 && (v as number) < 0xffffffff);

/** Validates an imported module's default export; returns a one-line problem or null. */
export function scenarioProblem(x: unknown): string | null {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return 'default export is not a scenario object (use defineScenario)';
  const s = x as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!FIELDS.includes(k)) return `unknown scenario field "${k}" (known: ${FIELDS.join(', ')})`;
  if (typeof s.name !== 'string' || !s.name) return 'scenario has no name';
  if (s.description !== undefined && typeof s.description !== 'string') return `description must be a string, not ${describe(s.description)}`;
  if (!Array.isArray(s.processes) || s.processes.length === 0) return 'scenario has no processes';
  for (const [i, p] of (s.processes as unknown[]).entries()) {
    if (!p || typeof p !== 'object') return `process ${i} is not an object (${describe(p)})`;
    const ps = p as Record<string, unknown>;
    if (typeof ps.name !== 'string' || !ps.name) return `process ${i} has no name`;
    const what = `process ${i} (${ps.name})`;
    const bad = programProblem(`${what}: program`, ps.program);
    if (bad) return bad;
    for (const id of ['uid', 'gid']) {
      if (!isId(ps[id])) return `${what}: ${id} must be a non-negative integer, not ${describe(ps[id])}`;
    }
  }
  if (s.files !== undefined) {
    const bad = filesProblem(s.files);
    if (bad) return bad;
  }
  if (s.programs !== undefined) {
    if (!s.programs || typeof s.programs !== 'object' || Array.isArray(s.programs)) return `programs must be an object of path: program, not ${describe(s.programs)}`;
    for (const [path, p] of Object.entries(s.programs)) {
      if (!path.startsWith('/')) return `programs: "${path}" is not an absolute path`;
      const bad = programProblem(`programs: "${path}"`, p);
      if (bad) return bad;
      if (s.files && path in (s.files as object)) return `programs: "${path}" is also in files`;
    }
    const bad = filesProblem({ ...(s.files as object), ...Object.fromEntries(Object.keys(s.programs).map((p) => [p, ''])) });
    if (bad) return bad; // a program's directory must exist or be declared in files
  }
  if (s.kernel !== undefined) {
    if (!s.kernel || typeof s.kernel !== 'object' || Array.isArray(s.kernel)) return `kernel must be an object, not ${describe(s.kernel)}`;
    const kc = s.kernel as Record<string, unknown>;
    for (const k of Object.keys(kc)) if (!KERNEL_FIELDS.includes(k)) return `unknown kernel field "${k}" (known: ${KERNEL_FIELDS.join(', ')})`;
    if (kc.bugs !== undefined) {
      if (!Array.isArray(kc.bugs)) return `kernel.bugs must be an array of planted bug names, not ${describe(kc.bugs)}`;
      for (const b of kc.bugs) {
        if (typeof b !== 'string' || !isPlantedBug(b)) {
          return `kernel.bugs: unknown planted bug ${describe(b)} (known: ${Object.keys(plantedBugs()).join(', ')})`;
        }
      }
    }
    for (const f of ['checkInvariants', 'kernelPreemption']) {
      if (kc[f] !== undefined && typeof kc[f] !== 'boolean') return `kernel.${f} must be true or false, not ${describe(kc[f])}`;
    }
    if (kc.gc !== undefined && !(GC_KINDS as readonly unknown[]).includes(kc.gc)) return `kernel.gc must be ${GC_KINDS.map((g) => `'${g}'`).join(' or ')}, not ${describe(kc.gc)}`;
    if (kc.harts !== undefined && !(Number.isInteger(kc.harts) && (kc.harts as number) >= 1 && (kc.harts as number) <= MAX_HARTS)) {
      return `kernel.harts must be an integer from 1 to ${MAX_HARTS}, not ${describe(kc.harts)}`;
    }
    for (const f of ['memoryLimit', 'consoleLimit']) {
      const v = kc[f];
      if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v > 0)) return `kernel.${f} must be a positive integer (bytes), not ${describe(v)}`;
    }
  }
  if (s.targets !== undefined && !(Array.isArray(s.targets) && s.targets.every((t) => typeof t === 'string'))) {
    return `targets must be an array of coverage tuples (strings), not ${describe(s.targets)}`;
  }
  if (s.maxSteps !== undefined && !(Number.isSafeInteger(s.maxSteps) && (s.maxSteps as number) > 0)) {
    return `maxSteps must be a positive integer, not ${describe(s.maxSteps)}`;
  }
  if (s.requireCleanExit !== undefined && typeof s.requireCleanExit !== 'boolean') {
    return `requireCleanExit must be true or false, not ${describe(s.requireCleanExit)}`;
  }
  if (s.checks !== undefined) {
    if (!s.checks || typeof s.checks !== 'object' || Array.isArray(s.checks)) return `checks must be an object of name: function, not ${describe(s.checks)}`;
    for (const [name, c] of Object.entries(s.checks)) if (typeof c !== 'function') return `check "${name}" is not a function`;
  }
  return null;
}
