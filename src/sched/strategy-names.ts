// The names of the one-run scheduling strategies (src/script/runner.ts makes
// them), apart from their code so that the command line's flag table can
// list them without loading a scheduler.
export type StrategyName = 'random' | 'rr' | 'pct' | 'keep';
export const STRATEGIES: readonly StrategyName[] = ['random', 'rr', 'pct', 'keep'];
