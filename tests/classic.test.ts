import { describe, expect, it } from 'vitest';
import { make, CartPoleEnv, MountainCarEnv, AcrobotEnv, CARTPOLE, EnvOrderError, classicControl } from '../envs/index';
import type { ClassicControlEnv, Env } from '../envs/index';

const IDS = ['CartPole-v1', 'MountainCar-v0', 'Acrobot-v1'] as const;

function trajectory(env: Env, seed: number | undefined, steps: number): number[] {
  const out = Array.from(env.reset(seed === undefined ? undefined : { seed }).observation);
  for (let t = 0; t < steps; t++) {
    const r = env.step(t % env.actionSpace.n);
    out.push(...r.observation, r.reward);
    if (r.terminated || r.truncated) out.push(...env.reset().observation);
  }
  return out;
}

describe('reset distributions', () => {
  it('CartPole: every state variable uniform in (-0.05, 0.05)', () => {
    const env = new CartPoleEnv();
    const seen = [Infinity, -Infinity];
    for (let seed = 0; seed < 300; seed++) {
      const { observation } = env.reset({ seed });
      for (const v of env.state) {
        expect(Math.abs(v)).toBeLessThan(0.05);
        seen[0] = Math.min(seen[0], v);
        seen[1] = Math.max(seen[1], v);
      }
      expect(Array.from(observation)).toEqual(Array.from(Float32Array.from(env.state)));
    }
    // Spread over the interval, not a constant.
    expect(seen[0]).toBeLessThan(-0.045);
    expect(seen[1]).toBeGreaterThan(0.045);
  });

  it('MountainCar: position uniform in [-0.6, -0.4), velocity 0', () => {
    const env = new MountainCarEnv();
    let lo = 0, hi = -1;
    for (let seed = 0; seed < 300; seed++) {
      env.reset({ seed });
      expect(env.state[0]).toBeGreaterThanOrEqual(-0.6);
      expect(env.state[0]).toBeLessThan(-0.4);
      expect(env.state[1]).toBe(0);
      lo = Math.min(lo, env.state[0]);
      hi = Math.max(hi, env.state[0]);
    }
    expect(lo).toBeLessThan(-0.59);
    expect(hi).toBeGreaterThan(-0.41);
  });

  it('Acrobot: angles and velocities uniform in [-0.1, 0.1), cast to float32', () => {
    const env = new AcrobotEnv();
    for (let seed = 0; seed < 300; seed++) {
      const { observation } = env.reset({ seed });
      for (const v of env.state) {
        expect(Math.abs(v)).toBeLessThanOrEqual(0.1);
        expect(Math.fround(v)).toBe(v);
      }
      expect(observation[0]).toBeCloseTo(Math.cos(env.state[0]), 6);
      expect(observation[3]).toBeCloseTo(Math.sin(env.state[1]), 6);
      expect(observation[4]).toBe(env.state[2]);
    }
  });
});

describe('hand-checked first steps', () => {
  it('CartPole from rest, pushing right', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    env.state = new Float64Array(4);
    const r = env.step(1);
    // temp = F/(M+m) = 100/11; thetaAcc = -600/41; xAcc = 4400/451; Euler moves only the velocities.
    expect(env.state[0]).toBe(0);
    expect(env.state[1]).toBeCloseTo((0.02 * 4400) / 451, 12);
    expect(env.state[2]).toBe(0);
    expect(env.state[3]).toBeCloseTo((-0.02 * 600) / 41, 12);
    expect(r.reward).toBe(1);
    expect(r.terminated).toBe(false);
    expect(r.observation[1]).toBeCloseTo(0.19512195, 7);
  });

  it('MountainCar from -0.5 at rest, accelerating right', () => {
    const env = new MountainCarEnv();
    env.reset({ seed: 0 });
    env.state = Float64Array.of(-0.5, 0);
    const r = env.step(2);
    const v = 0.001 - 0.0025 * Math.cos(-1.5);
    expect(env.state[1]).toBeCloseTo(v, 15);
    expect(env.state[0]).toBeCloseTo(-0.5 + v, 15);
    expect(r.reward).toBe(-1);
  });

  it('Acrobot hanging at rest stays at rest without torque, and +1 torque swings joint 2 forward, joint 1 back', () => {
    const env = new AcrobotEnv();
    env.reset({ seed: 0 });
    env.state = new Float64Array(4);
    const r = env.step(1);
    for (const v of env.state) expect(Math.abs(v)).toBeLessThan(1e-12);
    Array.from(r.observation).forEach((v, i) => expect(v).toBeCloseTo([1, 0, 1, 0, 0, 0][i], 12));
    expect(r.reward).toBe(-1);
    env.state = new Float64Array(4);
    env.step(2);
    // Initial accelerations from rest: ddtheta2 = 1/(1.25 - 1.75²/4.5) ≈ 1.756, ddtheta1 = -1.75·ddtheta2/4.5 ≈ -0.683;
    // gravity slows both within the 0.2 s step.
    expect(env.state[3]).toBeGreaterThan(0.2 * 1.756 * 0.8);
    expect(env.state[3]).toBeLessThan(0.2 * 1.756);
    expect(env.state[2]).toBeLessThan(0);
    expect(env.state[2]).toBeGreaterThan(-0.2 * 0.683 * 1.2);
  });
});

