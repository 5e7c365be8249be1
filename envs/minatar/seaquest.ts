import { type DrawSource, type GameOptions, type MinAtarGame, DOWN, FIRE, LEFT, RIGHT, UP } from './draws';
import { EntityList } from './entity-list';

const MAX_OXYGEN = 200;
const INITIAL_ENEMY_SPAWN_INTERVAL = 20;
const DIVER_SPAWN_INTERVAL = 30;
const INITIAL_MOVE_INTERVAL = 5;
const SHOT_COOLDOWN = 5;
const ENEMY_SHOT_INTERVAL = 10;
const DIVER_MOVE_INTERVAL = 5;
const FULL_CREW = 6;

const CHANNELS = [
  'sub_front',
  'sub_back',
  'friendly_bullet',
  'trail',
  'enemy_bullet',
  'enemy_fish',
  'enemy_sub',
  'oxygen_gauge',
  'diver_gauge',
  'diver',
] as const;
const C = CHANNELS.length;

/** Seaquest: shoot fish and subs, rescue divers, and surface with them before the oxygen runs out. */
export class Seaquest implements MinAtarGame {
  readonly name = 'seaquest';
  readonly channels = CHANNELS;
  readonly minimalActions = [0, 1, 2, 3, 4, 5] as const;
  terminal = false;

  subX = 5;
  subY = 0;
  facingRight = false;
  oxygen = MAX_OXYGEN;
  /** Divers aboard; the original's surfacing rule can take it below zero (see step()). */
  diverCount = 0;
  readonly friendlyBullets = new EntityList();
  readonly enemyBullets = new EntityList();
  readonly fish = new EntityList();
  readonly subs = new EntityList();
  readonly divers = new EntityList();
  enemySpawnInterval = INITIAL_ENEMY_SPAWN_INTERVAL;
  enemySpawnTimer = INITIAL_ENEMY_SPAWN_INTERVAL;
  diverSpawnTimer = DIVER_SPAWN_INTERVAL;
  moveInterval = INITIAL_MOVE_INTERVAL;
  rampIndex = 0;
  shotTimer = 0;
  surfaced = true;
  private readonly ramping: boolean;
  /** Column of the enemy last handled by advanceEnemy (after its move, even if removed). */
  private lastEnemyX = 0;

  constructor(options: GameOptions = {}) {
    this.ramping = options.difficultyRamping ?? true;
  }

  reset(_draws: DrawSource): void {
    this.subX = 5;
    this.subY = 0;
    this.facingRight = false;
    this.oxygen = MAX_OXYGEN;
    this.diverCount = 0;
    this.friendlyBullets.clear();
    this.enemyBullets.clear();
    this.fish.clear();
    this.subs.clear();
    this.divers.clear();
    this.enemySpawnInterval = INITIAL_ENEMY_SPAWN_INTERVAL;
    this.enemySpawnTimer = INITIAL_ENEMY_SPAWN_INTERVAL;
    this.diverSpawnTimer = DIVER_SPAWN_INTERVAL;
    this.moveInterval = INITIAL_MOVE_INTERVAL;
    this.rampIndex = 0;
    this.shotTimer = 0;
    this.surfaced = true;
    this.terminal = false;
  }

  private spawnEnemy(draws: DrawSource): void {
    const right = draws.random() < 0.5;
    const isSub = draws.random() < 1 / 3;
    const y = draws.integer(1, 9);
    // No spawn into a lane where an enemy already moves the other way.
    if (movesOtherWay(this.subs, y, right) || movesOtherWay(this.fish, y, right)) return;
    if (isSub) this.subs.push(right ? 0 : 9, y, right, this.moveInterval, ENEMY_SHOT_INTERVAL);
    else this.fish.push(right ? 0 : 9, y, right, this.moveInterval);
  }

  private spawnDiver(draws: DrawSource): void {
    const right = draws.random() < 0.5;
    const y = draws.integer(1, 9);
    this.divers.push(right ? 0 : 9, y, right, DIVER_MOVE_INTERVAL);
  }

  private onSub(x: number, y: number): boolean {
    return x === this.subX && y === this.subY;
  }

