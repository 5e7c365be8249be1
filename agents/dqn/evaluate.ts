/**
 * Greedy evaluation on a separate env instance: ε_eval-greedy episodes whose reset seeds and
 * exploration come from generators seeded from (run seed, stream name), so an evaluation is a
 * pure function of the network weights.
 */
import type { Env } from '../../envs/core';
import { Random, deriveSeed } from '../../src/random';
import { EpisodeRecorder } from '../recording/recorder';
import type { ReplayFile } from '../recording/replay-format';
import { epsilonGreedy } from './policy';

export interface EvalResult {
  meanReturn: number;
  stdReturn: number;
  episodes: number;
  returns: number[];
  /** The recorded first episode (when asked). */
  replay: ReplayFile | null;
}

export interface EvalOptions {
  episodes: number;
  epsilon: number;
  /** Run seed; `stream` names the evaluation ('eval' periodic, 'final-eval'). */
  seed: number;
  stream: string;
  record: boolean;
  trainingStep: number;
  /** Safety cap for envs without a time limit. */
  maxSteps?: number;
}

export function evaluate(env: Env, qValues: (obs: ArrayLike<number>) => Float32Array, o: EvalOptions): EvalResult {
  const seeds = new Random(deriveSeed(o.seed, `${o.stream}/reset`));
  const rng = new Random(deriveSeed(o.seed, `${o.stream}/policy`));
  const n = env.actionSpace.n;
  const returns: number[] = [];
  let replay: ReplayFile | null = null;
  const maxSteps = o.maxSteps ?? 1_000_000;
  for (let ep = 0; ep < o.episodes; ep++) {
    const seed = seeds.uint32();
    let obs = env.reset({ seed }).observation;
    const rec = o.record && ep === 0 ? new EpisodeRecorder({ envId: env.spec.id, family: env.spec.family, actionNames: env.actionSpace.actionNames, seed, kind: 'eval', episode: ep }) : null;
    let ret = 0;
    for (let t = 0; t < maxSteps; t++) {
      const frame = rec ? env.render() : null;
      const choice = epsilonGreedy(o.epsilon, n, rng, () => qValues(obs), rec !== null);
      const r = env.step(choice.action);
      ret += r.reward;
      if (rec) rec.step(frame!, choice.action, r.reward, choice.q, o.epsilon);
      obs = r.observation;
      if (r.terminated || r.truncated || t === maxSteps - 1) {
        if (rec) replay = rec.finish(env.render(), o.trainingStep, r.terminated, r.truncated || !r.terminated);
        break;
      }
    }
    returns.push(ret);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
  return { meanReturn: mean, stdReturn: std, episodes: returns.length, returns, replay };
}
