import type { ScenarioResult } from './result.js';

export interface BenchOptions {
  readonly json: boolean;
  /** Scenario or row names to run (prefix match); empty = every default scenario. */
  readonly only: readonly string[];
  /** Input records of the stateless pipelines. */
  readonly records: number;
  /** Keys in the changelog of the recovery scenarios. */
  readonly keys: number;
  /** Throughput rounds per stateless pipeline (interleaved across pipelines; the median is reported). */
  readonly rounds: number;
  readonly latencyRate: number;
  readonly latencySeconds: number;
  /** Input events of the stateful scenario, and the distinct keys they are counted by. */
  readonly statefulEvents: number;
  readonly statefulKeys: number;
  /** Time limit of one timed phase (a slow pipeline is reported as incomplete, not waited for). */
  readonly phaseLimitMs: number;
}

export interface BenchContext {
  /** The broker's bootstrap address; empty when no selected scenario needs a broker. */
  readonly bootstrap: string;
  readonly options: BenchOptions;
  /** A unique suffix for this run's topics and groups. */
  readonly runId: string;
  /** Rows of the scenarios that ran before this one in the same run (for cross-scenario ratios). */
  readonly results: readonly ScenarioResult[];
}

export interface Scenario {
  readonly name: string;
  /** Names of the rows it produces, for `--only`. */
  readonly rows: readonly string[];
  /** Optional scenarios run only when named with `--only`. */
  readonly optional?: boolean;
  /** False for in-memory scenarios (codecs): the run starts no broker when none of its scenarios needs one. */
  readonly needsBroker?: boolean;
  run(context: BenchContext): Promise<ScenarioResult[]>;
}
