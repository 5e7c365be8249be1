import { describe, expect, it } from 'vitest';
import { listEnvs, make } from '../envs/registry';
import { Breakout, MinAtarEnv, Seaquest, SpaceInvaders, makeMinAtar } from '../envs/minatar/index';
import { AnsweringDraws, ScriptedDraws } from './fixtures/minatar/scripted-draws';

const GAMES = ['Breakout', 'Asterix', 'Freeway', 'Seaquest', 'SpaceInvaders'];
const CHANNELS = { Breakout: 4, Asterix: 4, Freeway: 7, Seaquest: 10, SpaceInvaders: 6 } as Record<string, number>;
const MINIMAL = {
  Breakout: ['noop', 'left', 'right'],
  Asterix: ['noop', 'left', 'up', 'right', 'down'],
  Freeway: ['noop', 'up', 'down'],
  Seaquest: ['noop', 'left', 'up', 'right', 'down', 'fire'],
  SpaceInvaders: ['noop', 'left', 'right', 'fire'],
} as Record<string, string[]>;

/** A Breakout env whose draws come from `draws` (reset: the side bit; every step: the sticky draw). */
function scriptedBreakout(draws: ScriptedDraws, stickyActionProb = 0.1): MinAtarEnv {
  return new MinAtarEnv(new Breakout(), { id: 'MinAtar/Breakout-v1', stickyActionProb, createDraws: () => draws });
}

