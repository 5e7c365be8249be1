/**
 * runTraining (contract 4): resolve the config, pick the backend, train, and write the run
 * directory of docs/run-directory.md through a RunDirWriter callback. Used by `keiko train`,
 * sweeps (worker threads) and scripts; `callbacks` observe the same event stream.
 *
 * Resume: with `resume: true` the run continues from checkpoints/latest (config.json of the run
 * directory wins; `steps` may be raised). Ctrl-C / `signal` abort: a checkpoint is written and
 * the promise resolves with `interrupted: true`. SIGKILL loses at most the steps since the last
 * checkpoint. A non-finite loss throws NonFiniteLossError and keeps the last good checkpoint.
 */

import { initNodeBackend } from './backend-node';
import { make } from '../envs/registry';
import { ConfigError, resolveConfig, type DqnConfig, type TrainInput } from '../agents/dqn/config';
import type { Callback } from '../agents/dqn/callbacks';
import type { LoopSummary, TrainEvent } from '../agents/dqn/events';
import { DqnTrainer } from '../agents/dqn/loop';
import { SnapshotError } from '../agents/dqn/state';
import { RunDir, RUN_FILES } from './run-dir';
import { CheckpointError, hasCheckpoint, readCheckpoint } from './checkpoint';
import { RunDirWriter } from './run-dir-writer';

export type { TrainInput, TrainEvent };

export interface RunTrainingOptions {
  outDir: string;
  resume?: boolean;
  /** Listeners of the run's event stream (after the run-directory writer). */
  callbacks?: readonly Callback[];
  signal?: AbortSignal;
  /** No backend banner. */
  quiet?: boolean;
}

export interface RunSummary extends LoopSummary {
  seed: number;
  backend: string;
  outDir: string;
  /** Set when training stopped on an error (e.g. a non-finite loss). */
  error?: string;
}

/** Make the env early so a bad id or option is a config problem, not a crash mid-run. */
function checkEnv(config: DqnConfig): void {
  try {
    make(config.env, config.envOptions).close();
  } catch (err) {
    const path = /option|stickyAction|difficulty/i.test(String((err as Error).message)) ? 'envOptions' : 'env';
    throw new ConfigError([{ path, message: (err as Error).message }]);
  }
}

export async function runTraining(input: TrainInput, options: RunTrainingOptions): Promise<RunSummary> {
  const runDir = new RunDir(options.outDir);
  const resume = options.resume === true;
  let config: DqnConfig;
  let checkpoint: ReturnType<typeof readCheckpoint> | null = null;
  const latest = runDir.path(RUN_FILES.latest);
  if (resume && hasCheckpoint(latest)) {
    const saved = runDir.readConfig() as Record<string, unknown>;
    // The run's own config wins; only a longer budget may be asked for.
    config = resolveConfig({ ...saved, ...(input.steps !== undefined ? { steps: input.steps } : {}) });
    checkpoint = readCheckpoint(latest);
  } else {
    config = resolveConfig(input);
    if (!resume && runDir.hasRun()) {
      throw new ConfigError([{ path: 'outDir', message: `${options.outDir} already holds a run; pass resume to continue it, or choose another directory` }]);
    }
  }
  checkEnv(config);
  const backend = await initNodeBackend(config.backend, { quiet: options.quiet });
  const resolved: DqnConfig = { ...config, backend: backend.name === 'webgl' ? 'auto' : backend.name };
  const writer = new RunDirWriter(runDir, { seed: resolved.seed, backend: backend.name, outDir: options.outDir });
  const trainer = new DqnTrainer(resolved, make, { callbacks: [writer, ...(options.callbacks ?? [])] });
  try {
    if (checkpoint) {
      try {
        await trainer.restore(checkpoint.snapshot);
      } catch (err) {
        if (err instanceof SnapshotError) throw new CheckpointError(runDir.path(RUN_FILES.latest, 'checkpoint.bin'), err.message);
        throw err;
      }
      runDir.reopen(checkpoint.extra.metricsBytes);
    } else {
      runDir.create(resolved);
    }
    let loop: LoopSummary;
    try {
      loop = await trainer.run(options.signal);
    } catch (err) {
      writer.writeError(trainer.summary(), (err as Error).message);
      throw err;
    }
    return writer.finalSummary(loop);
  } finally {
    trainer.dispose();
  }
}
