/**
 * The one event stream of a training run. The loop and its listeners emit these; every callback
 * receives all of them, in order, through `onEvent` (callbacks.ts). The three metric lines are
 * exactly the lines of metrics.jsonl (docs/run-directory.md).
 */
import type { ReplayFile } from '../recording/replay-format';

export interface EpisodeLine { type: 'episode'; step: number; episode: number; return: number; length: number }
export interface EvalLine { type: 'eval'; step: number; meanReturn: number; stdReturn: number; episodes: number }
export interface TrainLine {
  type: 'train';
  step: number;
  loss: number | null;
  qMean: number | null;
  epsilon: number;
  /** Mean return of the last 100 training episodes (null before the first ends): the MinAtar paper's curve. */
  recentReturn: number | null;
  sps: number;
  /** Wall-clock seconds of training at this line, summed over resumes: the run's clock. */
  wallSeconds: number;
}
/** One line of metrics.jsonl. */
export type MetricLine = EpisodeLine | EvalLine | TrainLine;

/** A snapshot of the whole training state: JSON plus named binary arrays (state.ts, snapshot-codec.ts). */
export interface TrainingSnapshot {
  json: Record<string, unknown>;
  arrays: Record<string, Float32Array | Float64Array | Int32Array | Uint8Array>;
}

export type CheckpointReason = 'interval' | 'interrupt' | 'end';

export interface LoopSummary {
  env: string;
  steps: number;
  episodes: number;
  updates: number;
  finalEval: { meanReturn: number; stdReturn: number; episodes: number } | null;
  bestEval: { step: number; meanReturn: number; stdReturn: number } | null;
  /** Mean return of the last 100 training episodes (the curve the MinAtar paper plots). */
  recentReturn: number | null;
  wallSeconds: number;
  sps: number;
  /** Stopped by a signal (Ctrl-C, abort) before `steps`: the final evaluation was skipped. */
  interrupted: boolean;
  /** Set when a callback ended training early (e.g. a reward threshold was reached). */
  stoppedBy?: string;
}

export type TrainEvent =
  | { type: 'start'; step: number; totalSteps: number; resumed: boolean }
  | { type: 'episode-start'; step: number; episode: number; seed: number }
  | MetricLine
  /** A new best periodic evaluation (the agent's online net is the one to keep). */
  | { type: 'best'; step: number; meanReturn: number; stdReturn: number; episodes: number }
  | { type: 'replay'; step: number; name: string; file: ReplayFile }
  | { type: 'checkpoint'; step: number; reason: CheckpointReason; snapshot: TrainingSnapshot }
  | { type: 'end'; step: number; summary: LoopSummary };

export function isMetricLine(e: TrainEvent): e is MetricLine {
  return e.type === 'episode' || e.type === 'eval' || e.type === 'train';
}
