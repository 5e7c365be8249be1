import { type DrawSource, type GameOptions, type MinAtarGame, DOWN, UP } from './draws';

const PLAYER_MOVE_COOLDOWN = 3;
const TIME_LIMIT = 2500;
const CARS = 8;
const CHICKEN_X = 4;

const CHANNELS = ['chicken', 'car', 'speed1', 'speed2', 'speed3', 'speed4', 'speed5'] as const;
const C = CHANNELS.length;

/** Freeway: walk the chicken across eight lanes of traffic as often as possible in 2,500 frames. */
export class Freeway implements MinAtarGame {
  readonly name = 'freeway';
  readonly channels = CHANNELS;
  readonly minimalActions = [0, 2, 4] as const;
  terminal = false;

  /** The chicken's row (column 4). */
  chicken = 9;
  moveTimer = PLAYER_MOVE_COOLDOWN;
  terminateTimer = TIME_LIMIT;
  /** Car i drives on row i + 1. */
  readonly carX = new Int8Array(CARS);
  readonly carTimer = new Int8Array(CARS);
  /** Signed speed: |v| in 1..5 columns per |v| + 1 frames, sign = direction. */
  readonly carVelocity = new Int8Array(CARS);

  // Freeway's speeds are redrawn on every crossing rather than ramped; the option is accepted for
  // a uniform API.
  constructor(_options: GameOptions = {}) {}

  reset(draws: DrawSource): void {
    this.carX.fill(0);
    this.randomiseCars(draws);
    this.chicken = 9;
    this.moveTimer = PLAYER_MOVE_COOLDOWN;
    this.terminateTimer = TIME_LIMIT;
    this.terminal = false;
  }

  /** New speeds then new directions (all eight speeds are drawn before any direction). */
  private randomiseCars(draws: DrawSource): void {
    for (let i = 0; i < CARS; i++) this.carVelocity[i] = draws.integer(1, 6);
    for (let i = 0; i < CARS; i++) {
      const v = this.carVelocity[i] * Math.sign(draws.random() - 0.5);
      this.carVelocity[i] = v;
      this.carTimer[i] = Math.abs(v);
    }
  }

  step(action: number, draws: DrawSource): number {
    let reward = 0;
    if (action === UP && this.moveTimer === 0) {
      this.moveTimer = PLAYER_MOVE_COOLDOWN;
      this.chicken = Math.max(0, this.chicken - 1);
    } else if (action === DOWN && this.moveTimer === 0) {
      this.moveTimer = PLAYER_MOVE_COOLDOWN;
      this.chicken = Math.min(9, this.chicken + 1);
    }
    if (this.chicken === 0) {
      reward = 1;
      this.randomiseCars(draws);
      this.chicken = 9;
    }
    for (let i = 0; i < CARS; i++) {
      const row = i + 1;
      if (this.carX[i] === CHICKEN_X && row === this.chicken) this.chicken = 9;
      if (this.carTimer[i] === 0) {
        const v = this.carVelocity[i];
        this.carTimer[i] = Math.abs(v);
        let x = this.carX[i] + Math.sign(v);
        if (x < 0) x = 9;
        else if (x > 9) x = 0;
        this.carX[i] = x;
        if (x === CHICKEN_X && row === this.chicken) this.chicken = 9;
      } else {
        this.carTimer[i]--;
      }
    }
    if (this.moveTimer > 0) this.moveTimer--;
    this.terminateTimer--;
    if (this.terminateTimer < 0) this.terminal = true;
    return reward;
  }

  writeObservation(out: Uint8Array): void {
    out.fill(0);
    out[(this.chicken * 10 + CHICKEN_X) * C] = 1;
    for (let i = 0; i < CARS; i++) {
      const row = (i + 1) * 10;
      const x = this.carX[i];
      const v = this.carVelocity[i];
      out[(row + x) * C + 1] = 1;
      if (v === 0) continue; // a direction draw of exactly 0.5 gives a standing car without trail
      let trail = x - Math.sign(v);
      if (trail < 0) trail = 9;
      else if (trail > 9) trail = 0;
      out[(row + trail) * C + 1 + Math.abs(v)] = 1;
    }
  }
}
