/** ClipReward: clamps every reward to [min, max] (e.g. [-1, 1] as in DQN on Atari). */
import type { Env, ObservationArray } from '../core';
import { RewardWrapper } from './reward-wrapper';

export class ClipReward<O extends ObservationArray = ObservationArray> extends RewardWrapper<O> {
  constructor(env: Env<O>, readonly min = -1, readonly max = 1) {
    super(env);
    if (!(min <= max)) throw new RangeError(`ClipReward: min (${min}) must be <= max (${max})`);
  }

  reward(reward: number): number {
    return Math.min(Math.max(reward, this.min), this.max);
  }
}
