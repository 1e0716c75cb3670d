// Loading the user's scenario files (.ts or .mts, anywhere on disk, importing
// 'unixsim'). The compiled CLI does not carry a TypeScript loader; tsx is
// registered here, only when a scenario file is about to be imported, with
// bin/scenario-hooks.mjs on top of it (see there for what it changes).
// Host module loading: used by the CLI, never by the simulation core.
import { existsSync } from 'node:fs';
import { createRequire, register as registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const HOOKS_INSTALLED = Symbol.for('unixsim.scenario-hooks');

/** The directory of the running copy of unixsim (the one holding its package.json). */
function packageRoot(): URL {
  let dir = new URL('./', import.meta.url); // src/ or dist/
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
  const g = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (g[HOOKS_INSTALLED]) return;
  g[HOOKS_INSTALLED] = true;
  // Running as TypeScript, this module was loaded by something that compiles
  // TypeScript already (tsx from bin/unixsim.mjs, or vitest); compiled, it
  // brings tsx in now.
  if (!import.meta.url.endsWith('.ts')) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  // registered after tsx, so it runs first and sees what tsx resolved
  const root = packageRoot();
  registerHooks(new URL('bin/scenario-hooks.mjs', root).href, { data: { entries: entryPoints(root), root: root.href } });
}

/** Imports a user's module (a scenario file) by host path. */
export async function importUserModule(path: string): Promise<unknown> {
  await prepareUserImports();
  return import(pathToFileURL(path).href);
}

/**
 * The code of a worker thread (`new Worker(code, { eval: true })`) that runs
 * the module at `href`: compiled, it is JavaScript and is imported as is;
 * from source, tsx is registered first, by its ESM entry (its CommonJS one
 * cannot register from an eval'd worker).
 */
export function workerBootCode(href: string): string {
  if (!href.endsWith('.ts')) return `import(${JSON.stringify(href)});`;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(href)}); });`;
}
