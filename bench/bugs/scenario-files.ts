// The scenario files the bug benches read: one by name ("race-two-acceptors",
// "cve/cve-2021-0920"), and the ones the exhaustive tables cover.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Scenario } from '../../src/script/scenario.ts';

const scenarioDir = join(dirname(fileURLToPath(import.meta.url)), '../../scenarios');

export async function loadScenario(name: string): Promise<Scenario> {
  return ((await import(pathToFileURL(join(scenarioDir, `${name}.ts`)).href)) as { default: Scenario }).default;
}

const stems = (dir: string, pattern: RegExp) => readdirSync(join(scenarioDir, dir)).filter((f) => pattern.test(f)).map((f) => f.replace(/\.ts$/, '')).sort();

/** The acceptance and race stories, and with `cve` the CVE gallery's fixed kernels (scenarios/cve/). */
export function tableScenarios(cve = false): string[] {
  const names = stems('.', /^(acceptance|race)-.*\.ts$/);
  if (cve) names.push(...stems('cve', /^cve-.*\.ts$/).map((n) => `cve/${n}`));
  return names;
}
