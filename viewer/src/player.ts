/**
 * Playback state of one episode, independent of the DOM: a position in 0..steps (position
 * `steps` shows the final frame), play/pause, speed and loop. tick() advances by wall time.
 */
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8] as const;

export class Playback {
  position = 0;
  playing = false;
  loop = false;
  speed = 1;
  /** Fractional steps carried between ticks, so slow speeds still advance. */
  private carry = 0;

  constructor(
    /** Number of steps in the episode; positions run 0..steps. */
    public steps: number,
    /** Steps per second at 1×. */
    public baseRate = 30,
  ) {}

  get last(): number {
    return this.steps;
  }

  load(steps: number, baseRate = this.baseRate): void {
    this.steps = steps;
    this.baseRate = baseRate;
    this.position = 0;
    this.carry = 0;
    this.playing = false;
  }

  seek(position: number): void {
    this.position = Math.max(0, Math.min(this.last, Math.round(position)));
    this.carry = 0;
  }

  step(delta: number): void {
    this.playing = false;
    this.seek(this.position + delta);
  }

  togglePlay(): void {
    if (!this.playing && this.position >= this.last) this.seek(0); // replay from the start
    this.playing = !this.playing;
  }

  /** Move one notch along SPEEDS (direction +1 faster, −1 slower). */
  changeSpeed(direction: 1 | -1): void {
    const i = SPEEDS.indexOf(this.speed as (typeof SPEEDS)[number]);
    const next = Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 2 : i) + direction));
    this.speed = SPEEDS[next];
  }

  /** Advance by elapsed wall time; returns true when the position changed. */
  tick(elapsedMs: number): boolean {
    if (!this.playing) return false;
    // Cap the elapsed time so a background tab does not jump to the end on return.
    this.carry += (Math.min(elapsedMs, 250) / 1000) * this.baseRate * this.speed;
    const whole = Math.floor(this.carry);
    if (whole === 0) return false;
    this.carry -= whole;
    const before = this.position;
    let next = this.position + whole;
    if (next > this.last && this.loop && this.last > 0) next = next % (this.last + 1);
    else if (next >= this.last && !this.loop) {
      next = this.last; // hold the final frame
      this.playing = false;
    }
    this.position = next;
    return next !== before;
  }
}
