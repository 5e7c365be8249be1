/**
 * RecordEpisodeStatistics: at the end of every episode (terminated or truncated) the step's info
 * gains `episode: { return, length }` — the undiscounted return and step count since the last
 * reset(), as the wrapped env reported them. Wrappers outside it (e.g. ClipReward) do not change
 * what it counts, so put it directly around the env whose own return you want.
 */
import type { Env, Info, ObservationArray, ResetOptions, ResetResult, StepResult } from '../core';
import { Wrapper, fillStepResult, newStepResult } from './wrapper';

export interface EpisodeStatistics {
  return: number;
  length: number;
}

export class RecordEpisodeStatistics<O extends ObservationArray = ObservationArray> extends Wrapper<O, O> {
  private episodeReturn = 0;
  private episodeLength = 0;
  private readonly out: StepResult<O>;
  /** The statistics of the last finished episode, or null before one finished. */
  lastEpisode: EpisodeStatistics | null = null;
  /** The wrapped env's own reward at the latest step (for listeners above reward wrappers). */
  lastReward = 0;

  constructor(env: Env<O>) {
    super(env);
    this.out = newStepResult(null as unknown as O);
  }

  reset(options?: ResetOptions): ResetResult<O> {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return this.env.reset(options);
  }

  step(action: number): StepResult<O> {
    const r = this.env.step(action);
    const out = fillStepResult(this.out, r, r.observation);
    this.lastReward = r.reward;
    this.episodeReturn += r.reward;
    this.episodeLength++;
    if (r.terminated || r.truncated) {
      // A fresh info once per episode: the inner info may be shared and frozen.
      this.lastEpisode = { return: this.episodeReturn, length: this.episodeLength };
      out.info = { ...r.info, episode: this.lastEpisode } satisfies Info;
    }
    return out;
  }
}