describe('MinAtar env API', () => {
  it('registers -v1 (minimal actions) and -v0 (all six) ids with boolean 10×10×C spaces and no time limit', () => {
    const ids = listEnvs().map((e) => e.id);
    for (const game of GAMES) {
      for (const version of ['v1', 'v0']) {
        const id = `MinAtar/${game}-${version}`;
        expect(ids).toContain(id);
        const env = make(id);
        expect(env.spec).toEqual({ id, maxEpisodeSteps: null, rewardThreshold: null, family: 'minatar' });
        expect(env.unwrapped).toBe(env); // make() adds no TimeLimit
        expect(env.observationSpace).toEqual({ kind: 'box', shape: [10, 10, CHANNELS[game]], low: 0, high: 1, dtype: 'bool' });
        expect(env.actionSpace.actionNames).toEqual(version === 'v1' ? MINIMAL[game] : ['noop', 'left', 'up', 'right', 'down', 'fire']);
        expect(env.actionSpace.n).toBe(env.actionSpace.actionNames.length);
        const { observation } = env.reset({ seed: 3 });
        expect(observation).toBeInstanceOf(Uint8Array);
        expect(observation.length).toBe(100 * CHANNELS[game]);
        expect(observation.every((v) => v === 0 || v === 1)).toBe(true);
      }
    }
  });

  it('maps -v1 indices onto the minimal set: Breakout action 2 is "right"', () => {
    const draws = new ScriptedDraws([{ integer: 0, lo: 0, hi: 2 }, { random: 0.5 }]);
    const env = scriptedBreakout(draws);
    env.reset({ seed: 0 });
    env.step(2);
    expect((env.game as Breakout).paddle).toBe(5);
  });

  it('draws the sticky u first on every step (even at p = 0) and repeats the previously applied action when u < p', () => {
    const draws = new ScriptedDraws([{ integer: 1, lo: 0, hi: 2 }]);
    const env = scriptedBreakout(draws);
    const game = env.game as Breakout;
    env.reset({ seed: 0 });
    draws.push({ random: 0.05 });
    env.step(2); // sticky: the previous action (initially no-op) is applied instead of right
    expect(game.paddle).toBe(4);
    draws.push({ random: 0.1 });
    env.step(2); // u == p is not sticky
    expect(game.paddle).toBe(5);
    draws.push({ random: 0.0999 });
    env.step(1); // sticky: right again
    expect(game.paddle).toBe(6);
    expect(draws.remaining).toBe(0);

    const zero = new ScriptedDraws([{ integer: 1, lo: 0, hi: 2 }, { random: 0 }, { random: 0 }]);
    const noSticky = scriptedBreakout(zero, 0);
    noSticky.reset({ seed: 0 });
    noSticky.step(2);
    noSticky.step(2);
    expect(zero.remaining).toBe(0);
    expect((noSticky.game as Breakout).paddle).toBe(6);
  });

  it('keeps the previous action across unseeded resets; a seeded reset starts afresh', () => {
    const draws = new ScriptedDraws([{ integer: 0, lo: 0, hi: 2 }]);
    const env = scriptedBreakout(draws, 0.5);
    const game = env.game as Breakout;
    env.reset({ seed: 0 });
    draws.push({ random: 0.9 });
    env.step(2); // right applied
    draws.push({ integer: 0, lo: 0, hi: 2 }, { random: 0.1 });
    env.reset(); // the generator continues: the side bit is the next draw
    env.step(0); // sticky → right from the last episode
    expect(game.paddle).toBe(5);
    draws.push({ integer: 0, lo: 0, hi: 2 }, { random: 0.1 });
    env.reset({ seed: 1 });
    env.step(2); // sticky → no-op
    expect(game.paddle).toBe(4);
  });

  it('draws Seaquest spawns from the same generator, after the sticky draw', () => {
    const draws = new AnsweringDraws(() => 0.99, (lo) => lo);
    const env = new MinAtarEnv(new Seaquest(), { id: 'MinAtar/Seaquest-v1', createDraws: () => draws });
    env.reset({ seed: 0 });
    for (let t = 0; t < 21; t++) env.step(0);
    expect(draws.randomCalls).toBe(21 + 2); // 21 sticky draws + u1, u2 of the first enemy
    expect(draws.integerCalls).toBe(1); // its row
  });

  it('is reproducible from a seed and reuses its observation array', () => {
    const run = (seed: number) => {
      const env = makeMinAtar('Seaquest', 'v1');
      const first = env.reset({ seed }).observation;
      let sum = 0;
      let steps = 0;
      let rewards = 0;
      for (let t = 0; t < 3000; t++) {
        const r = env.step((t * 7) % 6);
        expect(r.observation).toBe(first);
        for (let i = 0; i < r.observation.length; i++) sum += r.observation[i] * (i + 1);
        rewards += r.reward;
        steps++;
        if (r.terminated) env.reset();
      }
      return [sum, rewards, steps];
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('renders the minatar frame: the on-cells of the observation in HWC order', () => {
    const env = make('MinAtar/SpaceInvaders-v1');
    const { observation } = env.reset({ seed: 1 });
    const frame = env.render();
    expect(frame.family).toBe('minatar');
    if (frame.family !== 'minatar') return;
    expect(frame.game).toBe('space_invaders');
    expect([frame.height, frame.width]).toEqual([10, 10]);
    expect(frame.channels).toEqual(['cannon', 'alien', 'alien_left', 'alien_right', 'friendly_bullet', 'enemy_bullet']);
    const on = [...observation.keys()].filter((i) => observation[i] === 1);
    expect(frame.on).toEqual(on);
    expect(frame.on).toContain((9 * 10 + 5) * 6); // the cannon at (9, 5)
    expect(JSON.parse(JSON.stringify(frame))).toEqual(frame);
  });

  it('rejects invalid actions with the id and the valid range', () => {
    const env = make('MinAtar/Asterix-v1');
    env.reset({ seed: 0 });
    for (const bad of [5, -1, 1.5, Number.NaN]) {
      expect(() => env.step(bad)).toThrow(RangeError);
      expect(() => env.step(bad)).toThrow(/MinAtar\/Asterix-v1.*\[0, 4\]/);
    }
    expect(() => make('MinAtar/Asterix-v0').reset({ seed: 0 }) && undefined).not.toThrow();
  });

  it('refuses to step before reset and after the episode ended', () => {
    const env = make('MinAtar/Breakout-v1', { stickyActionProb: 0 });
    expect(() => env.step(0)).toThrow(/before reset/);
    env.reset({ seed: 0 });
    let steps = 0;
    while (!env.step(1).terminated) steps++; // a paddle stuck at the left wall
    expect(steps).toBeLessThan(20);
    expect(() => env.step(0)).toThrow(/step\(\) called after the episode ended/);
    env.reset();
    expect(() => env.step(0)).not.toThrow();
  });

  it('validates options, naming each bad field and the allowed values', () => {
    expect(() => make('MinAtar/Freeway-v1', { stickyActionProb: 1.5 })).toThrow(/stickyActionProb: must be a number in \[0, 1\] \(got 1.5\)/);
    expect(() => make('MinAtar/Freeway-v1', { stickyActionProb: 'x' })).toThrow(/stickyActionProb/);
    let message = '';
    try {
      make('MinAtar/Freeway-v1', { stickyActionProb: -1, difficultyRamping: 'yes', speed: 2 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^MinAtar\/Freeway-v1: invalid options/);
    expect(message).toMatch(/stickyActionProb: must be a number in \[0, 1\] \(got -1\)/);
    expect(message).toMatch(/difficultyRamping: must be true or false \(got "yes"\)/);
    expect(message).toMatch(/unknown option speed \(allowed: stickyActionProb, difficultyRamping\)/);
    const env = make('MinAtar/Freeway-v1', { stickyActionProb: 0, difficultyRamping: false }) as MinAtarEnv;
    expect(env.stickyActionProb).toBe(0);
  });

  it('turns ramping off through make()', () => {
    const ramped = make('MinAtar/SpaceInvaders-v0', { stickyActionProb: 0 }).unwrapped as MinAtarEnv;
    const flat = make('MinAtar/SpaceInvaders-v0', { stickyActionProb: 0, difficultyRamping: false }).unwrapped as MinAtarEnv;
    for (const env of [ramped, flat]) {
      env.reset({ seed: 0 });
      const map = new Uint8Array(100);
      map[3 * 10 + 5] = 1;
      (env.game as SpaceInvaders).setAliens(map);
      for (let t = 0; t < 6; t++) env.step(5); // fire from under it; the bullet arrives on step 6
    }
    expect((ramped.game as SpaceInvaders).alienMoveInterval).toBe(11);
    expect((flat.game as SpaceInvaders).alienMoveInterval).toBe(12);
  });
});
