/**
 * Acrobot-v1 (Sutton 1996; Sutton & Barto's "book" dynamics) with Gymnasium's constants: one RK4
 * step of dt = 0.2 s, joint angles wrapped to [-pi, pi], velocities clipped to 4pi and 9pi, no
 * torque noise. The RK4 runs on preallocated scratch arrays; the arithmetic keeps Gymnasium's
 * operation order. State: [theta1, theta2, dtheta1, dtheta2].
 */
import type { EnvSpec, RenderFrame } from '../core';
import type { Random } from '../../src/random';
import { ClassicControlEnv, floatBox } from './base';
import { discrete } from '../spaces';

export const ACROBOT = {
  dt: 0.2,
  linkLength1: 1.0,
  linkLength2: 1.0,
  linkMass1: 1.0,
  linkMass2: 1.0,
  linkComPos1: 0.5,
  linkComPos2: 0.5,
  linkMoi: 1.0,
  maxVel1: 4 * Math.PI,
  maxVel2: 9 * Math.PI,
  torques: [-1.0, 0.0, 1.0],
  gravity: 9.8,
} as const;

export const ACROBOT_SPEC: EnvSpec = { id: 'Acrobot-v1', maxEpisodeSteps: 500, rewardThreshold: -100, family: 'acrobot' };

const PI = Math.PI;
const m1 = ACROBOT.linkMass1, m2 = ACROBOT.linkMass2, l1 = ACROBOT.linkLength1;
const lc1 = ACROBOT.linkComPos1, lc2 = ACROBOT.linkComPos2, I1 = ACROBOT.linkMoi, I2 = ACROBOT.linkMoi;
const g = ACROBOT.gravity;

/**
 * Time derivative of y = [theta1, theta2, dtheta1, dtheta2] under torque `a`, written into `out`.
 * Takes arrays, not scalars, so no float is boxed when V8 declines to inline the call.
 */
function derivatives(y: Float64Array, a: number, out: Float64Array): void {
  const t1 = y[0], t2 = y[1], dt1 = y[2], dt2 = y[3];
  const cos2 = Math.cos(t2);
  const sin2 = Math.sin(t2);
  const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * cos2) + I1 + I2;
  const d2 = m2 * (lc2 ** 2 + l1 * lc2 * cos2) + I2;
  const phi2 = m2 * lc2 * g * Math.cos(t1 + t2 - PI / 2.0);
  const phi1 =
    -m2 * l1 * lc2 * (dt2 * dt2) * sin2 -
    2 * m2 * l1 * lc2 * dt2 * dt1 * sin2 +
    (m1 * lc1 + m2 * l1) * g * Math.cos(t1 - PI / 2) +
    phi2;
  const ddt2 = (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dt1 * dt1) * sin2 - phi2) / (m2 * lc2 ** 2 + I2 - (d2 * d2) / d1);
  const ddt1 = -(d2 * ddt2 + phi1) / d1;
  out[0] = dt1;
  out[1] = dt2;
  out[2] = ddt1;
  out[3] = ddt2;
}

/** y + h·k, elementwise, into out. */
function axpy(y: Float64Array, h: number, k: Float64Array, out: Float64Array): void {
  for (let i = 0; i < 4; i++) out[i] = y[i] + h * k[i];
}

function wrapAngle(x: number): number {
  const diff = PI - -PI;
  while (x > PI) x = x - diff;
  while (x < -PI) x = x + diff;
  return x;
}

function clip(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

export class AcrobotEnv extends ClassicControlEnv {
  readonly observationSpace = floatBox(
    [-1, -1, -1, -1, -ACROBOT.maxVel1, -ACROBOT.maxVel2],
    [1, 1, 1, 1, ACROBOT.maxVel1, ACROBOT.maxVel2],
  );
  readonly actionSpace = discrete(3, ['torque -1', 'torque 0', 'torque +1']);

  private readonly k1 = new Float64Array(4);
  private readonly k2 = new Float64Array(4);
  private readonly k3 = new Float64Array(4);
  private readonly k4 = new Float64Array(4);
  private readonly y = new Float64Array(4);

  constructor(spec: EnvSpec = ACROBOT_SPEC) {
    super(spec, 4, 6, 3);
  }

  protected sampleInitialState(rng: Random): void {
    // Gymnasium casts the start state to float32.
    for (let i = 0; i < 4; i++) this.physics[i] = Math.fround(rng.uniform(-0.1, 0.1));
  }

  protected advance(action: number): boolean {
    const s = this.physics;
    const torque = ACROBOT.torques[action];
    const { k1, k2, k3, k4, y } = this;
    const dt = ACROBOT.dt - 0;
    const half = dt / 2.0;
    derivatives(s, torque, k1);
    axpy(s, half, k1, y);
    derivatives(y, torque, k2);
    axpy(s, half, k2, y);
    derivatives(y, torque, k3);
    axpy(s, dt, k3, y);
    derivatives(y, torque, k4);
    const w = dt / 6.0;
    s[0] = wrapAngle(s[0] + w * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]));
    s[1] = wrapAngle(s[1] + w * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]));
    s[2] = clip(s[2] + w * (k1[2] + 2 * k2[2] + 2 * k3[2] + k4[2]), -ACROBOT.maxVel1, ACROBOT.maxVel1);
    s[3] = clip(s[3] + w * (k1[3] + 2 * k2[3] + 2 * k3[3] + k4[3]), -ACROBOT.maxVel2, ACROBOT.maxVel2);
    // The tip is above the bar when -cos(theta1) - cos(theta1 + theta2) > link length 1.
    return -Math.cos(s[0]) - Math.cos(s[1] + s[0]) > 1.0;
  }

  protected rewardFor(terminated: boolean): number {
    return terminated ? 0 : -1;
  }

  protected writeObservation(): void {
    const s = this.physics, o = this.obs;
    o[0] = Math.cos(s[0]);
    o[1] = Math.sin(s[0]);
    o[2] = Math.cos(s[1]);
    o[3] = Math.sin(s[1]);
    o[4] = s[2];
    o[5] = s[3];
  }

  render(): RenderFrame {
    return {
      family: 'acrobot',
      theta1: this.physics[0],
      theta2: this.physics[1],
      linkLength1: ACROBOT.linkLength1,
      linkLength2: ACROBOT.linkLength2,
    };
  }
}
