/**
 * The counters of a training run, as one part that checkpoints itself: env steps, episodes and
 * updates so far, the best periodic evaluation, the last 100 training returns, the wall time of
 * earlier sessions, the env-reset and replay-sampling generators, and the episode in progress
 * (its reset seed and actions, from which a restore rebuilds the env).
 */
import { z } from 'zod';
import { Random, deriveSeed, type RandomState } from '../../src/random';
import { integer, parseState, SnapshotError, type PartState, type Stateful } from './state';

/** The paper's learning curve: the mean return of the last 100 training episodes. */
export const RECENT_EPISODES = 100;

const generator = z.custom<RandomState>((v) => typeof v === 'object' && v !== null, 'expected a generator state');
const schema = z.object({
  step: integer,
  episode: integer,
  updates: integer,
  wallSeconds: z.number().nonnegative(),
  bestEval: z.object({ step: z.number(), meanReturn: z.number(), stdReturn: z.number() }).nullable(),
  recentReturns: z.array(z.number()),
  rng: z.object({ env: generator, replay: generator }),
  currentEpisode: z.object({ seed: integer, actions: z.array(integer) }),
});

export class RunState implements Stateful {
  step = 0;
  episode = 0;
  updates = 0;
  bestEval: { step: number; meanReturn: number; stdReturn: number } | null = null;
  /** Wall seconds of the sessions before this one (a resumed run adds up). */
  wallBefore = 0;
  episodeSeed = 0;
  episodeActions: number[] = [];
  envRng: Random;
  replayRng: Random;
  private recentReturns: number[] = [];

  constructor(seed: number) {
    this.envRng = new Random(deriveSeed(seed, 'env'));
    this.replayRng = new Random(deriveSeed(seed, 'replay'));
  }

  /** Record a finished training episode's return. */
  addReturn(r: number): void {
    this.recentReturns.push(r);
    if (this.recentReturns.length > RECENT_EPISODES) this.recentReturns.shift();
  }

  /** Mean return of the last 100 training episodes, or null before the first one ends. */
  get recentReturn(): number | null {
    const r = this.recentReturns;
    return r.length ? r.reduce((a, b) => a + b, 0) / r.length : null;
  }

  exportState(wallSeconds = this.wallBefore): PartState {
    return {
      json: {
        step: this.step,
        episode: this.episode,
        updates: this.updates,
        wallSeconds,
        bestEval: this.bestEval,
        recentReturns: this.recentReturns,
        rng: { env: this.envRng.getState(), replay: this.replayRng.getState() },
        currentEpisode: { seed: this.episodeSeed, actions: this.episodeActions },
      },
      arrays: {},
    };
  }

  importState(state: PartState): void {
    const j = parseState(schema, state.json);
    try {
      this.envRng = Random.fromState(j.rng.env);
      this.replayRng = Random.fromState(j.rng.replay);
    } catch (err) {
      throw new SnapshotError('rng', `not a generator state (${(err as Error).message})`);
    }
    this.step = j.step;
    this.episode = j.episode;
    this.updates = j.updates;
    this.wallBefore = j.wallSeconds;
    this.bestEval = j.bestEval;
    this.recentReturns = j.recentReturns.slice(-RECENT_EPISODES);
    this.episodeSeed = j.currentEpisode.seed;
    this.episodeActions = [...j.currentEpisode.actions];
  }
}
