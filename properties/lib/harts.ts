// The harts generated programs run on: UNIXSIM_HARTS=N runs the socket and
// fd-passing property suites on the SMP model (src/kernel/lock.ts); 1, the
// kernel without interleaving inside syscalls, by default.
export const HARTS = Number(process.env.UNIXSIM_HARTS ?? 1);
