// Loading a scenario file (host side: used by the CLI and the package, not
// by the simulation). Every way a file can be wrong ends in one
// ScenarioLoadError whose message is one line naming the file and the
// problem: a missing file, a syntax error (with its line, column and
// reason), an exception at import (with the line that threw), a top-level
// await that never settles, no default export, or a malformed scenario
// (scenarioProblem). The CLI prints it as `unixsim: FILE: problem`, exit 2.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { importUserModule } from '../load.ts'; // tsx and the scenario hooks, only now
import './runner.ts'; // registers every subsystem's planted bugs before kernel.bugs are checked
import { userFrame } from './errors.ts';
import { scenarioProblem, type Scenario } from './scenario.ts';

export class ScenarioLoadError extends Error {}

/** One line saying why importing the module failed. */
export function describeLoadError(e: unknown, path: string): string {
  if (!(e instanceof Error)) return `threw ${String(e)} while loading`;
  const text = e.message.replace(/\x1b\[[0-9;]*m/g, '');
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  // esbuild (tsx): "Transform failed with 1 error:\n/abs/file.ts:3:10: ERROR: Expected ";" but found "x""
  for (const l of lines) {
    const m = /^(.*?):(\d+):(\d+): ERROR: (.*)$/.exec(l);
    if (m) return `syntax error at line ${m[2]}, column ${Number(m[3]) + 1}: ${m[4]}`;
  }
  // oxc (vitest): "[PARSE_ERROR] Unexpected token" and a "[ ../file.ts:1:17 ]" frame
  const parse = lines.find((l) => l.startsWith('[PARSE_ERROR]'));
  if (parse) {
    const at = /:(\d+):(\d+)\s*\]/.exec(text);
    return `syntax error${at ? ` at line ${at[1]}, column ${at[2]}` : ''}: ${parse.replace('[PARSE_ERROR]', '').trim()}`;
  }
  if (e.name === 'SyntaxError') {
    // V8's own syntax errors name the place in the stack's first line ("file:///abs/x.ts:3")
    const at = /:(\d+)(?::(\d+))?\s*$/m.exec((e.stack ?? '').split('\n')[0]) ?? /:(\d+)(?::(\d+))?\s*$/m.exec((e.stack ?? '').split('\n').find((l) => l.includes(path)) ?? '');
    return `syntax error${at ? ` at line ${at[1]}` : ''}: ${lines[0]}`;
  }
  if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return `cannot load: ${lines[0]}`;
  const where = e.stack ? userFrame(e.stack) : null;
  return `threw at import: ${e.name === 'Error' ? '' : `${e.name}: `}${lines[0] ?? ''}${where ? ` (at ${where})` : ''}`;
}

/**
 * Imports `file` and validates its default export. A top-level await that
 * never settles would otherwise end the process with status 13 and no word:
 * if the event loop runs dry while the import is pending, that is the error.
 */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  const path = resolve(file);
  if (!existsSync(path)) throw new ScenarioLoadError(`${file}: no such file`);
  if (!statSync(path).isFile()) throw new ScenarioLoadError(`${file}: not a regular file`);
  let onDry: () => void = () => {};
  const dry = new Promise<never>((_, reject) => {
    onDry = () => reject(new ScenarioLoadError(`${file}: its top-level await never settles`));
  });
  process.once('beforeExit', onDry);
  let mod: { default?: unknown };
  try {
    mod = await Promise.race([importUserModule(path) as Promise<{ default?: unknown }>, dry]);
  } catch (e) {
    if (e instanceof ScenarioLoadError) throw e;
    throw new ScenarioLoadError(`${file}: ${describeLoadError(e, path)}`);
  } finally {
    process.removeListener('beforeExit', onDry);
  }
  if (!('default' in mod) || mod.default === undefined) throw new ScenarioLoadError(`${file}: no default export (export default defineScenario({...}))`);
  const problem = scenarioProblem(mod.default);
  if (problem) throw new ScenarioLoadError(`${file}: ${problem}`);
  return mod.default as Scenario;
}
