// Planted bugs: named, documented kernel variants, off by default, that
// reproduce mistakes real kernels make. Property tests must find each of
// them; anyone can re-run the demonstration with `--bug NAME`.

export const PLANTED_BUGS = {
  'pipe-write-no-wake': 'pipe write queues data but forgets to wake sleeping readers',
  'pipe-read-no-wake': 'pipe read frees space but forgets to wake sleeping writers',
  'dup-no-ref': 'dup installs the new fd without taking a reference on the open file',
  'global-pipe-ino': 'pipe inode numbers come from a module-global counter, so state leaks from one run into the next (a determinism bug)',
} as const;

export type PlantedBug = keyof typeof PLANTED_BUGS | (string & { __planted?: never });

const registry: Record<string, string> = { ...PLANTED_BUGS };

/** Subsystems add their own planted bugs at load time. */
export function registerPlantedBugs(bugs: Record<string, string>): void {
  Object.assign(registry, bugs);
}

export function isPlantedBug(name: string): boolean {
  return name in registry;
}

export function plantedBugs(): Readonly<Record<string, string>> {
  return registry;
}