  step(action: number, draws: DrawSource): number {
    let reward = 0;
    // 1. Spawns.
    if (this.enemySpawnTimer === 0) {
      this.spawnEnemy(draws);
      this.enemySpawnTimer = this.enemySpawnInterval;
    }
    if (this.diverSpawnTimer === 0) {
      this.spawnDiver(draws);
      this.diverSpawnTimer = DIVER_SPAWN_INTERVAL;
    }

    // 2. The player's sub.
    if (action === FIRE && this.shotTimer === 0) {
      this.friendlyBullets.push(this.subX, this.subY, this.facingRight);
      this.shotTimer = SHOT_COOLDOWN;
    } else if (action === LEFT) {
      this.subX = Math.max(0, this.subX - 1);
      this.facingRight = false;
    } else if (action === RIGHT) {
      this.subX = Math.min(9, this.subX + 1);
      this.facingRight = true;
    } else if (action === UP) {
      this.subY = Math.max(0, this.subY - 1);
    } else if (action === DOWN) {
      this.subY = Math.min(8, this.subY + 1);
    }

    // 3. Friendly bullets (every list is processed from its last element to its first).
    const bullets = this.friendlyBullets;
    for (let i = bullets.length - 1; i >= 0; i--) {
      const x = bullets.x[i] + (bullets.right[i] === 1 ? 1 : -1);
      if (x < 0 || x > 9) {
        bullets.removeAt(i);
        continue;
      }
      bullets.x[i] = x;
      const y = bullets.y[i];
      let hit = this.fish.indexAt(x, y);
      if (hit >= 0) {
        this.fish.removeAt(hit);
      } else {
        hit = this.subs.indexAt(x, y);
        if (hit >= 0) this.subs.removeAt(hit);
      }
      if (hit >= 0) {
        bullets.removeAt(i);
        reward++;
      }
    }

    // 4. Divers.
    const divers = this.divers;
    for (let i = divers.length - 1; i >= 0; i--) {
      if (this.onSub(divers.x[i], divers.y[i]) && this.diverCount < FULL_CREW) {
        divers.removeAt(i);
        this.diverCount++;
      } else if (divers.moveTimer[i] === 0) {
        divers.moveTimer[i] = DIVER_MOVE_INTERVAL;
        const x = divers.x[i] + (divers.right[i] === 1 ? 1 : -1);
        if (x < 0 || x > 9) {
          divers.removeAt(i);
        } else {
          divers.x[i] = x;
          if (this.onSub(x, divers.y[i]) && this.diverCount < FULL_CREW) {
            divers.removeAt(i);
            this.diverCount++;
          }
        }
      } else {
        divers.moveTimer[i]--;
      }
    }

    // 5. Enemy subs, which shoot on their own timer even in the step they are removed.
    const subs = this.subs;
    for (let i = subs.length - 1; i >= 0; i--) {
      const y = subs.y[i];
      const right = subs.right[i] === 1;
      const shotTimer = subs.shotTimer[i];
      const outcome = this.advanceEnemy(subs, i);
      if (outcome === REMOVED_BY_BULLET) reward++;
      const x = this.lastEnemyX;
      if (shotTimer === 0) {
        if (outcome === STAYS) subs.shotTimer[i] = ENEMY_SHOT_INTERVAL;
        this.enemyBullets.push(x, y, right);
      } else if (outcome === STAYS) {
        subs.shotTimer[i] = shotTimer - 1;
      }
    }

    // 6. Enemy bullets.
    const shots = this.enemyBullets;
    for (let i = shots.length - 1; i >= 0; i--) {
      if (this.onSub(shots.x[i], shots.y[i])) this.terminal = true;
      const x = shots.x[i] + (shots.right[i] === 1 ? 1 : -1);
      if (x < 0 || x > 9) {
        shots.removeAt(i);
        continue;
      }
      shots.x[i] = x;
      if (this.onSub(x, shots.y[i])) this.terminal = true;
    }

    // 7. Fish: like enemy subs, without shooting.
    const fish = this.fish;
    for (let i = fish.length - 1; i >= 0; i--) {
      if (this.advanceEnemy(fish, i) === REMOVED_BY_BULLET) reward++;
    }

    // 8. Timers.
    if (this.enemySpawnTimer > 0) this.enemySpawnTimer--;
    if (this.diverSpawnTimer > 0) this.diverSpawnTimer--;
    if (this.shotTimer > 0) this.shotTimer--;

    // 9–10. Oxygen and surfacing.
    if (this.oxygen <= 0) this.terminal = true;
    if (this.subY > 0) {
      this.oxygen--;
      this.surfaced = false;
    } else if (!this.surfaced) {
      if (this.diverCount === 0) {
        this.terminal = true;
      } else {
        this.surfaced = true;
        if (this.diverCount === FULL_CREW) {
          this.diverCount = 0;
          reward += Math.floor((this.oxygen * 10) / MAX_OXYGEN);
        }
        this.oxygen = MAX_OXYGEN;
        // The original decrements in both cases, so a full crew leaves the count at −1.
        this.diverCount--;
        if (this.ramping && (this.enemySpawnInterval > 1 || this.moveInterval > 2)) {
          if (this.moveInterval > 2 && this.rampIndex % 2 === 1) this.moveInterval--;
          if (this.enemySpawnInterval > 1) this.enemySpawnInterval--;
          this.rampIndex++;
        }
      }
    }
    return reward;
  }

