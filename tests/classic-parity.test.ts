/**
 * Gymnasium parity: replay the action sequences of fixtures recorded from real Gymnasium
 * (scripts/gen-gymnasium-fixtures.py) from the same start states and compare every step.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { make, classicControl } from '../envs/index';

interface Episode {
  name: string;
  startState: number[];
  actions: number[];
  observations: number[][];
  rewards: number[];
  terminated: boolean[];
  truncated: boolean[];
  states: number[][];
}

function load(id: string): Episode[] {
  const url = new URL(`./fixtures/gymnasium/${id}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { episodes: Episode[] }).episodes;
}

const TOL = 1e-6;

describe.each(['CartPole-v1', 'MountainCar-v0', 'Acrobot-v1'])('%s matches Gymnasium', (id) => {
  const episodes = load(id);

  it('fixtures cover termination and truncation', () => {
    expect(episodes.some((e) => e.terminated.at(-1))).toBe(true);
    expect(episodes.some((e) => e.truncated.at(-1) && !e.terminated.at(-1))).toBe(true);
  });

  it.each(episodes.map((e) => [e.name, e] as const))('episode %s', (_name, ep) => {
    const env = make(id);
    env.reset({ seed: 123 });
    classicControl(env).state = Float64Array.from(ep.startState);
    let worstObs = 0;
    let worstState = 0;
    for (let t = 0; t < ep.actions.length; t++) {
      const r = env.step(ep.actions[t]);
      const want = ep.observations[t];
      for (let i = 0; i < want.length; i++) worstObs = Math.max(worstObs, Math.abs(r.observation[i] - want[i]));
      const state = classicControl(env).state;
      for (let i = 0; i < state.length; i++) worstState = Math.max(worstState, Math.abs(state[i] - ep.states[t][i]));
      if (worstObs > TOL || worstState > TOL) throw new Error(`${id} ${ep.name}: diverged at step ${t}: obs ${worstObs}, state ${worstState}`);
      expect.soft(r.reward, `reward at step ${t}`).toBe(ep.rewards[t]);
      expect.soft(r.terminated, `terminated at step ${t}`).toBe(ep.terminated[t]);
      expect.soft(r.truncated, `truncated at step ${t}`).toBe(ep.truncated[t]);
    }
    expect(worstObs).toBeLessThanOrEqual(TOL);
    expect(worstState).toBeLessThanOrEqual(TOL);
    // The episode is over: one more step is an error, as in Gymnasium's order enforcing.
    expect(() => env.step(0)).toThrow(/after the episode ended/);
  });
});
