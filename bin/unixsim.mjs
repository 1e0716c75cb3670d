#!/usr/bin/env node
// The `unixsim` command: registers tsx so the TypeScript sources (and the
// user's scenario files) load directly, then hands over to src/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
