/**
 * The messages between the lab page (viewer/src/lab/main.ts) and its training worker
 * (viewer/src/lab/worker.ts). Both sides import these types, so a renamed field is a type error
 * on both ends. Binary payloads (weights, zip files) travel as transferred ArrayBuffers.
 */
import type { TrainInput } from '../../../agents/dqn/config';
import type { LoopSummary, MetricLine } from '../../../agents/dqn/events';
import type { NetworkSpec } from '../../../src/layers';

/** What the page may ask for: 'auto' is WebGL on a real GPU, else wasm, else cpu. */
export const LAB_BACKENDS = ['auto', 'webgl', 'wasm', 'cpu'] as const;
export type LabBackend = (typeof LAB_BACKENDS)[number];

export interface StartMessage {
  type: 'start';
  /** The training config as the form gives it (the worker validates it again with resolveConfig). */
  input: TrainInput;
  backend: LabBackend;
  /** Stop once a periodic evaluation reaches this mean return (StopOnRewardThreshold); null = never. */
  stopAtReturn: number | null;
  /** Where the tfjs wasm binaries are served (a URL prefix ending in '/'). */
  wasmPath: string;
}

export type PageToWorker =
  | StartMessage
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Zip the current online network as a model directory (+ agent.json). */
  | { type: 'export-model' }
  /** Zip the run directory written so far. */
  | { type: 'export-run' };

export interface BackendReport {
  /** The backend training runs on: 'webgl', 'wasm' or 'cpu'. */
  name: string;
  /** One line for the page, e.g. "wasm (tfjs 4.22.0, SIMD on, threads on (2))". */
  description: string;
  /** Backends tried first and why they were not used. */
  skipped: { name: string; reason: string }[];
  crossOriginIsolated: boolean;
}

export interface ReadyMessage {
  type: 'ready';
  backend: BackendReport;
  /** The resolved training config (config.json of the run). */
  config: Record<string, unknown>;
  /** The Q-network's layer spec and input shape: the page compiles the same forward pass. */
  spec: NetworkSpec;
  obsShape: number[];
  nActions: number;
  actionNames: string[];
  /** Name of the run (the folder inside the run zip). */
  runName: string;
}

export interface ProgressMessage {
  type: 'progress';
  step: number;
  totalSteps: number;
  episode: number;
  epsilon: number;
  /** Env steps per second since the previous progress message. */
  sps: number;
  recentReturn: number | null;
}

/** The online network's trainable weights, flat, in FastForward layout, at a training step. */
export interface WeightsMessage {
  type: 'weights';
  step: number;
  weights: Float32Array;
}

export interface ZipMessage {
  type: 'zip';
  kind: 'model' | 'run';
  fileName: string;
  bytes: Uint8Array;
}

export interface ErrorMessage {
  type: 'error';
  message: string;
  /** For an invalid config: every problem by its field (ConfigError). */
  problems?: { path: string; message: string }[];
}

export type WorkerToPage =
  | ReadyMessage
  | ProgressMessage
  | WeightsMessage
  /** A line of metrics.jsonl, as the run writes it. */
  | { type: 'metric'; line: MetricLine }
  | { type: 'state'; state: 'training' | 'paused' | 'stopping' }
  | { type: 'done'; summary: LoopSummary & { backend: string; seed: number; outDir: string } }
  | ZipMessage
  | ErrorMessage;
