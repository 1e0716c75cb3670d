// The public API of unixsim, for tools and test suites built on it. Write a
// scenario (defineScenario), run it under a seed (runScenario), render what
// happened (renderText, renderChromeJson), and reproduce it (replayCommand,
// or runScenario with the recorded picks). Everything else is internal.

// Scenarios and runs
export { defineScenario, type Scenario, type ProcessSpec, type FileEntry, type FileSpec } from './script/scenario.ts';
export { loadScenarioFile, ScenarioLoadError } from './script/loader.ts';
export { runScenario, STRATEGIES, type RunOptions, type RunResult, type StrategyName } from './script/runner.ts';
export type { RunView } from './script/runview.ts';
export type { KernelState, FileView, SocketView, TaskView } from './script/kstate.ts';
export type { Program } from './script/context.ts';

// What scripts call
export { Sys, text, toBytes, type Bytes, type DataResult, type SockAddr, type SockName, type SysGen, type ForkOptions, type ThreadOptions } from './script/sys.ts';
export * as unix from './unix/constants.ts';

// Traces and reproduction
export { renderLines, renderText, type TextLine, type TextOptions, type TraceEvent } from './sched/trace.ts';
export { renderPerfetto, renderChromeJson, type PerfettoMeta } from './sched/perfetto.ts';
export { describeRunEnd, type RunEnd } from './sched/scheduler.ts';
export { parseSeed, type Seed } from './sched/rng.ts';

export { replayCommand, execReplayCommand, runArgs } from './explore/run-flags.ts';
export { shrinkFailure, type ShrinkResult } from './explore/shrink.ts';
export { failureReport, scheduleStory, type ReportInput } from './explore/report.ts';
export { classifyFailure, type FailureKind } from './explore/signature.ts';
export { mergeSummaries, shardRange, type SweepSummary, type FailureGroup, type Shard } from './explore/sweep.ts';
export { subtreePrefixes, shardPrefixes } from './explore/subtrees.ts';
export { plantedBugs, type PlantedBug } from './kernel/bugs.ts';

// Exploration over many runs (dfs, dpor, cov) and fault injection
export { explore, type ExploreOptions, type ExploreResult } from './script/explore.ts';
export { DfsExplorer } from './sched/strategies/dfs.ts';
export { DporExplorer } from './sched/strategies/dpor.ts';
export { CovExplorer } from './sched/strategies/cov.ts';
export type { FaultOptions } from './kernel/faults.ts';

// The machine itself, for harnesses that drive the scheduler directly
export { bootMachine, type Machine } from './machine.ts';
export { Scheduler } from './sched/scheduler.ts';
export { Rng } from './sched/rng.ts';
export type { Kernel, KernelConfig } from './kernel/kernel.ts';

// Real binaries
export { execImage, type ExecOptions, type ExecResult } from './exec.ts';
