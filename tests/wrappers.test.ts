import { describe, expect, it } from 'vitest';
import {
  make,
  ActionRepeat,
  CartPoleEnv,
  ClipReward,
  EMPTY_INFO,
  FrameStack,
  NormalizeObservation,
  RecordEpisodeStatistics,
  StickyActions,
  TimeLimit,
  classicControl,
  flattenObservation,
  toFloat32,
} from '../envs/index';
import type { BoxSpace, Env, EpisodeStatistics, RenderFrame, StepResult } from '../envs/index';
import { Random } from '../src/random';

/** A tiny uint8 HWC env (2×2×2) whose observation encodes the step count; records the actions it gets. */
class CounterEnv implements Env<Uint8Array> {
  readonly observationSpace: BoxSpace = { kind: 'box', shape: [2, 2, 2], low: 0, high: 255, dtype: 'uint8' };
  readonly actionSpace = { kind: 'discrete', n: 3, actionNames: ['a', 'b', 'c'] } as const;
  readonly spec = { id: 'Test/Counter-v0', maxEpisodeSteps: null, rewardThreshold: null, family: 'observation' };
  readonly obs = new Uint8Array(8);
  readonly received: number[] = [];
  t = 0;
  constructor(readonly episodeLength = 1000) {}
  get unwrapped() {
    return this;
  }
  private fill() {
    for (let i = 0; i < 8; i++) this.obs[i] = (this.t * 10 + i) % 256;
  }
  reset() {
    this.t = 0;
    this.fill();
    return { observation: this.obs, info: {} };
  }
  step(action: number): StepResult<Uint8Array> {
    this.received.push(action);
    this.t++;
    this.fill();
    return { observation: this.obs, reward: action - 0.5, terminated: this.t >= this.episodeLength, truncated: false, info: EMPTY_INFO };
  }
  render(): RenderFrame {
    return { family: 'observation', shape: [2, 2, 2], data: Array.from(this.obs) };
  }
  close() {}
}

function counterFrame(t: number): number[] {
  return Array.from({ length: 8 }, (_, i) => (t * 10 + i) % 256);
}

describe('TimeLimit', () => {
  it('sets terminated and truncated together when both happen on the last step, then refuses to step', () => {
    const env = make('CartPole-v1', { maxEpisodeSteps: 1 });
    env.reset({ seed: 0 });
    classicControl(env).state = Float64Array.of(2.399, 1, 0, 0);
    const r = env.step(1);
    expect([r.terminated, r.truncated]).toEqual([true, true]);
    const env2 = new TimeLimit(new CounterEnv(), 2);
    env2.reset();
    env2.step(0);
    expect(env2.step(0).truncated).toBe(true);
    expect(() => env2.step(0)).toThrow(/after the episode ended/);
    env2.reset();
    expect(env2.elapsedSteps).toBe(0);
  });
});

describe('FrameStack', () => {
  it("axis 'first': [k, ...shape], oldest first, padded with the reset observation", () => {
    const env = new FrameStack(new CounterEnv(), 3);
    expect(env.observationSpace.shape).toEqual([3, 2, 2, 2]);
    expect(env.observationSpace.dtype).toBe('uint8');
    const r0 = env.reset();
    expect(r0.observation).toBeInstanceOf(Uint8Array);
    expect(Array.from(r0.observation)).toEqual([...counterFrame(0), ...counterFrame(0), ...counterFrame(0)]);
    env.step(0);
    expect(Array.from(env.step(0).observation)).toEqual([...counterFrame(0), ...counterFrame(1), ...counterFrame(2)]);
    expect(Array.from(env.step(0).observation)).toEqual([...counterFrame(1), ...counterFrame(2), ...counterFrame(3)]);
    expect(Array.from(env.reset().observation)).toEqual([...counterFrame(0), ...counterFrame(0), ...counterFrame(0)]);
  });

  it("axis 'last': channels of frame 0, then frame 1, ... in every cell", () => {
    const env = new FrameStack(new CounterEnv(), 2, { axis: 'last' });
    expect(env.observationSpace.shape).toEqual([2, 2, 4]);
    env.reset();
    const obs = Array.from(env.step(1).observation);
    const f0 = counterFrame(0), f1 = counterFrame(1);
    const want: number[] = [];
    for (let cell = 0; cell < 4; cell++) want.push(f0[cell * 2], f0[cell * 2 + 1], f1[cell * 2], f1[cell * 2 + 1]);
    expect(obs).toEqual(want);
  });

  it('stacks float32 CartPole observations and tiles the bounds', () => {
    const env = new FrameStack(make('CartPole-v1'), 4);
    expect(env.observationSpace.shape).toEqual([4, 4]);
    expect((env.observationSpace.high as Float32Array).length).toBe(16);
    expect((env.observationSpace.high as Float32Array)[4]).toBeCloseTo(4.8, 5);
    const seen = [Array.from(env.reset({ seed: 1 }).observation.slice(12))];
    let last: Float32Array = new Float32Array();
    for (let t = 0; t < 5; t++) {
      last = env.step(t % 2).observation as Float32Array;
      seen.push(Array.from(last.slice(12)));
    }
    expect(Array.from(last)).toEqual(seen.slice(-4).flat());
    expect(() => new FrameStack(make('CartPole-v1'), 0)).toThrow(/k must be a positive integer/);
  });
});

