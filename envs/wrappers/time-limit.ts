/**
 * TimeLimit: truncates an episode after `maxEpisodeSteps` steps (Gymnasium: truncated when
 * elapsed >= max; terminated and truncated may both be true). Stepping a truncated episode
 * without reset() is an error, like stepping a terminated one.
 */
import type { Env, EnvSpec, ObservationArray, ResetOptions, ResetResult, StepResult } from '../core';
import { EnvOrderError } from '../errors';
import { Wrapper, fillStepResult, newStepResult } from './wrapper';

export class TimeLimit<O extends ObservationArray = ObservationArray> extends Wrapper<O, O> {
  readonly maxEpisodeSteps: number;
  private elapsed = 0;
  private readonly out: StepResult<O>;
  private readonly ownSpec: EnvSpec;

  constructor(env: Env<O>, maxEpisodeSteps: number) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new RangeError(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
    this.ownSpec = { ...env.spec, maxEpisodeSteps };
    this.out = newStepResult(null as unknown as O);
  }

  override get spec(): EnvSpec {
    return this.ownSpec;
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  reset(options?: ResetOptions): ResetResult<O> {
    const r = this.env.reset(options);
    this.elapsed = 0;
    return r;
  }

  step(action: number): StepResult<O> {
    // Termination is enforced by the inner env; truncation is ours to enforce.
    if (this.elapsed >= this.maxEpisodeSteps) throw new EnvOrderError(this.ownSpec.id, 'afterDone');
    const r = this.env.step(action);
    this.elapsed++;
    const out = fillStepResult(this.out, r, r.observation);
    out.truncated = r.truncated || this.elapsed >= this.maxEpisodeSteps;
    return out;
  }
}
