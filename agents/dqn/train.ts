/**
 * train(config, { callbacks }): the script API, browser-safe and file-free — resolve the config,
 * start the backend, train, and report through callbacks (callbacks.ts). It returns the summary
 * with the trained agent still alive: call `result.agent.dispose()` when done with it. For a run
 * directory on disk (config.json, metrics.jsonl, checkpoints, replays) use node/run-training.ts.
 */
import { initBackend } from '../../src/backend';
import { make } from '../../envs/registry';
import type { Callback } from './callbacks';
import { resolveConfig, type DqnConfig, type TrainInput } from './config';
import type { DqnAgent } from './agent';
import type { LoopSummary } from './events';
import { DqnTrainer } from './loop';

export interface TrainOptions {
  callbacks?: readonly Callback[];
  signal?: AbortSignal;
}

export interface TrainResult extends LoopSummary {
  config: DqnConfig;
  backend: string;
  /** The trained agent (its networks stay allocated until `agent.dispose()`). */
  agent: DqnAgent;
}

export async function train(input: TrainInput, options: TrainOptions = {}): Promise<TrainResult> {
  const config = resolveConfig(input);
  const backend = await initBackend(config.backend, { quiet: true });
  const trainer = new DqnTrainer(config, make, { callbacks: options.callbacks });
  try {
    const summary = await trainer.run(options.signal);
    trainer.env.close();
    trainer.evalEnv.close();
    return { ...summary, config, backend: backend.name, agent: trainer.agent };
  } catch (err) {
    trainer.dispose();
    throw err;
  }
}
