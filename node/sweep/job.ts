/**
 * One unit of sweep work as it travels to a worker thread (and through the Redis queue): plain
 * JSON. Shared by the thread pool, the worker entry and the queue.
 */
import type { RunResult } from './store';

export interface RunJob {
  key: string;
  env: string;
  /** The full training input (contract 4's TrainInput). */
  config: Record<string, unknown>;
  /** Absolute run directory to write. */
  runDir: string;
  /** The env's reward threshold (steps-to-threshold), null when it has none. */
  threshold: number | null;
  /**
   * Modules (absolute URLs) the worker imports before training, e.g. ones that register a
   * custom env (`keiko bench --import`); absent when there are none.
   */
  imports?: string[];
}

/** A training event forwarded from a worker (only what progress display needs); type 'finished' marks the end of a run. */
export interface JobProgress {
  key: string;
  step: number;
  type: string;
  meanReturn?: number;
  sps?: number;
}

export type JobOutcome =
  | { status: 'done'; result: RunResult }
  | { status: 'failed'; error: string; wallSeconds: number | null; crashed: boolean }
  | { status: 'aborted' };

/** Messages from the main thread to a worker thread. */
export type ToWorker = { type: 'run'; job: RunJob } | { type: 'abort' };

/** Messages from a worker thread to the main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'outcome'; key: string; outcome: JobOutcome };

/**
 * The module a worker loads to train: it must export `runTraining(input, options)` (contract 4)
 * and may export `resolveConfig(input)` to validate configs. Default: node/run-training.ts with
 * agents/dqn/config.ts. Tests pass a fast fake runner instead.
 */
export interface RunnerModule {
  runTraining(
    input: Record<string, unknown>,
    options: { outDir: string; resume?: boolean; callbacks?: { onEvent?: (e: unknown) => void }[]; signal?: AbortSignal; quiet?: boolean },
  ): Promise<unknown>;
  resolveConfig?: (input: Record<string, unknown>) => unknown;
}
