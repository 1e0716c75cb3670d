// The wake-duty property: random programs of four kinds (socket
// conversations, pipe flows, datagram floods, limits raised under sleepers) under random and pct
// schedules, with the kernel's wake-duty checker on (src/kernel/wake-duty.ts):
// after every step, no task sleeps on a queue whose wait condition holds
// after it saw it false. A failure names the step of the missed wake.
import fc from 'fast-check';
import { runScenario, type RunResult } from '../../src/script/runner.ts';
import type { Scenario } from '../../src/script/scenario.ts';
import { dgramFlowArb, dgramFlowScenario } from '../gen/dgramflow.ts';
import { limitsArb, limitsScenario } from '../gen/limits.ts';
import { pipeFlowArb, pipeFlowScenario } from '../gen/pipeflow.ts';
import { programScenario } from './interp.ts';
import { programArb } from './program.ts';

export interface WakeFamily {
  name: 'sockets' | 'pipes' | 'dgram' | 'limits';
  /** the program as data (shrinks and prints as such) */
  arb: fc.Arbitrary<unknown>;
  scenario(subject: unknown): Scenario;
}

export const WAKE_FAMILIES: Record<WakeFamily['name'], WakeFamily> = {
  sockets: { name: 'sockets', arb: programArb, scenario: (p) => programScenario(p as Parameters<typeof programScenario>[0]).scenario },
  pipes: { name: 'pipes', arb: pipeFlowArb, scenario: (f) => pipeFlowScenario(f as Parameters<typeof pipeFlowScenario>[0]) },
  dgram: { name: 'dgram', arb: dgramFlowArb, scenario: (f) => dgramFlowScenario(f as Parameters<typeof dgramFlowScenario>[0]) },
  limits: { name: 'limits', arb: limitsArb, scenario: (p) => limitsScenario(p as Parameters<typeof limitsScenario>[0]) },
};

export interface WakeCase {
  subject: unknown;
  seed: number;
  strategy: 'random' | 'pct';
}

export function wakeCaseArb(f: WakeFamily): fc.Arbitrary<WakeCase> {
  return fc.record({ subject: f.arb, seed: fc.integer({ min: 1, max: 1_000_000 }), strategy: fc.constantFrom<'random' | 'pct'>('random', 'pct') });
}

export function runWakeCase(f: WakeFamily, c: WakeCase, bugs: readonly string[], checkWakeDuties = true): RunResult {
  return runScenario(f.scenario(c.subject), { seed: c.seed, strategy: c.strategy, bugs, checkInvariants: true, checkWakeDuties });
}

/** The missed wake a run reports, with its step, or null. */
export function missedWake(r: RunResult): { step: number; message: string } | null {
  for (const msg of r.failures) {
    const m = /^kernel invariant violated at step (\d+): (wake duty missed: .*)$/.exec(msg);
    if (m) return { step: Number(m[1]), message: m[2] };
  }
  return null;
}

export function wakeDutyProperty(f: WakeFamily, bugs: readonly string[]) {
  return fc.property(wakeCaseArb(f), (c) => {
    const miss = missedWake(runWakeCase(f, c, bugs));
    if (miss) {
      throw new Error(
        `${f.name}: at step ${miss.step}, ${miss.message}\n  run seed ${c.seed}, strategy ${c.strategy}, bugs ${bugs.join(',') || 'none'}; program ${JSON.stringify(c.subject)}`,
      );
    }
  });
}

/** Runs per family: small by default (npm test), UNIXSIM_WAKE_RUNS for a deeper search. */
export function wakeRuns(dflt: number): number {
  const n = Number(process.env.UNIXSIM_WAKE_RUNS);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}
