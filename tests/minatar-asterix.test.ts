import { describe, expect, it } from 'vitest';
import { Asterix } from '../envs/minatar/index';
import { AnsweringDraws, ScriptedDraws, cellsOn } from './fixtures/minatar/scripted-draws';

const NOOP = 0, LEFT = 1, UP = 2, RIGHT = 3, DOWN = 4;
const C = 4;

function observe(game: Asterix) {
  const obs = new Uint8Array(100 * C);
  game.writeObservation(obs);
  return { player: cellsOn(obs, C, 0), enemy: cellsOn(obs, C, 1), trail: cellsOn(obs, C, 2), gold: cellsOn(obs, C, 3) };
}

function fresh(options = {}): Asterix {
  const game = new Asterix(options);
  game.reset(new ScriptedDraws());
  return game;
}

function place(game: Asterix, slot: number, x: number, right: boolean, gold: boolean): void {
  game.active[slot] = 1;
  game.entityX[slot] = x;
  game.movingRight[slot] = right ? 1 : 0;
  game.gold[slot] = gold ? 1 : 0;
}

describe('Asterix rules', () => {
  it('spawns first on step 11 (u1 direction, u2 gold, then a uniform pick among empty slots) and moves on steps 6, 11, 16, ...', () => {
    const game = fresh();
    const draws = new ScriptedDraws();
    for (let t = 1; t <= 10; t++) game.step(NOOP, draws); // no draws at all before the first spawn
    expect(game.spawnTimer).toBe(0);
    draws.push({ random: 0.2 }, { random: 0.5 }, { integer: 3, lo: 0, hi: 8 });
    game.step(NOOP, draws);
    expect(draws.remaining).toBe(0);
    // Slot 3 → row 4; moving right from x 0; not gold. The move timer (5) fires on steps 6, 11,
    // 16, ... (reloaded, then decremented that same step), so the new enemy moves at once.
    expect(observe(game).enemy).toEqual(['4,1']);
    expect(observe(game).trail).toEqual(['4,0']);
    expect(game.spawnTimer).toBe(9);
    for (let t = 12; t <= 15; t++) game.step(NOOP, draws);
    expect(observe(game).enemy).toEqual(['4,1']);
    game.step(NOOP, draws); // step 16
    expect(observe(game).enemy).toEqual(['4,2']);
  });

  it('picks the k-th empty slot in increasing order and spawns gold moving left from x 9', () => {
    const game = fresh();
    place(game, 0, 5, true, false);
    place(game, 2, 5, true, false);
    game.spawnTimer = 0;
    const draws = new ScriptedDraws([{ random: 0.5 }, { random: 0.3 }, { integer: 1, lo: 0, hi: 6 }]);
    game.step(NOOP, draws);
    expect(game.active[3]).toBe(1); // empty slots 1, 3, 4, ...: index 1 is slot 3
    expect(observe(game).gold).toEqual(['4,9']);
    expect(game.spawnTimer).toBe(game.spawnInterval - 1);
  });

  it('draws u1 and u2 but no slot when all eight slots are full', () => {
    const game = fresh();
    for (let slot = 0; slot < 8; slot++) place(game, slot, slot === 4 ? 0 : 5, true, false);
    game.spawnTimer = 0;
    const draws = new ScriptedDraws([{ random: 0.9 }, { random: 0.9 }]);
    game.step(NOOP, draws);
    expect(draws.remaining).toBe(0);
  });

  it('collects gold (+1) and ends on an enemy when the player walks onto it', () => {
    const game = fresh();
    place(game, 4, 6, false, true); // row 5, next to the player at (5, 5)
    expect(game.step(RIGHT, new ScriptedDraws())).toBe(1);
    expect(game.active[4]).toBe(0);
    expect(game.terminal).toBe(false);
    place(game, 4, 7, false, false);
    game.step(RIGHT, new ScriptedDraws());
    expect(game.terminal).toBe(true);
  });

  it('lets moving entities run into the player, removes them past the edge, and keeps the player in rows 1..8', () => {
    const game = fresh();
    place(game, 4, 6, false, false); // enemy on the player's row, one column right, moving left
    place(game, 0, 9, true, true); // gold leaving the grid
    game.moveTimer = 0;
    game.step(NOOP, new ScriptedDraws());
    expect(game.active[0]).toBe(0);
    expect(game.terminal).toBe(true);
    expect(game.moveTimer).toBe(game.moveInterval - 1);

    const walker = fresh();
    const goldOnly = new AnsweringDraws(() => 0.1, (lo) => lo);
    for (let i = 0; i < 6; i++) walker.step(UP, goldOnly);
    expect(walker.playerY).toBe(1);
    for (let i = 0; i < 9; i++) walker.step(DOWN, goldOnly);
    expect(walker.playerY).toBe(8);
    for (let i = 0; i < 7; i++) walker.step(LEFT, goldOnly);
    expect(walker.playerX).toBe(0);
  });

  it('ramps the spawn interval after 101 steps and the move interval on odd ramp indices', () => {
    // Every spawn is gold, so the player (who never moves) can only score.
    const game = fresh();
    const draws = new AnsweringDraws((call) => (call % 2 === 0 ? 0.7 : 0.1), (lo) => lo);
    const history: [number, number, number][] = [];
    for (let t = 1; t <= 205; t++) {
      game.step(NOOP, draws);
      expect(game.terminal).toBe(false);
      history[t] = [game.spawnInterval, game.moveInterval, game.rampIndex];
    }
    expect(history[101]).toEqual([10, 5, 0]);
    expect(history[102]).toEqual([9, 5, 1]); // ramp index 0 is even: only spawns speed up
    expect(history[203]).toEqual([9, 5, 1]);
    expect(history[204]).toEqual([8, 4, 2]); // ramp index 1 is odd: moves speed up too
    expect(game.rampTimer).toBe(99);

    const flat = fresh({ difficultyRamping: false });
    for (let t = 1; t <= 205; t++) flat.step(NOOP, draws);
    expect([flat.spawnInterval, flat.moveInterval, flat.rampIndex]).toEqual([10, 5, 0]);
  });

  it('observes gold and enemies on their channels with a trail opposite to their direction', () => {
    const game = fresh();
    place(game, 1, 3, false, true);
    place(game, 6, 9, false, false);
    const o = observe(game);
    expect(o.player).toEqual(['5,5']);
    expect(o.gold).toEqual(['2,3']);
    expect(o.enemy).toEqual(['7,9']);
    expect(o.trail).toEqual(['2,4']); // the enemy at x 9 moving left would trail at x 10: off grid
  });
});
