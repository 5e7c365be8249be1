import { type DrawSource, type GameOptions, type MinAtarGame, FIRE, LEFT, RIGHT } from './draws';

const SHOT_COOLDOWN = 5;
const INITIAL_ALIEN_MOVE_INTERVAL = 12;
const MIN_ALIEN_MOVE_INTERVAL = 6;
const ENEMY_SHOT_INTERVAL = 10;
/** More bullets than the cooldowns allow on a 10-row grid (at most two of either kind). */
const BULLET_CAPACITY = 16;

const CHANNELS = ['cannon', 'alien', 'alien_left', 'alien_right', 'friendly_bullet', 'enemy_bullet'] as const;
const C = CHANNELS.length;

/**
 * Bullets as a small unordered list of cells (y·10 + x). The rules treat bullets as 10×10 maps;
 * a list is equivalent because two bullets of one kind can never share a cell (a cannon fires at
 * most every 6 steps from row 9; aliens shoot every 10 steps), and it lets a step touch only the
 * few live bullets instead of the whole map.
 */
class Bullets {
  readonly cells = new Int16Array(BULLET_CAPACITY);
  length = 0;
  add(cell: number): void {
    this.cells[this.length++] = cell;
  }
  removeAt(i: number): void {
    this.cells[i] = this.cells[--this.length];
  }
  has(cell: number): boolean {
    for (let i = 0; i < this.length; i++) if (this.cells[i] === cell) return true;
    return false;
  }
  /** Move every bullet by `delta` cells (±10 = one row), dropping those that leave rows 0..9. */
  shift(delta: number): void {
    for (let i = this.length - 1; i >= 0; i--) {
      const cell = this.cells[i] + delta;
      if (cell < 0 || cell > 99) this.removeAt(i);
      else this.cells[i] = cell;
    }
  }
}

/** Space Invaders: shoot the descending alien block before it shoots you or lands. */
export class SpaceInvaders implements MinAtarGame {
  readonly name = 'space_invaders';
  readonly channels = CHANNELS;
  readonly minimalActions = [0, 1, 3, 5] as const;
  terminal = false;

  cannon = 5;
  /** Row-major 10×10 map, 1 = alien. */
  readonly aliens = new Uint8Array(100);
  /** Rows that may hold aliens (a superset): only these are scanned. */
  private alienTop = 0;
  private alienBottom = 3;
  private readonly bottomRow = new Uint8Array(10);
  readonly friendlyBullets = new Bullets();
  readonly enemyBullets = new Bullets();
  alienCount = 0;
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
    this.friendlyBullets.length = 0;
    this.enemyBullets.length = 0;
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
    this.alienTop = 0;
    this.alienBottom = 3;
  }

  /** Replace the aliens with an arbitrary map (tests and tools); rows are rescanned. */
  setAliens(map: ArrayLike<number>): void {
    let count = 0;
    for (let i = 0; i < 100; i++) count += this.aliens[i] = map[i] ? 1 : 0;
    this.alienCount = count;
    this.alienTop = 0;
    this.alienBottom = 9;
  }

  private alienInColumn(column: number): boolean {
    const a = this.aliens;
    for (let row = this.alienTop; row <= this.alienBottom; row++) if (a[row * 10 + column] === 1) return true;
    return false;
  }

  step(action: number, _draws: DrawSource): number {
    let reward = 0;
    const a = this.aliens;
    const friendly = this.friendlyBullets;
    const enemy = this.enemyBullets;

    if (action === FIRE && this.shotTimer === 0) {
      friendly.add(90 + this.cannon);
      this.shotTimer = SHOT_COOLDOWN;
    } else if (action === LEFT) {
      this.cannon = Math.max(0, this.cannon - 1);
    } else if (action === RIGHT) {
      this.cannon = Math.min(9, this.cannon + 1);
    }

    // Bullets advance one row; those leaving the grid vanish.
    friendly.shift(-10);
    enemy.shift(10);

    const cannonCell = 90 + this.cannon;
    if (enemy.has(cannonCell) || a[cannonCell] === 1) this.terminal = true;

    if (this.alienMoveTimer === 0) {
      this.alienMoveTimer = Math.min(this.alienCount, this.alienMoveInterval);
      const dir = this.alienDirection;
      if ((dir < 0 && this.alienInColumn(0)) || (dir > 0 && this.alienInColumn(9))) {
        this.alienDirection = -dir;
        let landed = false;
        for (let i = 90; i < 100; i++) if (a[i] === 1) landed = true;
        if (landed) {
          // Game over. The original's descent is a roll: the bottom row wraps round to row 0,
          // which only shows in this final observation.
          this.terminal = true;
          this.bottomRow.set(a.subarray(90, 100));
          a.copyWithin(10, 0, 90);
          a.set(this.bottomRow, 0);
          this.alienTop = 0;
          this.alienBottom = 9;
        } else {
          a.copyWithin(10, 0, 90);
          a.fill(0, 0, 10);
          this.alienTop = Math.min(9, this.alienTop + 1);
          this.alienBottom = Math.min(9, this.alienBottom + 1);
        }
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
        for (let row = this.alienBottom; row >= this.alienTop; row--) {
          if (a[row * 10 + column] === 1) {
            enemy.add(row * 10 + column);
            break;
          }
        }
      }
    }

    for (let i = friendly.length - 1; i >= 0; i--) {
      const cell = friendly.cells[i];
      if (a[cell] === 1) {
        a[cell] = 0;
        friendly.removeAt(i);
        this.alienCount--;
        reward++;
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
    const side = this.alienDirection < 0 ? 2 : 3;
    const end = this.alienBottom * 10 + 10;
    for (let i = this.alienTop * 10; i < end; i++) {
      if (a[i] === 1) {
        out[i * C + 1] = 1;
        out[i * C + side] = 1;
      }
    }
    const friendly = this.friendlyBullets;
    for (let i = 0; i < friendly.length; i++) out[friendly.cells[i] * C + 4] = 1;
    const enemy = this.enemyBullets;
    for (let i = 0; i < enemy.length; i++) out[enemy.cells[i] * C + 5] = 1;
  }
}