describe('ClipReward, ActionRepeat, RecordEpisodeStatistics', () => {
  it('ClipReward clamps rewards', () => {
    const env = new ClipReward(new CounterEnv(), -0.25, 0.25);
    env.reset();
    expect(env.step(2).reward).toBe(0.25);
    expect(env.step(0).reward).toBe(-0.25);
    expect(() => new ClipReward(new CounterEnv(), 1, -1)).toThrow(/min/);
  });

  it('ActionRepeat(k) equals k raw steps with summed rewards, stopping at episode end', () => {
    const a = new ActionRepeat(make('CartPole-v1'), 4);
    const b = make('CartPole-v1');
    a.reset({ seed: 5 });
    b.reset({ seed: 5 });
    const ra = a.step(1);
    let total = 0;
    for (let i = 0; i < 4; i++) total += b.step(1).reward;
    expect(ra.reward).toBe(total);
    expect(Array.from(classicControl(a).state)).toEqual(Array.from(classicControl(b).state));
    const short = new ActionRepeat(new CounterEnv(3), 5);
    short.reset();
    const r = short.step(2);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(1.5 * 3);
  });

  it('RecordEpisodeStatistics reports return and length at episode end only', () => {
    const env = new RecordEpisodeStatistics(make('MountainCar-v0'));
    env.reset({ seed: 0 });
    let r;
    let steps = 0;
    do {
      r = env.step(1);
      steps++;
      if (!r.truncated) expect(r.info.episode).toBeUndefined();
    } while (!r.terminated && !r.truncated);
    expect(r.info.episode).toEqual({ return: -200, length: 200 });
    const cp = new RecordEpisodeStatistics(make('CartPole-v1'));
    cp.reset({ seed: 4 });
    let sum = 0;
    let n = 0;
    do {
      r = cp.step(n % 3 === 0 ? 0 : 1);
      sum += r.reward;
      n++;
    } while (!r.terminated && !r.truncated);
    expect(r.info.episode).toEqual({ return: sum, length: n });
    expect(cp.lastEpisode).toEqual({ return: sum, length: n });
  });
});

