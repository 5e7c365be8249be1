import { type DrawSource, type GameOptions, type MinAtarGame, LEFT, RIGHT } from './draws';

// Directions: 0 up-left, 1 up-right, 2 down-right, 3 down-left.
const DX = [-1, 1, 1, -1] as const;
const DY = [-1, -1, 1, 1] as const;
const MIRROR_H = [1, 0, 3, 2] as const; // bounce off a side wall
const MIRROR_V = [3, 2, 1, 0] as const; // bounce off the ceiling, a brick or the paddle
const REVERSE = [2, 3, 0, 1] as const; // hit by the paddle's side: straight back

const CHANNELS = ['paddle', 'ball', 'trail', 'brick'] as const;
const C = CHANNELS.length;

/** Breakout: bounce the ball off the paddle to clear three rows of bricks. */
export class Breakout implements MinAtarGame {
  readonly name = 'breakout';
  readonly channels = CHANNELS;
  readonly minimalActions = [0, 1, 3] as const;
  terminal = false;

  paddle = 4;
  ballX = 0;
  ballY = 3;
  lastX = 0;
  lastY = 3;
  direction = 2;
  /** Brick map, row-major 10×10, 1 = brick. */
  readonly bricks = new Uint8Array(100);
  brickCount = 0;
  strike = false;

  // Ramping has no effect in Breakout; the option is accepted for a uniform API.
  constructor(_options: GameOptions = {}) {}

  reset(draws: DrawSource): void {
    this.ballY = 3;
    if (draws.integer(0, 2) === 0) {
      this.ballX = 0;
      this.direction = 2;
    } else {
      this.ballX = 9;
      this.direction = 3;
    }
    this.paddle = 4;
    this.fillBricks();
    this.strike = false;
    this.lastX = this.ballX;
    this.lastY = this.ballY;
    this.terminal = false;
  }

  private fillBricks(): void {
    this.bricks.fill(0);
    this.bricks.fill(1, 10, 40);
    this.brickCount = 30;
  }

  step(action: number, _draws: DrawSource): number {
    let reward = 0;
    if (action === LEFT) this.paddle = Math.max(0, this.paddle - 1);
    else if (action === RIGHT) this.paddle = Math.min(9, this.paddle + 1);

    this.lastX = this.ballX;
    this.lastY = this.ballY;
    let d = this.direction;
    let nx = this.ballX + DX[d];
    let ny = this.ballY + DY[d];
    if (nx < 0 || nx > 9) {
      nx = nx < 0 ? 0 : 9;
      d = MIRROR_H[d];
    }
    let strikeStep = false;
    if (ny < 0) {
      ny = 0;
      d = MIRROR_V[d];
    } else if (this.bricks[ny * 10 + nx] === 1) {
      strikeStep = true;
      if (!this.strike) {
        reward = 1;
        this.strike = true;
        this.bricks[ny * 10 + nx] = 0;
        this.brickCount--;
        ny = this.lastY;
        d = MIRROR_V[d];
      }
    } else if (ny === 9) {
      if (this.brickCount === 0) this.fillBricks();
      if (this.ballX === this.paddle) {
        d = MIRROR_V[d];
        ny = this.lastY;
      } else if (nx === this.paddle) {
        d = REVERSE[d];
        ny = this.lastY;
      } else {
        this.terminal = true;
      }
    }
    if (!strikeStep) this.strike = false;
    this.direction = d;
    this.ballX = nx;
    this.ballY = ny;
    return reward;
  }

  writeObservation(out: Uint8Array): void {
    out.fill(0);
    out[(90 + this.paddle) * C] = 1;
    out[(this.ballY * 10 + this.ballX) * C + 1] = 1;
    out[(this.lastY * 10 + this.lastX) * C + 2] = 1;
    const bricks = this.bricks;
    for (let i = 10; i < 40; i++) if (bricks[i] === 1) out[i * C + 3] = 1;
  }
}
