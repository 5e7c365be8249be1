import { describe, expect, it } from 'vitest';
import { Freeway } from '../envs/minatar/index';
import { AnsweringDraws, type ScriptedDraw, ScriptedDraws, cellsOn } from './fixtures/minatar/scripted-draws';

const NOOP = 0, UP = 2, DOWN = 4;
const C = 7;

/** Eight speeds (integers in 1..5, drawn first), then eight direction uniforms. */
function carDraws(speeds: number[], directions: number[]): ScriptedDraw[] {
  return [
    ...speeds.map((integer) => ({ integer, lo: 1, hi: 6 })),
    ...directions.map((d) => ({ random: d > 0 ? 0.75 : 0.25 })),
  ];
}

const SPEEDS = [1, 2, 3, 4, 5, 1, 2, 3];
const DIRECTIONS = [1, -1, 1, -1, 1, -1, 1, -1];

function fresh(): Freeway {
  const game = new Freeway();
  const draws = new ScriptedDraws(carDraws(SPEEDS, DIRECTIONS));
  game.reset(draws);
  expect(draws.remaining).toBe(0);
  return game;
}

const none = new ScriptedDraws();

describe('Freeway rules', () => {
  it('resets cars at x 0 with speeds and directions from 8 integer then 8 uniform draws, observed with trails', () => {
    const game = fresh();
    expect([...game.carVelocity]).toEqual([1, -2, 3, -4, 5, -1, 2, -3]);
    expect([...game.carTimer]).toEqual([1, 2, 3, 4, 5, 1, 2, 3]);
    const obs = new Uint8Array(100 * C);
    game.writeObservation(obs);
    expect(cellsOn(obs, C, 0)).toEqual(['9,4']);
    expect(cellsOn(obs, C, 1)).toEqual(['1,0', '2,0', '3,0', '4,0', '5,0', '6,0', '7,0', '8,0']);
    // Trails one cell behind, wrapping: right-movers trail at x 9, left-movers at x 1.
    expect(cellsOn(obs, C, 2)).toEqual(['1,9', '6,1']); // speed 1
    expect(cellsOn(obs, C, 3)).toEqual(['2,1', '7,9']); // speed 2
    expect(cellsOn(obs, C, 4)).toEqual(['3,9', '8,1']); // speed 3
    expect(cellsOn(obs, C, 5)).toEqual(['4,1']);
    expect(cellsOn(obs, C, 6)).toEqual(['5,9']);
  });

  it('moves a car one column every |v| + 1 steps, wrapping 0 ↔ 9', () => {
    const game = fresh();
    game.step(NOOP, none);
    expect([...game.carX]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    game.step(NOOP, none); // speed-1 cars move now
    expect([...game.carX]).toEqual([1, 0, 0, 0, 0, 9, 0, 0]);
    game.step(NOOP, none); // speed-2 cars
    expect([...game.carX]).toEqual([1, 9, 0, 0, 0, 9, 1, 0]);
    game.step(NOOP, none); // speed 1 again, speed 3
    expect([...game.carX]).toEqual([2, 9, 1, 0, 0, 8, 1, 9]);
  });

  it('moves the chicken only when its cooldown of 3 has run out', () => {
    const game = fresh();
    game.step(UP, none);
    game.step(UP, none);
    game.step(UP, none);
    expect(game.chicken).toBe(9);
    game.step(UP, none); // step 4: timer 0 → moves, cooldown 3 again
    expect(game.chicken).toBe(8);
    game.step(UP, none);
    expect(game.chicken).toBe(8);
    game.step(DOWN, none); // step 6: cooldown reaches 0 only at the end of this step
    expect(game.chicken).toBe(8);
    game.step(DOWN, none);
    expect(game.chicken).toBe(9);
  });

  it('scores +1 on reaching row 0, redraws speeds and directions keeping positions, and restarts at row 9', () => {
    const game = fresh();
    game.carX.set([3, 5, 7, 9, 2, 6, 8, 1]);
    game.chicken = 1;
    game.moveTimer = 0;
    const draws = new ScriptedDraws(carDraws([5, 5, 5, 5, 5, 5, 5, 5], [-1, -1, -1, -1, 1, 1, 1, 1]));
    expect(game.step(UP, draws)).toBe(1);
    expect(draws.remaining).toBe(0);
    expect(game.chicken).toBe(9);
    expect([...game.carX]).toEqual([3, 5, 7, 9, 2, 6, 8, 1]); // timers were reloaded to 5: no move this step
    expect([...game.carVelocity]).toEqual([-5, -5, -5, -5, 5, 5, 5, 5]);
    expect([...game.carTimer]).toEqual([4, 4, 4, 4, 4, 4, 4, 4]);
  });

  it('sends the chicken back to row 9 when a car is on its cell or drives onto it', () => {
    const game = fresh();
    game.chicken = 3; // lane of car 2
    game.carX[2] = 4;
    game.step(NOOP, none);
    expect(game.chicken).toBe(9);

    game.chicken = 1; // lane of car 0 (v +1)
    game.carX[0] = 3;
    game.carTimer[0] = 0;
    game.step(NOOP, none);
    expect(game.carX[0]).toBe(4);
    expect(game.chicken).toBe(9);
  });

  it('terminates on step 2,501 and not before', () => {
    const game = fresh();
    const draws = new AnsweringDraws(() => 0.75, () => 1);
    for (let t = 1; t <= 2500; t++) {
      game.step(t % 2 ? UP : NOOP, draws);
      expect(game.terminal).toBe(false);
    }
    game.step(NOOP, draws);
    expect(game.terminal).toBe(true);
  });
});
