/**
 * StickyActions (Machado et al. 2018): with probability p the env repeats the previous action
 * instead of the chosen one. As in Gymnasium's StickyAction, nothing is drawn on an episode's
 * first step (there is no previous action). The wrapper has its own generator, seeded from
 * reset({seed}) through deriveSeed(seed, 'sticky-actions').
 */
import type { Env, ObservationArray, ResetOptions, ResetResult } from '../core';
import { Random, deriveSeed } from '../../src/random';
import { invalidActionError, isValidAction } from '../errors';
import { DEFAULT_ENV_SEED } from '../classic/base';
import { stickyAction } from '../sticky-action';
import { ActionWrapper } from './action-wrapper';

export class StickyActions<O extends ObservationArray = ObservationArray> extends ActionWrapper<O> {
  private rng = new Random(deriveSeed(DEFAULT_ENV_SEED, 'sticky-actions'));
  /** The last applied action, or -1 at an episode's start. */
  private lastAction = -1;

  constructor(env: Env<O>, readonly repeatProbability = 0.25) {
    super(env);
    if (!(repeatProbability >= 0 && repeatProbability < 1)) {
      throw new RangeError(`StickyActions: repeatProbability must be in [0, 1), got ${repeatProbability}`);
    }
  }

  override reset(options?: ResetOptions): ResetResult<O> {
    if (options?.seed !== undefined) this.rng = new Random(deriveSeed(options.seed, 'sticky-actions'));
    this.lastAction = -1;
    return super.reset(options);
  }

  action(action: number): number {
    // Check the agent's action even when it is about to be replaced.
    if (!isValidAction(action, this.actionSpace.n)) throw invalidActionError(this.spec.id, this.actionSpace, action);
    if (this.lastAction >= 0) action = stickyAction(this.lastAction, action, this.rng.random(), this.repeatProbability);
    this.lastAction = action;
    return action;
  }
}
