import { describe, expect, it } from 'vitest';
import { make, listEnvs, register, closestId, editDistance, TimeLimit, CartPoleEnv } from '../envs/index';
import type { Env } from '../envs/index';

describe('env registry', () => {
  it('lists the classic-control ids with specs and spaces', () => {
    const byId = new Map(listEnvs().map((e) => [e.id, e]));
    const cp = byId.get('CartPole-v1')!;
    expect(cp.spec).toMatchObject({ maxEpisodeSteps: 500, rewardThreshold: 475, family: 'cartpole' });
    expect(cp.observationSpace.shape).toEqual([4]);
    expect(cp.actionSpace.n).toBe(2);
    expect(byId.get('MountainCar-v0')!.spec).toMatchObject({ maxEpisodeSteps: 200, rewardThreshold: -110 });
    expect(byId.get('MountainCar-v0')!.actionSpace.n).toBe(3);
    expect(byId.get('Acrobot-v1')!.spec).toMatchObject({ maxEpisodeSteps: 500, rewardThreshold: -100 });
    expect(byId.get('Acrobot-v1')!.observationSpace.shape).toEqual([6]);
  });

  it('wraps in a TimeLimit from the spec, overridable or removable', () => {
    const env = make('CartPole-v1');
    expect(env).toBeInstanceOf(TimeLimit);
    expect(env.unwrapped).toBeInstanceOf(CartPoleEnv);
    expect(env.spec.maxEpisodeSteps).toBe(500);
    const short = make('MountainCar-v0', { maxEpisodeSteps: 7 });
    expect(short.spec.maxEpisodeSteps).toBe(7);
    short.reset({ seed: 0 });
    let steps = 0;
    let last;
    do {
      last = short.step(1);
      steps++;
    } while (!last.truncated && !last.terminated);
    expect(steps).toBe(7);
    expect(last.truncated).toBe(true);
    expect(make('Acrobot-v1', { maxEpisodeSteps: null })).not.toBeInstanceOf(TimeLimit);
    expect(() => make('CartPole-v1', { maxEpisodeSteps: 0 })).toThrow(/maxEpisodeSteps must be a positive integer/);
    expect(() => make('CartPole-v1', { foo: 1 })).toThrow(/unknown option\(s\) "foo"/);
  });

  it('suggests the closest id for an unknown one and lists the known ids', () => {
    expect(() => make('CartPol-v1')).toThrow(/Unknown env id "CartPol-v1"\. Did you mean "CartPole-v1"\?.*Known ids: .*Acrobot-v1/);
    expect(() => make('mountaincar-v1')).toThrow(/Did you mean "MountainCar-v0"/);
    expect(closestId('zzzzzzzzzzzzzzzzzzzzzz', ['CartPole-v1'])).toBeUndefined();
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('registers new ids and refuses duplicates', () => {
    const spec = { id: 'Test/CartPoleShort-v0', maxEpisodeSteps: 3, rewardThreshold: null, family: 'cartpole' };
    register(spec.id, () => new CartPoleEnv(spec) as Env, spec);
    const env = make(spec.id);
    env.reset({ seed: 1 });
    expect(env.step(0).truncated).toBe(false);
    env.step(1);
    expect(env.step(0).truncated).toBe(true);
    expect(() => register(spec.id, () => new CartPoleEnv(spec), spec)).toThrow(/already registered/);
  });
});
