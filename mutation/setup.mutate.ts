// Setup file of the fast mutation profiles: a failing property is a killed
// mutant, so fast-check ends at its first counterexample (no shrinking).
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), endOnFailure: true });
