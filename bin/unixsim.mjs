#!/usr/bin/env node
// The `unixsim` command. An installed package runs the compiled CLI in
// dist/. A checkout runs dist/ too when it is built (`npm run build`, which
// `npm ci` runs) and no source file is newer than the build; otherwise it
// runs the TypeScript sources through tsx, so an edit takes effect at once
// and a fresh clone works before any build. UNIXSIM_FROM_SOURCE=1 forces the
// sources (in a checkout).
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL('dist/BUILT', root);
const src = new URL('src/', root);

/** Newest modification time (ms) of any file under dir. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) t = Math.max(t, statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs);
  }
  return t;
}

const fromSource = process.env.UNIXSIM_FROM_SOURCE === '1' && existsSync(src);
const useDist = !fromSource && existsSync(built) && (!existsSync(src) || newest(src) <= statSync(built).mtimeMs);
let runCommand;
if (useDist) {
  ({ runCommand } = await import('../dist/command.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCommand } = await import('../src/command.ts'));
}
process.exitCode = await runCommand(process.argv.slice(2));
