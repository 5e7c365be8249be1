/**
 * train(config, callbacks): the script API, browser-safe and file-free — resolve the config,
 * start the backend, train, and report through callbacks. For a run directory on disk
 * (config.json, metrics.jsonl, checkpoints, replays) use node/run-training.ts's runTraining.
 */
import { initBackend } from '../../src/backend';
import { make } from '../../envs/registry';
import { resolveConfig, type DqnConfig, type TrainInput } from './config';
import { DqnTrainer, type EpisodeLine, type EvalLine, type LoopSummary, type TrainEvent, type TrainLine, type TrainingSnapshot } from './loop';
import type { ReplayFile } from '../recording/replay-format';

export interface TrainCallbacks {
  onEpisode?(line: EpisodeLine): void;
  onEval?(line: EvalLine): void;
  /** Every logInterval steps: mean loss, mean Q, ε, steps/s. */
  onLog?(line: TrainLine): void;
  /** Every checkpointInterval steps (and at the end): the full training state. */
  onCheckpoint?(snapshot: TrainingSnapshot): void | Promise<void>;
  onReplay?(name: string, replay: ReplayFile): void;
  onEvent?(e: TrainEvent): void;
  signal?: AbortSignal;
}

export interface TrainResult extends LoopSummary {
  config: DqnConfig;
  backend: string;
}

export async function train(input: TrainInput, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
  const config = resolveConfig(input);
  const backend = await initBackend(config.backend, { quiet: true });
  const trainer = new DqnTrainer(config, make);
  try {
    const summary = await trainer.run(
      {
        metric: (line) => {
          if (line.type === 'episode') callbacks.onEpisode?.(line);
          else if (line.type === 'eval') callbacks.onEval?.(line);
          else callbacks.onLog?.(line);
        },
        replay: (name, file) => callbacks.onReplay?.(name, file),
        checkpoint: (snapshot) => callbacks.onCheckpoint?.(snapshot),
        event: callbacks.onEvent,
      },
      callbacks.signal,
    );
    return { ...summary, config, backend: backend.name };
  } finally {
    trainer.dispose();
  }
}
