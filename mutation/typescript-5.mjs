// Loaded into Stryker's processes (`npm run mutate` passes --import, and
// checkerNodeArgs in stryker.config.mjs for the type checker's child).
// Stryker drives the TypeScript compiler API, which TypeScript 7 (the
// project's tsc, a native binary) no longer ships; so `typescript` imported
// from a Stryker package resolves to the typescript-5 devDependency
// (typescript@5.9) instead. The project itself still checks with tsc 7.
import { register } from 'node:module';

register('./typescript-5-resolve.mjs', import.meta.url);
