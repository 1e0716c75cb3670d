#!/usr/bin/env node
// The package build (`npm run build`, run by `prepare` and so by `npm ci`
// and `npm pack`): tsc compiles src/ to JavaScript (build/js) and
// declarations (dist/types); esbuild then bundles the three entry points
// (the library, the CLI, the vitest helper) into a few files in dist/ that
// share one copy of the simulator. One file instead of ninety modules is
// what lets `unixsim bugs` start in about the time node itself takes.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}/build`, { recursive: true, force: true });
rmSync(`${root}/dist`, { recursive: true, force: true });
execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', `${root}/tsconfig.build.json`], { stdio: 'inherit' });
// Entry points: the library, the CLI, the vitest helper, and modules loaded
// by URL at run time (the command's and a sweep's worker threads). All land flat in dist/,
// beside their shared chunks, so a module's `new URL('./x.js', import.meta.url)`
// finds its sibling wherever esbuild put the code.
const entries = ['index', 'cli', 'command', 'cli-worker', 'vitest', 'explore/sweep-worker'].filter((n) => existsSync(`${root}/build/js/${n}.js`));
await build({
  entryPoints: entries.map((n) => `${root}/build/js/${n}.js`),
  entryNames: '[name]',
  outdir: `${root}/dist`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // tsx and fast-check stay dependencies, loaded only by what needs them;
  // seedrandom (CommonJS, needed by every run) is bundled, which spares node's CommonJS interop at start-up
  external: ['tsx', 'tsx/*', 'fast-check'],
  chunkNames: '[name]-[hash]',
  logLevel: 'warning',
});
rmSync(`${root}/build`, { recursive: true, force: true });
// The bin compares this stamp with the sources to decide whether dist/ is current.
writeFileSync(`${root}/dist/BUILT`, 'built by scripts/build.mjs from src/\n');
