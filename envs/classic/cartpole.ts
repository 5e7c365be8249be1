/**
 * CartPole-v1 (Barto, Sutton & Anderson 1983) with Gymnasium's constants and explicit Euler
 * integration. The arithmetic keeps Gymnasium's operation order so trajectories agree with it to
 * float64 rounding. State: [x, x_dot, theta, theta_dot].
 */
import type { EnvSpec, RenderFrame } from '../core';
import type { Random } from '../../src/random';
import { ClassicControlEnv, floatBox } from './base';
import { discrete } from '../spaces';

export const CARTPOLE = {
  gravity: 9.8,
  massCart: 1.0,
  massPole: 0.1,
  /** Half the pole's length. */
  length: 0.5,
  forceMag: 10.0,
  /** Seconds per step. */
  tau: 0.02,
  xThreshold: 2.4,
  thetaThresholdRadians: (12 * 2 * Math.PI) / 360,
} as const;

const TOTAL_MASS = CARTPOLE.massPole + CARTPOLE.massCart;
const POLEMASS_LENGTH = CARTPOLE.massPole * CARTPOLE.length;

export const CARTPOLE_SPEC: EnvSpec = { id: 'CartPole-v1', maxEpisodeSteps: 500, rewardThreshold: 475, family: 'cartpole' };

export class CartPoleEnv extends ClassicControlEnv {
  readonly observationSpace = floatBox(
    [-CARTPOLE.xThreshold * 2, -Infinity, -CARTPOLE.thetaThresholdRadians * 2, -Infinity],
    [CARTPOLE.xThreshold * 2, Infinity, CARTPOLE.thetaThresholdRadians * 2, Infinity],
  );
  readonly actionSpace = discrete(2, ['push left', 'push right']);

  constructor(spec: EnvSpec = CARTPOLE_SPEC) {
    super(spec, 4, 4, 2);
  }

  protected sampleInitialState(rng: Random): void {
    for (let i = 0; i < 4; i++) this.physics[i] = rng.uniform(-0.05, 0.05);
  }

  protected advance(action: number): boolean {
    const s = this.physics;
    const x = s[0], xDot = s[1], theta = s[2], thetaDot = s[3];
    const force = action === 1 ? CARTPOLE.forceMag : -CARTPOLE.forceMag;
    const cosTheta = Math.cos(theta);
    const sinTheta = Math.sin(theta);
    const temp = (force + POLEMASS_LENGTH * (thetaDot * thetaDot) * sinTheta) / TOTAL_MASS;
    const thetaAcc =
      (CARTPOLE.gravity * sinTheta - cosTheta * temp) /
      (CARTPOLE.length * (4.0 / 3.0 - (CARTPOLE.massPole * (cosTheta * cosTheta)) / TOTAL_MASS));
    const xAcc = temp - (POLEMASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;
    const nx = x + CARTPOLE.tau * xDot;
    const nTheta = theta + CARTPOLE.tau * thetaDot;
    s[0] = nx;
    s[1] = xDot + CARTPOLE.tau * xAcc;
    s[2] = nTheta;
    s[3] = thetaDot + CARTPOLE.tau * thetaAcc;
    return (
      nx < -CARTPOLE.xThreshold ||
      nx > CARTPOLE.xThreshold ||
      nTheta < -CARTPOLE.thetaThresholdRadians ||
      nTheta > CARTPOLE.thetaThresholdRadians
    );
  }

  protected rewardFor(): number {
    // +1 on every step, the terminating one included.
    return 1;
  }

  protected writeObservation(): void {
    const s = this.physics, o = this.obs;
    o[0] = s[0];
    o[1] = s[1];
    o[2] = s[2];
    o[3] = s[3];
  }

  render(): RenderFrame {
    return {
      family: 'cartpole',
      x: this.physics[0],
      theta: this.physics[2],
      xThreshold: CARTPOLE.xThreshold,
      thetaThreshold: CARTPOLE.thetaThresholdRadians,
    };
  }
}
