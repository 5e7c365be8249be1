/**
 * What the player's keys ask for, independent of the DOM. Real time: each step takes the action
 * of the most recently pressed key still held, else the idle action; a tap released before the
 * next step still counts once, so quick presses are never lost at slow rates. Step mode: each
 * key press (and each auto-repeat of a held key) is one step.
 */
export class HeldKeys {
  /** Held keys' actions in press order (the last one wins). */
  private readonly held: { key: string; action: number }[] = [];
  /** Taps not yet consumed by a step. */
  private readonly taps: number[] = [];

  press(key: string, action: number): void {
    if (this.held.some((h) => h.key === key)) return; // auto-repeat of a held key
    this.held.push({ key, action });
    this.taps.push(action);
  }

  release(key: string): void {
    const i = this.held.findIndex((h) => h.key === key);
    if (i >= 0) this.held.splice(i, 1);
  }

  clear(): void {
    this.held.length = 0;
    this.taps.length = 0;
  }

  /** The action of the next real-time step, or null when there is none (no key, no idle action). */
  next(idleAction: number | null): number | null {
    const tap = this.taps.shift();
    if (tap !== undefined) return tap;
    const last = this.held[this.held.length - 1];
    return last ? last.action : idleAction;
  }
}

/** Real-time pacing: whole steps due after `elapsedMs` at `rate` steps/s (fractions carry over). */
export class StepClock {
  private carry = 0;

  constructor(public rate: number) {}

  reset(): void {
    this.carry = 0;
  }

  tick(elapsedMs: number): number {
    // A background tab must not catch up hundreds of steps when it returns.
    this.carry += (Math.min(elapsedMs, 250) / 1000) * this.rate;
    const due = Math.floor(this.carry);
    this.carry -= due;
    return due;
  }
}
