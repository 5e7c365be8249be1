/**
 * MountainCar-v0 (Moore 1990) with Gymnasium's constants: velocity clipped to ±0.07, position to
 * [-1.2, 0.6], and an inelastic left wall (hitting it while moving left zeroes the velocity).
 * State: [position, velocity].
 */
import type { EnvSpec, RenderFrame } from '../core';
import type { Random } from '../../src/random';
import { ClassicControlEnv, floatBox } from './base';
import { discrete } from '../spaces';

export const MOUNTAIN_CAR = {
  minPosition: -1.2,
  maxPosition: 0.6,
  maxSpeed: 0.07,
  goalPosition: 0.5,
  goalVelocity: 0,
  force: 0.001,
  gravity: 0.0025,
} as const;

export const MOUNTAIN_CAR_SPEC: EnvSpec = { id: 'MountainCar-v0', maxEpisodeSteps: 200, rewardThreshold: -110, family: 'mountaincar' };

export class MountainCarEnv extends ClassicControlEnv {
  readonly observationSpace = floatBox(
    [MOUNTAIN_CAR.minPosition, -MOUNTAIN_CAR.maxSpeed],
    [MOUNTAIN_CAR.maxPosition, MOUNTAIN_CAR.maxSpeed],
  );
  readonly actionSpace = discrete(3, ['accelerate left', "don't accelerate", 'accelerate right']);

  constructor(spec: EnvSpec = MOUNTAIN_CAR_SPEC) {
    super(spec, 2, 2, 3);
  }

  protected sampleInitialState(rng: Random): void {
    this.physics[0] = rng.uniform(-0.6, -0.4);
    this.physics[1] = 0;
  }

  protected advance(action: number): boolean {
    const s = this.physics;
    let position = s[0];
    let velocity = s[1];
    velocity += (action - 1) * MOUNTAIN_CAR.force + Math.cos(3 * position) * -MOUNTAIN_CAR.gravity;
    if (velocity < -MOUNTAIN_CAR.maxSpeed) velocity = -MOUNTAIN_CAR.maxSpeed;
    else if (velocity > MOUNTAIN_CAR.maxSpeed) velocity = MOUNTAIN_CAR.maxSpeed;
    position += velocity;
    if (position < MOUNTAIN_CAR.minPosition) position = MOUNTAIN_CAR.minPosition;
    else if (position > MOUNTAIN_CAR.maxPosition) position = MOUNTAIN_CAR.maxPosition;
    if (position === MOUNTAIN_CAR.minPosition && velocity < 0) velocity = 0;
    s[0] = position;
    s[1] = velocity;
    return position >= MOUNTAIN_CAR.goalPosition && velocity >= MOUNTAIN_CAR.goalVelocity;
  }

  protected rewardFor(): number {
    return -1;
  }

  protected writeObservation(): void {
    this.obs[0] = this.physics[0];
    this.obs[1] = this.physics[1];
  }

  render(): RenderFrame {
    return {
      family: 'mountaincar',
      position: this.physics[0],
      velocity: this.physics[1],
      minPosition: MOUNTAIN_CAR.minPosition,
      maxPosition: MOUNTAIN_CAR.maxPosition,
      goalPosition: MOUNTAIN_CAR.goalPosition,
    };
  }
}