describe('StickyActions', () => {
  it('never repeats on the first step; repeats the previous action with probability p', () => {
    const inner = new CounterEnv(10);
    const env = new StickyActions(inner, 0.25);
    let extraZeros = 0;
    const episodes = 3000;
    for (let e = 0; e < episodes; e++) {
      env.reset(e === 0 ? { seed: 11 } : undefined);
      inner.received.length = 0;
      let r;
      let t = 0;
      do r = env.step(t++ === 0 ? 0 : 1);
      while (!r.terminated);
      expect(inner.received[0]).toBe(0);
      // Once the agent's 1 gets through, every later step is 1 whichever way the draw goes.
      const firstOne = inner.received.indexOf(1);
      expect(inner.received.slice(firstOne).every((a) => a === 1)).toBe(true);
      extraZeros += Math.max(0, firstOne === -1 ? 9 : firstOne - 1);
    }
    // Extra zeros ~ geometric: mean p/(1-p) = 1/3, sd sqrt(p)/(1-p) ≈ 0.667.
    const mean = extraZeros / episodes;
    expect(Math.abs(mean - 1 / 3)).toBeLessThan(5 * (0.667 / Math.sqrt(episodes)));
  });

  it('is reproducible from the reset seed, validates actions, and p = 0 is a no-op', () => {
    const run = (seed: number) => {
      const inner = new CounterEnv();
      const env = new StickyActions(inner, 0.5);
      env.reset({ seed });
      for (let t = 0; t < 50; t++) env.step(t % 3);
      return inner.received;
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    const env = new StickyActions(new CounterEnv(), 0);
    env.reset();
    expect(() => env.step(3)).toThrow(RangeError);
    const inner = new CounterEnv();
    const plain = new StickyActions(inner, 0);
    plain.reset();
    for (let t = 0; t < 20; t++) plain.step(t % 3);
    expect(inner.received).toEqual(Array.from({ length: 20 }, (_, t) => t % 3));
    expect(() => new StickyActions(new CounterEnv(), 1)).toThrow(/\[0, 1\)/);
  });
});

describe('NormalizeObservation', () => {
  it('tracks the running mean and variance of every observation and normalises with them', () => {
    const env = new NormalizeObservation(make('CartPole-v1'));
    const raw: number[][] = [];
    const keep = (o: ArrayLike<number>) => raw.push(Array.from(o));
    const inner = env.env;
    let out = env.reset({ seed: 2 }).observation;
    keep(classicControl(inner).state ? Float32Array.from(classicControl(inner).state) : []);
    for (let t = 0; t < 3000; t++) {
      const r = env.step(t % 2 === 0 ? 0 : 1);
      keep(Float32Array.from(classicControl(inner).state));
      out = r.observation;
      if (r.terminated || r.truncated) {
        env.reset();
        keep(Float32Array.from(classicControl(inner).state));
      }
    }
    const n = raw.length;
    for (let i = 0; i < 4; i++) {
      const mean = raw.reduce((s, o) => s + o[i], 0) / n;
      const variance = raw.reduce((s, o) => s + (o[i] - mean) ** 2, 0) / n;
      // The prior (count 1e-4, mean 0, var 1) shifts the estimates by ~1e-4/n.
      expect(env.mean[i]).toBeCloseTo(mean, 6);
      expect(env.var[i]).toBeCloseTo(variance, 5);
    }
    expect(env.count).toBeCloseTo(n + 1e-4, 9);
    expect(out).toBeInstanceOf(Float32Array);
    const frozen = env.getState();
    env.update = false;
    const o = env.reset({ seed: 9 }).observation;
    const s = Float32Array.from(classicControl(inner).state);
    for (let i = 0; i < 4; i++) expect(o[i]).toBeCloseTo((s[i] - frozen.mean[i]) / Math.sqrt(frozen.var[i] + 1e-8), 5);
    expect(env.getState()).toEqual(frozen);
  });
});

describe('TransformObservation', () => {
  it('toFloat32 casts uint8 observations; flattenObservation flattens the space', () => {
    const env = toFloat32(new CounterEnv());
    expect(env.observationSpace.dtype).toBe('float32');
    const o = env.reset().observation;
    expect(o).toBeInstanceOf(Float32Array);
    expect(Array.from(o)).toEqual(counterFrame(0));
    expect(Array.from(env.step(0).observation)).toEqual(counterFrame(1));
    const flat = flattenObservation(new CounterEnv());
    expect(flat.observationSpace.shape).toEqual([8]);
    expect(Array.from(flat.reset().observation)).toEqual(counterFrame(0));
  });
});

describe('composition', () => {
  it('a stack of wrappers keeps unwrapped, state, spec, spaces and render reachable', () => {
    const env = new ClipReward(new NormalizeObservation(new FrameStack(new RecordEpisodeStatistics(make('CartPole-v1')), 4)), -1, 1);
    expect(env.unwrapped).toBeInstanceOf(CartPoleEnv);
    expect(env.spec.id).toBe('CartPole-v1');
    expect(env.spec.maxEpisodeSteps).toBe(500);
    expect(env.observationSpace.shape).toEqual([4, 4]);
    expect(env.actionSpace.n).toBe(2);
    env.reset({ seed: 1 });
    classicControl(env).state = Float64Array.of(0.5, 0, 0.1, 0);
    expect((env.unwrapped as CartPoleEnv).state[0]).toBe(0.5);
    const frame = env.render();
    expect(frame).toMatchObject({ family: 'cartpole', x: 0.5, theta: 0.1 });
    let r;
    let n = 0;
    do {
      r = env.step(1);
      n++;
    } while (!r.terminated && !r.truncated);
    expect(r.info.episode).toEqual({ return: n, length: n });
    expect(r.observation).toBeInstanceOf(Float32Array);
    expect(r.observation.length).toBe(16);
    expect(() => (new CounterEnv() as Env & { state?: Float64Array }).state).not.toThrow();
    expect(() => (classicControl(new ClipReward(new CounterEnv())).state = new Float64Array(1))).toThrow(/no physics state/);
  });
});

describe('the DQN training stack: make → RecordEpisodeStatistics → ClipReward', () => {
  // c = 0.5 so that MinAtar's +1 rewards are visibly clipped.
  const ID = 'MinAtar/Breakout-v1';
  const C = 0.5;
  const build = () => {
    const stats = new RecordEpisodeStatistics(make(ID));
    return { stats, env: new ClipReward(stats, -C, C) };
  };

  interface Trace {
    observations: number[][];
    rewards: number[];
    episode: unknown;
  }

  /** Steps `actions` from the current state, recording what the learner sees. */
  function play(env: Env, actions: readonly number[]): Trace {
    const trace: Trace = { observations: [], rewards: [], episode: undefined };
    for (const a of actions) {
      const r = env.step(a);
      trace.observations.push(Array.from(r.observation));
      trace.rewards.push(r.reward);
      if (r.terminated || r.truncated) trace.episode = r.info.episode;
    }
    return trace;
  }

  it('gives the learner clipped rewards, reports the unclipped return, and replays exactly from reset(seed) + actions', () => {
    const seed = 7;
    const { stats, env } = build();
    const policy = new Random(7);
    // A few steps of an abandoned episode first: statistics must count from the last reset.
    env.reset({ seed: 99 });
    for (let t = 0; t < 5; t++) env.step(policy.integer(0, env.actionSpace.n));

    const first = Array.from(env.reset({ seed }).observation);
    const actions: number[] = [];
    const observations: number[][] = [];
    const rewards: number[] = [];
    let r;
    do {
      actions.push(policy.integer(0, env.actionSpace.n));
      r = env.step(actions[actions.length - 1]);
      observations.push(Array.from(r.observation));
      rewards.push(r.reward);
    } while (!r.terminated && !r.truncated);
    const episode = r.info.episode as EpisodeStatistics;

    // The same actions on the bare env give the game's own rewards.
    const raw = make(ID);
    raw.reset({ seed });
    const rawRewards = actions.map((a) => raw.step(a).reward);
    const rawReturn = rawRewards.reduce((s, x) => s + x, 0);
    expect(rawReturn).toBeGreaterThan(0);
    expect(rewards).toEqual(rawRewards.map((x) => Math.min(Math.max(x, -C), C)));
    expect(episode).toEqual({ return: rawReturn, length: actions.length });
    expect(stats.lastEpisode).toEqual(episode);

    // Rebuild mid-episode as after a checkpoint: reset(seed), replay the first half, carry on.
    const half = Math.floor(actions.length / 2);
    const again = build();
    expect(Array.from(again.env.reset({ seed }).observation)).toEqual(first);
    const before = play(again.env, actions.slice(0, half));
    expect(before.observations).toEqual(observations.slice(0, half));
    const after = play(again.env, actions.slice(half));
    expect([...before.rewards, ...after.rewards]).toEqual(rewards);
    expect(after.observations).toEqual(observations.slice(half));
    expect(after.episode).toEqual(episode);
    expect(again.stats.lastEpisode).toEqual(episode);
  });
});