describe('termination conditions', () => {
  const cartpoleEnds = (state: number[], action: number) => {
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    env.state = Float64Array.from(state);
    return env.step(action);
  };
  it('CartPole ends past |x| = 2.4 on either side and past |theta| = 12°', () => {
    expect(cartpoleEnds([2.39, 1, 0, 0], 1).terminated).toBe(true);
    expect(cartpoleEnds([-2.39, -1, 0, 0], 0).terminated).toBe(true);
    expect(cartpoleEnds([2.3, 1, 0, 0], 1).terminated).toBe(false);
    const th = CARTPOLE.thetaThresholdRadians;
    expect(cartpoleEnds([0, 0, th - 0.001, 1], 1).terminated).toBe(true);
    expect(cartpoleEnds([0, 0, -th + 0.001, -1], 0).terminated).toBe(true);
    const last = cartpoleEnds([0, 0, th - 0.03, 1], 1);
    expect(last.terminated).toBe(false);
    expect(cartpoleEnds([0, 0, th, 1], 1).reward).toBe(1); // the terminating step still pays +1
  });

  it('MountainCar ends at the flag only when moving right; the left wall stops the car', () => {
    const env = new MountainCarEnv();
    env.reset({ seed: 0 });
    env.state = Float64Array.of(0.49, 0.02);
    expect(env.step(2).terminated).toBe(true);
    env.state = Float64Array.of(0.6, -0.0001);
    expect(env.step(0).terminated).toBe(false);
    env.state = Float64Array.of(-1.19, -0.07);
    env.step(0);
    expect(Array.from(env.state)).toEqual([-1.2, 0]);
    env.state = Float64Array.of(-Math.PI / 6, 0.0699); // the slope is flat at -pi/6
    env.step(2);
    expect(env.state[1]).toBe(0.07); // clipped
  });

  it('Acrobot ends when the tip is above the bar, with reward 0 on that step', () => {
    const env = new AcrobotEnv();
    env.reset({ seed: 0 });
    env.state = Float64Array.of(Math.PI - 0.01, 0, 0, 0);
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(0);
    env.state = Float64Array.of(Math.PI / 2, 0, 0, 0);
    expect(env.step(1).terminated).toBe(false);
  });
});

describe.each(IDS)('%s API behaviour', (id) => {
  it('same seed gives identical trajectories; reset() without a seed continues the generator', () => {
    const a = trajectory(make(id), 42, 700);
    const b = trajectory(make(id), 42, 700);
    expect(a).toEqual(b);
    expect(trajectory(make(id), 43, 50)).not.toEqual(a.slice(0, trajectory(make(id), 43, 50).length));
    const env = make(id);
    const first = Array.from(env.reset({ seed: 7 }).observation);
    const second = Array.from(env.reset().observation);
    expect(second).not.toEqual(first);
    expect(Array.from(env.reset({ seed: 7 }).observation)).toEqual(first);
  });

  it('rejects bad actions with a RangeError naming the env and the range', () => {
    const env = make(id);
    env.reset({ seed: 0 });
    const n = env.actionSpace.n;
    for (const bad of [n, -1, 0.5, NaN, Infinity, '1' as unknown as number]) {
      expect(() => env.step(bad)).toThrow(RangeError);
      expect(() => env.step(bad)).toThrow(new RegExp(`${id}: action must be an integer in \\[0, ${n - 1}\\]`));
    }
    expect(() => env.step(n - 1)).not.toThrow();
  });

  it('refuses step() before the first reset and after the episode ended', () => {
    const env = make(id);
    expect(() => env.step(0)).toThrow(EnvOrderError);
    expect(() => env.step(0)).toThrow(/before reset/);
    env.reset({ seed: 0 });
    let r;
    do r = env.step(0);
    while (!r.terminated && !r.truncated);
    expect(() => env.step(0)).toThrow(/after the episode ended/);
    env.reset();
    expect(() => env.step(0)).not.toThrow();
  });

  it('state round-trips through any wrapper and drives render()', () => {
    const env = make(id);
    env.reset({ seed: 3 });
    const want = Float64Array.from((env.unwrapped as ClassicControlEnv).state, (v, i) => v + 0.01 * (i + 1));
    classicControl(env).state = want;
    expect(Array.from((env.unwrapped as ClassicControlEnv).state)).toEqual(Array.from(want));
    expect(classicControl(env).state).toBe((env.unwrapped as ClassicControlEnv).state);
    const frame = env.render();
    expect(frame.family).toBe(env.spec.family);
    if (frame.family === 'cartpole') expect([frame.x, frame.theta]).toEqual([want[0], want[2]]);
    if (frame.family === 'mountaincar') expect(frame.position).toBe(want[0]);
    if (frame.family === 'acrobot') expect([frame.theta1, frame.theta2]).toEqual([want[0], want[1]]);
    expect(JSON.parse(JSON.stringify(frame))).toEqual(frame);
    expect(() => (classicControl(env).state = new Float64Array(9))).toThrow(/state must have/);
  });

  it('reuses its observation array and step-result object (no per-step allocation)', () => {
    const env = make(id);
    const o0 = env.reset({ seed: 1 }).observation;
    const r1 = env.step(0);
    const obs1 = r1.observation;
    const r2 = env.step(0);
    expect(r2).toBe(r1);
    expect(r2.observation).toBe(obs1);
    expect(obs1).toBe(o0);
    expect(obs1).toBeInstanceOf(Float32Array);
  });
});
