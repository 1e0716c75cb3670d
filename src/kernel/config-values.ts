// The values a kernel configuration field may take, in a module that loads
// nothing else: the command line's flag table (src/explore/run-flags.ts)
// checks --gc and --harts with them, and `unixsim bugs` or `--help` must not
// load the kernel to parse a flag.

/** Which in-flight garbage collector the kernel runs (src/unix/gc/). */
export type GcKind = 'scc' | 'mark-sweep';
export const GC_KINDS: readonly GcKind[] = ['scc', 'mark-sweep'];

/** The most harts a run may have (--harts): more than its tasks changes nothing. */
export const MAX_HARTS = 64;
