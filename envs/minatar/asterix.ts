import { type DrawSource, type GameOptions, type MinAtarGame, DOWN, LEFT, RIGHT, UP } from './draws';

const RAMP_INTERVAL = 100;
const INITIAL_SPAWN_INTERVAL = 10;
const INITIAL_MOVE_INTERVAL = 5;
const SLOTS = 8;

const CHANNELS = ['player', 'enemy', 'trail', 'gold'] as const;
const C = CHANNELS.length;

/** Asterix: dodge enemies and collect gold crossing eight lanes. */
export class Asterix implements MinAtarGame {
  readonly name = 'asterix';
  readonly channels = CHANNELS;
  readonly minimalActions = [0, 1, 2, 3, 4] as const;
  terminal = false;

  playerX = 5;
  playerY = 5;
  /** Slot i lives on row i + 1. */
  readonly active = new Uint8Array(SLOTS);
  readonly entityX = new Int8Array(SLOTS);
  readonly movingRight = new Uint8Array(SLOTS);
  readonly gold = new Uint8Array(SLOTS);
  spawnInterval = INITIAL_SPAWN_INTERVAL;
  spawnTimer = INITIAL_SPAWN_INTERVAL;
  moveInterval = INITIAL_MOVE_INTERVAL;
  moveTimer = INITIAL_MOVE_INTERVAL;
  rampTimer = RAMP_INTERVAL;
  rampIndex = 0;
  private readonly ramping: boolean;

  constructor(options: GameOptions = {}) {
    this.ramping = options.difficultyRamping ?? true;
  }

  reset(_draws: DrawSource): void {
    this.playerX = 5;
    this.playerY = 5;
    this.active.fill(0);
    this.spawnInterval = INITIAL_SPAWN_INTERVAL;
    this.spawnTimer = INITIAL_SPAWN_INTERVAL;
    this.moveInterval = INITIAL_MOVE_INTERVAL;
    this.moveTimer = INITIAL_MOVE_INTERVAL;
    this.rampTimer = RAMP_INTERVAL;
    this.rampIndex = 0;
    this.terminal = false;
  }

  private spawn(draws: DrawSource): void {
    const right = draws.random() < 0.5;
    const isGold = draws.random() < 1 / 3;
    let empty = 0;
    for (let i = 0; i < SLOTS; i++) if (this.active[i] === 0) empty++;
    if (empty === 0) return;
    let pick = draws.integer(0, empty);
    for (let i = 0; i < SLOTS; i++) {
      if (this.active[i] !== 0) continue;
      if (pick-- === 0) {
        this.active[i] = 1;
        this.entityX[i] = right ? 0 : 9;
        this.movingRight[i] = right ? 1 : 0;
        this.gold[i] = isGold ? 1 : 0;
        return;
      }
    }
  }

  /** Gold on the player's cell is collected (+1), an enemy ends the game. */
  private touch(i: number): number {
    if (this.active[i] === 0 || this.entityX[i] !== this.playerX || i + 1 !== this.playerY) return 0;
    if (this.gold[i] === 1) {
      this.active[i] = 0;
      return 1;
    }
    this.terminal = true;
    return 0;
  }

  step(action: number, draws: DrawSource): number {
    let reward = 0;
    if (this.spawnTimer === 0) {
      this.spawn(draws);
      this.spawnTimer = this.spawnInterval;
    }
    if (action === LEFT) this.playerX = Math.max(0, this.playerX - 1);
    else if (action === RIGHT) this.playerX = Math.min(9, this.playerX + 1);
    else if (action === UP) this.playerY = Math.max(1, this.playerY - 1);
    else if (action === DOWN) this.playerY = Math.min(8, this.playerY + 1);

    for (let i = 0; i < SLOTS; i++) reward += this.touch(i);

    if (this.moveTimer === 0) {
      this.moveTimer = this.moveInterval;
      for (let i = 0; i < SLOTS; i++) {
        if (this.active[i] === 0) continue;
        const x = this.entityX[i] + (this.movingRight[i] === 1 ? 1 : -1);
        if (x < 0 || x > 9) {
          this.active[i] = 0;
          continue;
        }
        this.entityX[i] = x;
        reward += this.touch(i);
      }
    }
    this.spawnTimer--;
    this.moveTimer--;

    if (this.ramping && (this.spawnInterval > 1 || this.moveInterval > 1)) {
      if (this.rampTimer >= 0) {
        this.rampTimer--;
      } else {
        if (this.moveInterval > 1 && this.rampIndex % 2 === 1) this.moveInterval--;
        if (this.spawnInterval > 1) this.spawnInterval--;
        this.rampIndex++;
        this.rampTimer = RAMP_INTERVAL;
      }
    }
    return reward;
  }

  writeObservation(out: Uint8Array): void {
    out.fill(0);
    out[(this.playerY * 10 + this.playerX) * C] = 1;
    for (let i = 0; i < SLOTS; i++) {
      if (this.active[i] === 0) continue;
      const row = (i + 1) * 10;
      const x = this.entityX[i];
      out[(row + x) * C + (this.gold[i] === 1 ? 3 : 1)] = 1;
      const trail = this.movingRight[i] === 1 ? x - 1 : x + 1;
      if (trail >= 0 && trail <= 9) out[(row + trail) * C + 2] = 1;
    }
  }
}
