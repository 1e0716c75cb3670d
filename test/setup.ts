// Property tests draw their cases from one fast-check seed: fixed by default,
// so `npm test` (and CI) is reproducible; UNIXSIM_FC_SEED=<n> explores another part
// of the space (`UNIXSIM_FC_SEED=$RANDOM npm test`), and a failure prints the seed
// and path that replay it. Tests that pass their own seed keep it.
import fc from 'fast-check';

const DEFAULT_SEED = 20261127;
const env = process.env.UNIXSIM_FC_SEED;
const seed = env === undefined || env === '' ? DEFAULT_SEED : Number(env);
if (!Number.isInteger(seed)) throw new Error(`UNIXSIM_FC_SEED must be an integer, got "${env}"`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
