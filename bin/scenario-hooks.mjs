// Module customization hooks (node:module register) for the user's scenario
// files, installed by src/load.ts just before the first one is imported:
//   - `unixsim` and `unixsim/...` resolve to the copy of unixsim that is
//     running, wherever the scenario file is on disk, so the simulator that
//     runs a scenario is the one it was written against (and one module
//     instance, not two);
//   - in a checkout, `unixsim/<path>` is also any file of the checkout (the
//     property suites' counterexample files import their interpreters so);
//   - a user's .ts file loads as an ES module even where no package.json
//     says "type": "module" (tsx would compile it to CommonJS, and its
//     `import 'unixsim'` would then fail as a require() of ESM in a cycle).
// Plain JavaScript: hooks run on node's loader thread, before tsx is there.
import { existsSync } from 'node:fs';

/** @type {Record<string, string>} specifier -> file URL */
let entries = {};
/** @type {string | null} the running copy's directory (file URL, ending in /) */
let root = null;

export function initialize(data) {
  entries = data?.entries ?? {};
  root = data?.root ?? null;
}

export async function resolve(specifier, context, nextResolve) {
  if (Object.hasOwn(entries, specifier)) return { url: entries[specifier], format: 'module', shortCircuit: true };
  if (root && specifier.startsWith('unixsim/')) {
    const file = new URL(specifier.slice('unixsim/'.length), root);
    if (existsSync(file)) return resolve(file.href, context, nextResolve);
  }
  const r = await nextResolve(specifier, context);
  if (r.url.startsWith('file:') && /\.m?ts$/.test(r.url) && !r.url.includes('/node_modules/')) {
    return { ...r, format: 'module' };
  }
  return r;
}
