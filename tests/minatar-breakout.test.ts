import { describe, expect, it } from 'vitest';
import { Breakout } from '../envs/minatar/index';
import { ScriptedDraws, cellsOn } from './fixtures/minatar/scripted-draws';

const NOOP = 0, LEFT = 1, RIGHT = 3;
const C = 4;

function observe(game: Breakout) {
  const obs = new Uint8Array(100 * C);
  game.writeObservation(obs);
  return { paddle: cellsOn(obs, C, 0), ball: cellsOn(obs, C, 1), trail: cellsOn(obs, C, 2), bricks: cellsOn(obs, C, 3) };
}

/** A game reset onto the left start (x 0, heading down-right) or the right one (x 9, down-left). */
function start(side: 0 | 1): Breakout {
  const game = new Breakout();
  const draws = new ScriptedDraws([{ integer: side, lo: 0, hi: 2 }]);
  game.reset(draws);
  expect(draws.remaining).toBe(0);
  return game;
}

const none = new ScriptedDraws(); // Breakout draws nothing while stepping

describe('Breakout rules', () => {
  it('resets from one random bit onto either corner of row 3, with full bricks and the paddle at 4', () => {
    const left = start(0);
    expect([left.ballX, left.ballY, left.direction]).toEqual([0, 3, 2]);
    const o = observe(left);
    expect(o.ball).toEqual(['3,0']);
    expect(o.trail).toEqual(['3,0']);
    expect(o.paddle).toEqual(['9,4']);
    expect(o.bricks).toHaveLength(30);
    expect(o.bricks[0]).toBe('1,0');
    expect(o.bricks[29]).toBe('3,9');
    const right = start(1);
    expect([right.ballX, right.ballY, right.direction]).toEqual([9, 3, 3]);
  });

  it('ends the game when the ball passes the paddle, on the step it reaches row 9', () => {
    const game = start(0);
    for (let t = 1; t <= 5; t++) {
      expect(game.step(NOOP, none)).toBe(0);
      expect(game.terminal).toBe(false);
      expect([game.ballX, game.ballY]).toEqual([t, 3 + t]);
    }
    game.step(NOOP, none);
    expect(game.terminal).toBe(true);
    expect([game.ballX, game.ballY]).toEqual([6, 9]);
    expect(observe(game).trail).toEqual(['8,5']);
  });

  it('bounces straight up off the paddle when the ball was above it', () => {
    const game = start(0);
    game.step(RIGHT, none); // paddle 5
    for (let t = 2; t <= 5; t++) game.step(NOOP, none);
    expect([game.ballX, game.ballY, game.paddle]).toEqual([5, 8, 5]);
    game.step(NOOP, none);
    expect(game.terminal).toBe(false);
    // Mirrored vertically (down-right → up-right) and kept on row 8; x advanced.
    expect([game.ballX, game.ballY, game.direction]).toEqual([6, 8, 1]);
    game.step(NOOP, none);
    expect([game.ballX, game.ballY]).toEqual([7, 7]);
  });

  it('sends the ball back the way it came when it meets the paddle side-on', () => {
    const game = start(0);
    game.step(RIGHT, none);
    game.step(RIGHT, none); // paddle 6
    for (let t = 3; t <= 5; t++) game.step(NOOP, none);
    expect([game.ballX, game.ballY]).toEqual([5, 8]);
    game.step(NOOP, none); // nx 6 == paddle, ball x 5 != paddle
    expect(game.terminal).toBe(false);
    expect([game.ballX, game.ballY, game.direction]).toEqual([6, 8, 0]); // reversed to up-left
    game.step(NOOP, none);
    expect([game.ballX, game.ballY]).toEqual([5, 7]);
  });

  it('clamps and mirrors at the side wall, then strikes a brick for +1 and bounces back down', () => {
    const game = start(0);
    game.step(RIGHT, none);
    for (let t = 2; t <= 6; t++) game.step(NOOP, none); // paddle bounce at step 6 → (6, 8) up-right
    game.step(NOOP, none); // (7, 7)
    game.step(NOOP, none); // (8, 6)
    game.step(NOOP, none); // (9, 5)
    game.step(NOOP, none); // nx 10 → 9, mirrored to up-left; y 4
    expect([game.ballX, game.ballY, game.direction]).toEqual([9, 4, 0]);
    const reward = game.step(NOOP, none); // proposed (8, 3) holds a brick
    expect(reward).toBe(1);
    expect(game.strike).toBe(true);
    expect(game.bricks[3 * 10 + 8]).toBe(0);
    expect([game.ballX, game.ballY, game.direction]).toEqual([8, 4, 3]); // row kept, now down-left
    expect(observe(game).bricks).toHaveLength(29);
    game.step(NOOP, none);
    expect(game.strike).toBe(false);
    expect([game.ballX, game.ballY]).toEqual([7, 5]);
  });

  it('does not score a second brick while the strike flag is set, and the ball enters the brick', () => {
    const game = start(0);
    Object.assign(game, { ballX: 5, ballY: 4, direction: 0, strike: true });
    expect(game.step(NOOP, none)).toBe(0);
    expect([game.ballX, game.ballY, game.direction]).toEqual([4, 3, 0]);
    expect(game.bricks[3 * 10 + 4]).toBe(1); // not removed
    expect(game.strike).toBe(true); // still a strike step
    expect(game.step(NOOP, none)).toBe(0); // (3, 2): another brick, still flagged
    expect(game.step(NOOP, none)).toBe(0); // (2, 1)
    game.step(NOOP, none); // (1, 0): no brick in row 0, flag clears
    expect(game.strike).toBe(false);
    expect([game.ballX, game.ballY]).toEqual([1, 0]);
    game.step(NOOP, none); // ceiling: y −1 → 0, mirrored to down-left
    expect([game.ballX, game.ballY, game.direction]).toEqual([0, 0, 3]);
    // Wall at x −1 → 0 (down-right), then the brick at (1, 0): +1, y kept at 0, now up-right.
    expect(game.step(NOOP, none)).toBe(1);
    expect([game.ballX, game.ballY, game.direction]).toEqual([0, 0, 1]);
  });

  it('refills the bricks when the ball reaches row 9 with none left', () => {
    const game = start(0);
    game.bricks.fill(0);
    game.brickCount = 0;
    Object.assign(game, { ballX: 3, ballY: 8, direction: 2, paddle: 3 });
    game.step(NOOP, none);
    expect(game.terminal).toBe(false);
    expect(observe(game).bricks).toHaveLength(30);
    expect([game.ballX, game.ballY, game.direction]).toEqual([4, 8, 1]);
  });

  it('keeps the paddle within 0..9', () => {
    const game = start(1);
    for (let i = 0; i < 5; i++) game.step(LEFT, none);
    expect(game.paddle).toBe(0);
  });
});
