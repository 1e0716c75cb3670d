// Loading the user's scenario files (.ts or .mts, anywhere on disk, importing
// 'unixsim'). The compiled CLI does not carry a TypeScript loader; tsx is
// registered here, only when a scenario file is about to be imported, with
// bin/scenario-hooks.mjs on top of it (see there for what it changes).
// Host module loading: used by the CLI, never by the simulation core.
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

/** Set by bin/unixsim.mjs when it already registered tsx on this thread to run the sources. */
const TSX_REGISTERED = Symbol.for('unixsim.tsx-registered');
const HOOKS_INSTALLED = Symbol.for('unixsim.scenario-hooks');

type Flags = Record<symbol, boolean | undefined>;

/** The directory of the running copy of unixsim (the one holding its package.json). */
function packageRoot(): URL {
  let dir = new URL('./', import.meta.url); // src/, dist/ or dist/chunks/
  while (!existsSync(new URL('package.json', dir)) && dir.pathname !== '/') dir = new URL('../', dir);
  return dir;
}

/** The running copy's public entry points, by the specifier a scenario imports. */
function entryPoints(root: URL): Record<string, string> {
  const [dir, ext] = import.meta.url.endsWith('.ts') ? ['src', 'ts'] : ['dist', 'js'];
  return {
    unixsim: new URL(`${dir}/index.${ext}`, root).href,
    'unixsim/vitest': new URL(`${dir}/vitest.${ext}`, root).href,
  };
}

/** Makes `import()` of a user's TypeScript file work on this thread (idempotent). */
export async function prepareUserImports(): Promise<void> {
  const g = globalThis as unknown as Flags;
  // vitest compiles and resolves modules itself (vite); node's hooks would not see them
  if (g[HOOKS_INSTALLED] || process.env.VITEST) return;
  g[HOOKS_INSTALLED] = true;
  if (!g[TSX_REGISTERED]) {
    const { register } = await import('tsx/esm/api');
    register();
    g[TSX_REGISTERED] = true;
  }
  // registered after tsx, so it runs first and sees what tsx resolved
  const root = packageRoot();
  registerHooks(new URL('bin/scenario-hooks.mjs', root).href, { data: { entries: entryPoints(root) } });
}

/** Imports a user's module (a scenario file) by host path. */
export async function importUserModule(path: string): Promise<unknown> {
  await prepareUserImports();
  return import(pathToFileURL(path).href);
}
