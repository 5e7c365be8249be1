import { describe, expect, it } from 'vitest';
import { Seaquest } from '../envs/minatar/index';
import { ScriptedDraws, cellsOn } from './fixtures/minatar/scripted-draws';

const NOOP = 0, LEFT = 1, UP = 2, RIGHT = 3, DOWN = 4, FIRE = 5;
const C = 10;
const CH = { front: 0, back: 1, friendly: 2, trail: 3, enemyBullet: 4, fish: 5, sub: 6, oxygen: 7, divers: 8, diver: 9 };

function observe(game: Seaquest): Record<keyof typeof CH, string[]> {
  const obs = new Uint8Array(100 * C);
  game.writeObservation(obs);
  const out = {} as Record<keyof typeof CH, string[]>;
  for (const [name, c] of Object.entries(CH)) out[name as keyof typeof CH] = cellsOn(obs, C, c);
  return out;
}

function fresh(options = {}): Seaquest {
  const game = new Seaquest(options);
  game.reset(new ScriptedDraws());
  return game;
}

const none = () => new ScriptedDraws();
const row9 = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `9,${from + i}`);

describe('Seaquest rules', () => {
  it('starts surfaced at (5, 0) facing left with full oxygen and no divers', () => {
    const o = observe(fresh());
    expect(o.front).toEqual(['0,5']);
    expect(o.back).toEqual(['0,6']);
    expect(o.oxygen).toEqual(row9(0, 9));
    expect(o.divers).toEqual([]);
    expect([...o.fish, ...o.sub, ...o.diver, ...o.friendly, ...o.enemyBullet, ...o.trail]).toEqual([]);
  });

  it('spawns the first enemy on step 21 (u1 side, u2 kind, row 1..8) and the first diver on step 31; subs shoot every 11th step', () => {
    const game = fresh();
    const draws = new ScriptedDraws();
    for (let t = 1; t <= 20; t++) game.step(NOOP, draws);
    draws.push({ random: 0.3 }, { random: 0.2 }, { integer: 4, lo: 1, hi: 9 });
    game.step(NOOP, draws); // step 21: a sub on row 4, from the left
    expect(draws.remaining).toBe(0);
    expect(observe(game).sub).toEqual(['4,0']);
    expect(observe(game).trail).toEqual([]);
    expect(game.enemySpawnTimer).toBe(19);
    for (let t = 22; t <= 25; t++) game.step(NOOP, draws);
    expect(observe(game).sub).toEqual(['4,0']);
    game.step(NOOP, draws); // step 26: move timer (5) ran out
    expect(observe(game).sub).toEqual(['4,1']);
    expect(observe(game).trail).toEqual(['4,0']);
    for (let t = 27; t <= 30; t++) game.step(NOOP, draws);
    draws.push({ random: 0.7 }, { integer: 2, lo: 1, hi: 9 });
    game.step(NOOP, draws); // step 31: diver from the right on row 2; the sub's shot timer (10) ran out
    expect(draws.remaining).toBe(0);
    const o = observe(game);
    expect(o.diver).toEqual(['2,9']);
    expect(o.enemyBullet).toEqual(['4,2']); // appended at (4, 1), then moved in the same step
    expect(game.subs.shotTimer[0]).toBe(10);
    game.step(NOOP, draws); // step 32: sub moves again
    expect(observe(game).sub).toEqual(['4,2']);
    expect(observe(game).enemyBullet).toEqual(['4,3']);
  });

  it('refuses to spawn into a lane where an enemy moves the other way', () => {
    const game = fresh();
    game.fish.push(6, 4, false, 3);
    game.enemySpawnTimer = 0;
    game.step(NOOP, new ScriptedDraws([{ random: 0.3 }, { random: 0.9 }, { integer: 4, lo: 1, hi: 9 }]));
    expect(game.fish.length + game.subs.length).toBe(1);
    game.enemySpawnTimer = 0;
    game.step(NOOP, new ScriptedDraws([{ random: 0.6 }, { random: 0.9 }, { integer: 4, lo: 1, hi: 9 }]));
    expect(observe(game).fish).toEqual(['4,6', '4,9']);
  });

  it('ends the game on surfacing with no divers', () => {
    const game = fresh();
    game.step(DOWN, none());
    expect([game.subY, game.oxygen, game.surfaced]).toEqual([1, 199, false]);
    game.step(UP, none());
    expect(game.terminal).toBe(true);
  });

  it('surfaces with 1..5 divers: oxygen refilled, one diver lost, difficulty ramped', () => {
    const game = fresh();
    game.diverCount = 3;
    game.step(DOWN, none());
    expect(game.step(UP, none())).toBe(0);
    expect(game.terminal).toBe(false);
    expect([game.oxygen, game.diverCount, game.surfaced]).toEqual([200, 2, true]);
    expect([game.enemySpawnInterval, game.moveInterval, game.rampIndex]).toEqual([19, 5, 1]);
    expect(observe(game).divers).toEqual(['9,7', '9,8']);
    game.step(DOWN, none());
    game.step(UP, none());
    expect([game.enemySpawnInterval, game.moveInterval, game.rampIndex]).toEqual([18, 4, 2]);

    const flat = fresh({ difficultyRamping: false });
    flat.diverCount = 3;
    flat.step(DOWN, none());
    flat.step(UP, none());
    expect([flat.enemySpawnInterval, flat.moveInterval, flat.rampIndex, flat.diverCount]).toEqual([20, 5, 0, 2]);
  });

  it('surfaces with 6 divers for floor(oxygen·10/200) points, leaving the count at −1 (and −1 may surface again)', () => {
    const game = fresh();
    game.diverCount = 6;
    expect(observe(game).divers).toEqual(row9(3, 8));
    game.step(DOWN, none());
    expect(game.step(UP, none())).toBe(9); // floor(199 · 10 / 200)
    expect([game.oxygen, game.diverCount]).toEqual([200, -1]);
    expect(observe(game).divers).toEqual([]);
    game.step(DOWN, none());
    game.step(UP, none());
    expect(game.terminal).toBe(false);
    expect(game.diverCount).toBe(-2);
  });

  it('runs out of oxygen one step after it reaches 0', () => {
    const game = fresh();
    game.step(DOWN, none());
    game.oxygen = 21;
    game.step(NOOP, none());
    expect(observe(game).oxygen).toEqual(['9,0']); // floor(20 · 10 / 200) = 1 cell
    game.oxygen = 1;
    game.step(NOOP, none());
    expect(game.oxygen).toBe(0);
    expect(game.terminal).toBe(false);
    expect(observe(game).oxygen).toEqual([]);
    game.step(NOOP, none());
    expect(game.terminal).toBe(true);
  });

  it('picks up divers on its cell or swimming into it, unless six are aboard', () => {
    const game = fresh();
    game.divers.push(5, 1, false, 3);
    game.step(DOWN, none());
    expect(game.divers.length).toBe(0);
    expect(game.diverCount).toBe(1);
    expect(observe(game).divers).toEqual(['9,8']);

    game.divers.push(6, 1, false, 0); // moves onto the sub this step
    game.step(NOOP, none());
    expect(game.divers.length).toBe(0);
    expect(game.diverCount).toBe(2);

    game.diverCount = 6;
    game.divers.push(5, 1, true, 4);
    game.step(NOOP, none());
    expect(game.divers.length).toBe(1);
    expect(game.divers.moveTimer[0]).toBe(3);
    expect(observe(game).diver).toEqual(['1,5']);
  });

  it('lets an enemy sub shot down in this step still fire its due shot from its new cell', () => {
    const game = fresh();
    game.subs.push(3, 2, true, 0, 0);
    game.friendlyBullets.push(5, 2, false);
    expect(game.step(NOOP, none())).toBe(1); // bullet → (4, 2); sub moves onto it: both removed
    expect(game.subs.length).toBe(0);
    expect(game.friendlyBullets.length).toBe(0);
    expect(observe(game).enemyBullet).toEqual(['2,5']); // fired at (4, 2), then moved right
  });

  it('processes lists from last to first: two due subs append their shots in reverse order', () => {
    const game = fresh();
    game.subs.push(2, 3, true, 4, 0);
    game.subs.push(2, 6, true, 4, 0);
    game.step(NOOP, none());
    expect([...game.enemyBullets.y.subarray(0, game.enemyBullets.length)]).toEqual([6, 3]);
  });

  it('shoots in the facing direction every 6 steps; a bullet takes a fish before a sub on the same cell', () => {
    const game = fresh();
    game.step(DOWN, none());
    game.step(DOWN, none());
    game.step(LEFT, none());
    game.step(RIGHT, none());
    game.step(RIGHT, none()); // sub at (6, 2) facing right
    expect(observe(game).back).toEqual(['2,5']);
    game.fish.push(7, 2, false, 3);
    game.subs.push(7, 2, false, 3, 5);
    expect(game.step(FIRE, none())).toBe(1);
    expect(game.fish.length).toBe(0);
    expect(game.subs.length).toBe(1);
    expect(game.shotTimer).toBe(4);
    game.step(FIRE, none()); // cooling down: no bullet, no move
    expect(game.friendlyBullets.length).toBe(0);
    expect(game.subX).toBe(6);
  });

  it('ends the game on touching an enemy or an enemy bullet', () => {
    const fish = fresh();
    fish.step(DOWN, none());
    fish.fish.push(5, 2, true, 2);
    fish.step(DOWN, none());
    expect(fish.terminal).toBe(true);

    const shot = fresh();
    shot.step(DOWN, none());
    shot.enemyBullets.push(4, 1, true);
    shot.step(NOOP, none());
    expect(shot.terminal).toBe(true);

    const deep = fresh();
    for (let i = 0; i < 10; i++) deep.step(DOWN, none());
    expect(deep.subY).toBe(8);
  });
});
