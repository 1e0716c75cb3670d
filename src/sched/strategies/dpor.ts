import type { Explorer, ExploredRun } from '../explorer.ts';
import type { Strategy } from '../strategy.ts';
export class DporExplorer implements Explorer {
  exhausted = false;
  constructor(readonly bound = Infinity) {}
  get describe(): string { return 'dpor'; }
  next(): Strategy | null { return null; }
  finish(_run: ExploredRun): void {}
}
