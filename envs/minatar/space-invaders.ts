import { type DrawSource, type GameOptions, type MinAtarGame, FIRE, LEFT, RIGHT } from './draws';

const SHOT_COOLDOWN = 5;
const INITIAL_ALIEN_MOVE_INTERVAL = 12;
const MIN_ALIEN_MOVE_INTERVAL = 6;
const ENEMY_SHOT_INTERVAL = 10;

const CHANNELS = ['cannon', 'alien', 'alien_left', 'alien_right', 'friendly_bullet', 'enemy_bullet'] as const;
const C = CHANNELS.length;

/** Space Invaders: shoot the descending alien block before it shoots you or lands. */
export class SpaceInvaders implements MinAtarGame {
  readonly name = 'space_invaders';
  readonly channels = CHANNELS;
  readonly minimalActions = [0, 1, 3, 5] as const;
  terminal = false;

  cannon = 5;
  /** Row-major 10×10 maps, 1 = occupied. */
  readonly aliens = new Uint8Array(100);
  readonly friendlyBullets = new Uint8Array(100);
  readonly enemyBullets = new Uint8Array(100);
  alienCount = 0;
  friendlyCount = 0;
  /** −1 left, +1 right. */
  alienDirection = -1;
  alienMoveInterval = INITIAL_ALIEN_MOVE_INTERVAL;
  alienMoveTimer = INITIAL_ALIEN_MOVE_INTERVAL;
  alienShotTimer = ENEMY_SHOT_INTERVAL;
  rampIndex = 0;
  shotTimer = 0;
  private readonly ramping: boolean;

  constructor(options: GameOptions = {}) {
    this.ramping = options.difficultyRamping ?? true;
  }

  reset(_draws: DrawSource): void {
    this.cannon = 5;
    this.fillAliens();
    this.friendlyBullets.fill(0);
    this.friendlyCount = 0;
    this.enemyBullets.fill(0);
    this.alienDirection = -1;
    this.alienMoveInterval = INITIAL_ALIEN_MOVE_INTERVAL;
    this.alienMoveTimer = INITIAL_ALIEN_MOVE_INTERVAL;
    this.alienShotTimer = ENEMY_SHOT_INTERVAL;
    this.rampIndex = 0;
    this.shotTimer = 0;
    this.terminal = false;
  }

  /** Rows 0–3, columns 2–7. */
  private fillAliens(): void {
    const a = this.aliens;
    a.fill(0);
    for (let row = 0; row < 4; row++) a.fill(1, row * 10 + 2, row * 10 + 8);
    this.alienCount = 24;
  }

  private alienInColumn(column: number): boolean {
    const a = this.aliens;
    for (let i = column; i < 100; i += 10) if (a[i] === 1) return true;
    return false;
  }

  step(action: number, _draws: DrawSource): number {
    let reward = 0;
    const a = this.aliens;
    const fb = this.friendlyBullets;
    const eb = this.enemyBullets;

    if (action === FIRE && this.shotTimer === 0) {
      if (fb[90 + this.cannon] === 0) this.friendlyCount++;
      fb[90 + this.cannon] = 1;
      this.shotTimer = SHOT_COOLDOWN;
    } else if (action === LEFT) {
      this.cannon = Math.max(0, this.cannon - 1);
    } else if (action === RIGHT) {
      this.cannon = Math.min(9, this.cannon + 1);
    }

    // Bullets advance one row; those leaving the grid vanish.
    if (this.friendlyCount > 0) {
      for (let i = 0; i < 10; i++) this.friendlyCount -= fb[i];
      fb.copyWithin(0, 10, 100);
      fb.fill(0, 90, 100);
    }
    eb.copyWithin(10, 0, 90);
    eb.fill(0, 0, 10);

    const cannonCell = 90 + this.cannon;
    if (eb[cannonCell] === 1 || a[cannonCell] === 1) this.terminal = true;

    if (this.alienMoveTimer === 0) {
      this.alienMoveTimer = Math.min(this.alienCount, this.alienMoveInterval);
      const dir = this.alienDirection;
      if ((dir < 0 && this.alienInColumn(0)) || (dir > 0 && this.alienInColumn(9))) {
        this.alienDirection = -dir;
        for (let i = 90; i < 100; i++) {
          if (a[i] === 1) {
            this.terminal = true;
            this.alienCount--; // shifted off the bottom below
          }
        }
        a.copyWithin(10, 0, 90);
        a.fill(0, 0, 10);
      } else if (dir < 0) {
        // No alien in column 0, so shifting the flat map never wraps a row.
        a.copyWithin(0, 1, 100);
        a[99] = 0;
      } else {
        a.copyWithin(1, 0, 99);
        a[0] = 0;
      }
      if (a[cannonCell] === 1) this.terminal = true;
    }

    if (this.alienShotTimer === 0) {
      this.alienShotTimer = ENEMY_SHOT_INTERVAL;
      const column = this.nearestAlienColumn();
      if (column >= 0) {
        for (let row = 9; row >= 0; row--) {
          if (a[row * 10 + column] === 1) {
            eb[row * 10 + column] = 1;
            break;
          }
        }
      }
    }

    if (this.friendlyCount > 0) {
      for (let i = 0; i < 100; i++) {
        if (fb[i] === 1 && a[i] === 1) {
          fb[i] = 0;
          a[i] = 0;
          this.friendlyCount--;
          this.alienCount--;
          reward++;
        }
      }
    }

    if (this.shotTimer > 0) this.shotTimer--;
    this.alienMoveTimer--;
    this.alienShotTimer--;

    if (this.alienCount === 0) {
      if (this.ramping && this.alienMoveInterval > MIN_ALIEN_MOVE_INTERVAL) {
        this.alienMoveInterval--;
        this.rampIndex++;
      }
      this.fillAliens();
    }
    return reward;
  }

  /** The column holding aliens that is nearest the cannon, ties to the smaller column; −1 if none. */
  private nearestAlienColumn(): number {
    const c = this.cannon;
    for (let distance = 0; distance < 10; distance++) {
      if (c - distance >= 0 && this.alienInColumn(c - distance)) return c - distance;
      if (c + distance <= 9 && this.alienInColumn(c + distance)) return c + distance;
    }
    return -1;
  }

  writeObservation(out: Uint8Array): void {
    out.fill(0);
    out[(90 + this.cannon) * C] = 1;
    const a = this.aliens;
    const fb = this.friendlyBullets;
    const eb = this.enemyBullets;
    const side = this.alienDirection < 0 ? 2 : 3;
    for (let i = 0; i < 100; i++) {
      const o = i * C;
      if (a[i] === 1) {
        out[o + 1] = 1;
        out[o + side] = 1;
      }
      if (fb[i] === 1) out[o + 4] = 1;
      if (eb[i] === 1) out[o + 5] = 1;
    }
  }
}
