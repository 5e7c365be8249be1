/**
 * `keiko eval RUN_DIR`: evaluate a trained run's agent (final/ or checkpoints/best/) over N
 * greedy (ε = evalEpsilon) episodes on the run's env and print mean ± std; with --record the
 * first episode goes to RUN_DIR/replays/ for the viewer. With the defaults (final model, the
 * run's seed, finalEvalEpisodes episodes) it reproduces the run's summary.finalEval.
 * `openRunAgent` is shared with `keiko enjoy`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, resolveConfig, type DqnConfig } from '../../agents/dqn/config';
import type { DqnAgent } from '../../agents/dqn/agent';
import { make } from '../../envs/registry';
import type { Env } from '../../envs/core';
import { loadAgent, readAgentFile, RUN_AGENTS, type RunAgentName } from '../../node/agent-dir';
import { initNodeBackend } from '../../node/backend-node';
import { RunDir, RUN_FILES } from '../../node/run-dir';
import { parsePreference } from '../../src/backend';
import { ModelLoadError } from '../../src/model-io';
import { UserError } from '../errors';

export interface RunAgent {
  runDir: RunDir;
  model: RunAgentName;
  /** The agent directory (RUN_DIR/final or RUN_DIR/checkpoints/best). */
  agentDir: string;
  /** The run's config.json, resolved. */
  config: DqnConfig;
  /** The training step of the weights (agent.json). */
  step: number;
  agent: DqnAgent;
  env: Env;
  dispose(): void;
}

const MODEL_HELP = {
  final: `${RUN_AGENTS.final}/ is written when training ends (or is interrupted); the run may still be training — try --model best`,
  best: `${RUN_AGENTS.best}/ is written at each new best periodic evaluation and at the end of a run without one; the run may still be training`,
} as const;

export function parseModel(value: unknown): RunAgentName {
  const v = String(value ?? 'final');
  if (v !== 'final' && v !== 'best') throw new UserError(`--model must be final or best, got "${v}"`);
  return v;
}

export function parseCount(value: unknown, flag: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError(`${flag} must be an integer ≥ ${min}, got "${String(value)}"`);
  return n;
}

/** Load the run's config.json and its agent, start the backend and make the run's env. */
export async function openRunAgent(path: string, model: RunAgentName, backend: string | undefined, command: string): Promise<RunAgent> {
  if (!existsSync(path)) throw new UserError(`no such run directory: ${path}`);
  if (!statSync(path).isDirectory()) throw new UserError(`${path} is not a run directory (it is a file)`);
  const runDir = new RunDir(path);
  const configPath = runDir.path(RUN_FILES.config);
  if (!existsSync(configPath)) throw new UserError(`${path} is not a run directory: ${configPath} is missing`);
  let config: DqnConfig;
  try {
    config = resolveConfig(JSON.parse(readFileSync(configPath, 'utf8')));
  } catch (err) {
    if (err instanceof ConfigError) throw new UserError(`${configPath}: ${err.problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`);
    if (err instanceof SyntaxError) throw new UserError(`${configPath}: not valid JSON (${err.message})`);
    throw err;
  }
  const agentDir = runDir.path(RUN_AGENTS[model]);
  if (!existsSync(agentDir)) throw new UserError(`${path} has no ${model} model yet (${MODEL_HELP[model]})`);
  let preference;
  try {
    preference = parsePreference(backend ?? process.env.KEIKO_BACKEND ?? 'auto', '--backend');
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  let step: number;
  let agent: DqnAgent;
  try {
    step = readAgentFile(agentDir).agent.step ?? 0;
    await initNodeBackend(preference, { quiet: true });
    agent = await loadAgent(agentDir);
  } catch (err) {
    if (err instanceof ModelLoadError) throw new UserError(`keiko ${command}: ${err.message}`);
    throw err;
  }
  let env: Env;
  try {
    env = make(config.env, config.envOptions);
  } catch (err) {
    agent.dispose();
    // An unknown id or option; a bug inside an env stays a crash with its stack.
    if (err instanceof TypeError || err instanceof ReferenceError) throw err;
    throw new UserError(`${configPath}: env ${config.env}: ${(err as Error).message}`);
  }
  return {
    runDir,
    model,
    agentDir,
    config,
    step,
    agent,
    env,
    dispose: () => {
      agent.dispose();
      env.close();
    },
  };
}

/** A replay name the training never writes: eval-step<STEP>-<command>-<model>-seed<SEED>.json. */
export function commandReplayName(command: 'eval' | 'enjoy', step: number, model: RunAgentName, seed: number): string {
  return `eval-step${String(step).padStart(9, '0')}-${command}-${model}-seed${seed}.json`;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("Evaluate a trained run's agent: mean ± std return over greedy episodes on the run's env")
    .argument('<run-dir>', 'a run directory written by keiko train')
    .option('-n, --episodes <n>', 'episodes (default 20)')
    .option('--model <which>', 'final (the network at the end of training) or best (the best periodic evaluation)', 'final')
    .option('--record', "write the first episode to RUN_DIR/replays/ for keiko view")
    .option('--seed <seed>', "seed of the episodes (default: the run's seed, which reproduces its final evaluation)")
    .option('--backend <name>', 'auto, tensorflow-gpu, tensorflow, wasm or cpu (default auto, or KEIKO_BACKEND)')
    .action(async (path: string, opts: { episodes?: string; model?: string; record?: boolean; seed?: string; backend?: string }) => {
      const model = parseModel(opts.model);
      const episodes = parseCount(opts.episodes, '--episodes', 20);
      const seedArg = parseCount(opts.seed, '--seed', -1, 0);
      const run = await openRunAgent(path, model, opts.backend, 'eval');
      try {
        const seed = seedArg >= 0 ? seedArg : run.config.seed;
        const r = run.agent.evaluate(run.env, episodes, { seed, epsilon: run.config.evalEpsilon, record: opts.record === true, trainingStep: run.step });
        console.log(
          `keiko eval: ${run.config.env}, ${model} model (step ${run.step}): ${r.meanReturn.toFixed(2)} ± ${r.stdReturn.toFixed(2)} over ${r.episodes} episodes (ε = ${run.config.evalEpsilon}, seed ${seed})`,
        );
        if (opts.record && r.replay) {
          const name = commandReplayName('eval', run.step, model, seed);
          run.runDir.writeReplay(name, r.replay);
          console.log(`keiko eval: recorded the first episode (return ${r.replay.return}) → ${join(path, RUN_FILES.replays, name)} (watch it with: npx keiko view ${join(path, RUN_FILES.replays, name)})`);
        }
      } finally {
        run.dispose();
      }
    });
}
