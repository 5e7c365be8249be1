/**
 * runTraining (contract 4): resolve the config, pick the backend, train, and write the run
 * directory of docs/run-directory.md. Used by `keiko train`, sweeps (worker threads) and scripts.
 *
 * Resume: with `resume: true` the run continues from checkpoints/latest (config.json of the run
 * directory wins; `steps` may be raised). Ctrl-C / `signal` abort: a checkpoint is written and
 * the promise resolves with `interrupted: true`. SIGKILL loses at most the steps since the last
 * checkpoint. A non-finite loss throws NonFiniteLossError and keeps the last good checkpoint.
 */

import { initNodeBackend } from './backend-node';
import { make } from '../envs/registry';
import { ConfigError, resolveConfig, type DqnConfig, type TrainInput } from '../agents/dqn/config';
import { DqnTrainer, type LoopSummary, type TrainEvent, type TrainSink } from '../agents/dqn/loop';
import { RunDir, RUN_FILES } from './run-dir';
import { hasCheckpoint, readCheckpoint, writeBestModel, writeCheckpoint } from './checkpoint';

export type { TrainInput, TrainEvent };

export interface RunTrainingOptions {
  outDir: string;
  resume?: boolean;
  onEvent?: (e: TrainEvent) => void;
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
  const trainer = new DqnTrainer(resolved, make);
  try {
    if (checkpoint) {
      await trainer.restore(checkpoint.snapshot);
      runDir.reopen(checkpoint.extra.metricsBytes);
    } else {
      runDir.create(resolved);
    }
    const base = { seed: resolved.seed, backend: backend.name, outDir: options.outDir };
    const partialSummary = (): RunSummary => ({
      env: resolved.env,
      steps: trainer.step,
      episodes: trainer.episode,
      updates: trainer.updates,
      finalEval: null,
      bestEval: trainer.bestEval,
      wallSeconds: 0,
      sps: 0,
      interrupted: false,
      ...base,
    });
    const sink: TrainSink = {
      metric: (line) => runDir.appendMetric(line),
      replay: (name, file) => runDir.writeReplay(name, file),
      checkpoint: (snapshot) => {
        writeCheckpoint(latest, snapshot, { metricsBytes: runDir.metricsBytes });
        const j = snapshot.json as { wallSeconds: number };
        const s = partialSummary();
        runDir.writeSummary({ ...s, wallSeconds: j.wallSeconds, sps: j.wallSeconds > 0 ? s.steps / j.wallSeconds : 0 });
      },
      best: (step, agent, r) => writeBestModel(runDir.path(RUN_FILES.best), agent.online, { step, meanReturn: r.meanReturn, stdReturn: r.stdReturn, episodes: r.episodes }),
      event: options.onEvent,
    };
    let loop: LoopSummary;
    try {
      loop = await trainer.run(sink, options.signal);
    } catch (err) {
      runDir.writeSummary({ ...partialSummary(), error: (err as Error).message });
      throw err;
    }
    const summary: RunSummary = { ...loop, ...base };
    runDir.writeSummary(summary);
    return summary;
  } finally {
    trainer.dispose();
  }
}

