import { describe, expect, it } from 'vitest';
import { SpaceInvaders } from '../envs/minatar/index';
import { ScriptedDraws, cellsOn } from './fixtures/minatar/scripted-draws';

const NOOP = 0, LEFT = 1, RIGHT = 3, FIRE = 5;
const C = 6;
const none = new ScriptedDraws(); // Space Invaders draws nothing

function observe(game: SpaceInvaders) {
  const obs = new Uint8Array(100 * C);
  game.writeObservation(obs);
  return {
    cannon: cellsOn(obs, C, 0),
    alien: cellsOn(obs, C, 1),
    left: cellsOn(obs, C, 2),
    right: cellsOn(obs, C, 3),
    friendly: cellsOn(obs, C, 4),
    enemy: cellsOn(obs, C, 5),
  };
}

function fresh(options = {}): SpaceInvaders {
  const game = new SpaceInvaders(options);
  game.reset(none);
  return game;
}

/** Replace the alien block with the given "row,col" cells. */
function setAliens(game: SpaceInvaders, cells: string[]): void {
  const map = new Uint8Array(100);
  for (const cell of cells) {
    const [y, x] = cell.split(',').map(Number);
    map[y * 10 + x] = 1;
  }
  game.setAliens(map);
}

describe('Space Invaders rules', () => {
  it('starts with the cannon at 5 and a 4×6 alien block marching left', () => {
    const o = observe(fresh());
    expect(o.cannon).toEqual(['9,5']);
    expect(o.alien).toHaveLength(24);
    expect(o.alien[0]).toBe('0,2');
    expect(o.alien[23]).toBe('3,7');
    expect(o.left).toEqual(o.alien);
    expect(o.right).toEqual([]);
  });

  it('fires at most every 6 steps (cooldown 5); bullets fly a row per step and kill the alien they meet', () => {
    const game = fresh();
    expect(game.step(FIRE, none)).toBe(0);
    expect(observe(game).friendly).toEqual(['8,5']);
    for (let t = 2; t <= 5; t++) game.step(FIRE, none); // cooling down: no new bullet, no move
    expect(observe(game).friendly).toEqual(['4,5']);
    expect(game.cannon).toBe(5);
    expect(game.step(FIRE, none)).toBe(1); // old bullet meets the alien at (3, 5); a new one leaves
    const o = observe(game);
    expect(o.friendly).toEqual(['8,5']);
    expect(o.alien).toHaveLength(23);
    expect(o.alien).not.toContain('3,5');
  });

  it('removes friendly bullets that leave the top', () => {
    const game = fresh();
    for (let i = 0; i < 5; i++) game.step(LEFT, none);
    expect(game.cannon).toBe(0);
    game.step(FIRE, none); // step 6: bullet at (8, 0)
    for (let t = 7; t <= 14; t++) game.step(NOOP, none);
    expect(observe(game).friendly).toEqual(['0,0']);
    game.step(NOOP, none);
    expect(observe(game).friendly).toEqual([]);
    expect(game.terminal).toBe(false);
  });

  it('marches on step 13, shoots from the nearest column on step 11, and that shot kills an idle cannon on step 17', () => {
    const game = fresh();
    for (let t = 1; t <= 10; t++) game.step(NOOP, none);
    expect(observe(game).enemy).toEqual([]);
    game.step(NOOP, none); // step 11: lowest alien of column 5 shoots
    expect(observe(game).enemy).toEqual(['3,5']);
    game.step(NOOP, none);
    game.step(NOOP, none); // step 13: the block moves left
    const o = observe(game);
    expect(o.alien[0]).toBe('0,1');
    expect(o.alien[23]).toBe('3,6');
    expect(o.enemy).toEqual(['5,5']);
    expect(game.alienMoveTimer).toBe(11); // reloaded to min(24, 12), then decremented
    for (let t = 14; t <= 16; t++) game.step(NOOP, none);
    expect(game.terminal).toBe(false);
    game.step(NOOP, none); // step 17: the bullet reaches (9, 5)
    expect(game.terminal).toBe(true);
  });

  it('aims at the nearest alien column, ties going to the smaller column', () => {
    const game = fresh();
    setAliens(game, ['0,3', '1,3', '2,7']);
    game.alienShotTimer = 0;
    game.step(NOOP, none);
    expect(observe(game).enemy).toEqual(['1,3']);
    expect(game.alienShotTimer).toBe(9);
    game.step(NOOP, none);
    expect(observe(game).enemy).toEqual(['2,3']);

    const other = fresh();
    setAliens(other, ['0,3', '1,6']);
    other.alienShotTimer = 0;
    other.step(NOOP, none); // column 6 is nearer to 5 than column 3
    expect(observe(other).enemy).toEqual(['1,6']);
  });

  it('reverses and descends at the edge, reloading the move timer to min(aliens, interval)', () => {
    const game = fresh();
    setAliens(game, ['2,0', '2,1', '4,3']);
    game.alienMoveTimer = 0;
    game.step(NOOP, none);
    const o = observe(game);
    expect(o.alien).toEqual(['3,0', '3,1', '5,3']);
    expect(o.right).toEqual(o.alien);
    expect(o.left).toEqual([]);
    expect(game.alienDirection).toBe(1);
    expect(game.alienMoveTimer).toBe(2); // min(3, 12) − 1
    for (let i = 0; i < 2; i++) game.step(NOOP, none);
    expect(observe(game).alien).toEqual(['3,0', '3,1', '5,3']);
    game.step(NOOP, none); // timer back at 0: one column right
    expect(observe(game).alien).toEqual(['3,1', '3,2', '5,4']);
  });

  it('ends the game when the aliens reach the cannon or must descend from row 9', () => {
    const landed = fresh();
    setAliens(landed, ['8,5']);
    landed.alienDirection = 1;
    landed.alienMoveTimer = 0;
    landed.cannon = 6;
    landed.step(NOOP, none); // moves right to (8, 6), above the cannon: still alive
    expect(observe(landed).alien).toEqual(['8,6']);
    expect(landed.terminal).toBe(false);
    setAliens(landed, ['9,6']);
    landed.step(NOOP, none); // an alien on the cannon's cell
    expect(landed.terminal).toBe(true);

    const bottom = fresh();
    setAliens(bottom, ['9,0', '5,4']);
    bottom.alienMoveTimer = 0;
    bottom.cannon = 8;
    bottom.step(NOOP, none);
    expect(bottom.terminal).toBe(true);
    // The descent rolls the map: the landed alien wraps round to row 0 in this final frame
    // (observed from the original as a black box).
    expect(observe(bottom).alien).toEqual(['0,0', '6,4']);
  });

  it('refills the block after the last alien dies, speeding the march up to an interval of 6 when ramping', () => {
    for (const [ramping, interval, expected] of [[true, 12, 11], [false, 12, 12], [true, 6, 6]] as const) {
      const game = fresh({ difficultyRamping: ramping });
      game.alienMoveInterval = interval;
      setAliens(game, ['3,5']);
      game.step(FIRE, none);
      for (let t = 2; t <= 5; t++) game.step(NOOP, none);
      expect(game.step(NOOP, none)).toBe(1);
      expect(game.alienCount).toBe(24);
      expect(observe(game).alien).toHaveLength(24);
      expect(game.alienMoveInterval).toBe(expected);
      expect(game.rampIndex).toBe(expected < interval ? 1 : 0);
    }
  });

  it('keeps the cannon within 0..9', () => {
    const game = fresh();
    for (let i = 0; i < 7; i++) game.step(RIGHT, none);
    expect(game.cannon).toBe(9);
  });
});