  /**
   * Steps 5 and 7 for one fish or enemy sub: touching the player ends the game; on its move
   * timer it moves a column, then leaves the grid, rams the player, or is shot by a friendly
   * bullet (first in list order).
   */
  private advanceEnemy(list: EntityList, i: number): number {
    let x = list.x[i];
    const y = list.y[i];
    if (this.onSub(x, y)) this.terminal = true;
    let outcome = STAYS;
    if (list.moveTimer[i] === 0) {
      list.moveTimer[i] = this.moveInterval;
      x += list.right[i] === 1 ? 1 : -1;
      if (x < 0 || x > 9) {
        list.removeAt(i);
        outcome = REMOVED_OFF_GRID;
      } else {
        list.x[i] = x;
        if (this.onSub(x, y)) {
          this.terminal = true;
        } else {
          const hit = this.friendlyBullets.indexAt(x, y);
          if (hit >= 0) {
            this.friendlyBullets.removeAt(hit);
            list.removeAt(i);
            outcome = REMOVED_BY_BULLET;
          }
        }
      }
    } else {
      list.moveTimer[i]--;
    }
    this.lastEnemyX = x;
    return outcome;
  }

  writeObservation(out: Uint8Array): void {
    out.fill(0);
    const x = this.subX;
    const y = this.subY;
    out[(y * 10 + x) * C] = 1;
    const back = this.facingRight ? x - 1 : x + 1;
    if (back >= 0 && back <= 9) out[(y * 10 + back) * C + 1] = 1;
    writeEntities(out, this.friendlyBullets, 2, false);
    writeEntities(out, this.enemyBullets, 4, false);
    writeEntities(out, this.fish, 5, true);
    writeEntities(out, this.subs, 6, true);
    writeEntities(out, this.divers, 9, true);
    const oxygenCells = Math.floor((Math.max(0, this.oxygen) * 10) / MAX_OXYGEN);
    for (let col = 0; col < oxygenCells; col++) out[(90 + col) * C + 7] = 1;
    for (let col = Math.max(0, 9 - this.diverCount); col <= 8; col++) out[(90 + col) * C + 8] = 1;
  }
}

const STAYS = 0;
const REMOVED_OFF_GRID = 1;
const REMOVED_BY_BULLET = 2;

const TRAIL = 3;

function movesOtherWay(list: EntityList, y: number, right: boolean): boolean {
  const r = right ? 1 : 0;
  for (let i = 0; i < list.length; i++) if (list.y[i] === y && list.right[i] !== r) return true;
  return false;
}

/** Each entity on `channel`, plus (for fish, subs and divers) a trail cell behind it on the grid. */
function writeEntities(out: Uint8Array, list: EntityList, channel: number, trail: boolean): void {
  for (let i = 0; i < list.length; i++) {
    const x = list.x[i];
    if (x < 0 || x > 9) continue;
    const row = list.y[i] * 10;
    out[(row + x) * C + channel] = 1;
    if (!trail) continue;
    const behind = list.right[i] === 1 ? x - 1 : x + 1;
    if (behind >= 0 && behind <= 9) out[(row + behind) * C + TRAIL] = 1;
  }
}
