/**
 * An ordered list of grid entities stored as parallel typed arrays, so a game step allocates
 * nothing. Removal keeps the order (later entries shift down), as the rules' "first match in list
 * order" needs. Capacity doubles if ever exceeded (a rare one-off, not a per-step cost).
 */
export class EntityList {
  x: Int8Array;
  y: Int8Array;
  right: Uint8Array;
  moveTimer: Int16Array;
  shotTimer: Int16Array;
  length = 0;

  constructor(capacity = 32) {
    this.x = new Int8Array(capacity);
    this.y = new Int8Array(capacity);
    this.right = new Uint8Array(capacity);
    this.moveTimer = new Int16Array(capacity);
    this.shotTimer = new Int16Array(capacity);
  }

  clear(): void {
    this.length = 0;
  }

  push(x: number, y: number, right: boolean, moveTimer = 0, shotTimer = 0): void {
    if (this.length === this.x.length) this.grow();
    const i = this.length++;
    this.x[i] = x;
    this.y[i] = y;
    this.right[i] = right ? 1 : 0;
    this.moveTimer[i] = moveTimer;
    this.shotTimer[i] = shotTimer;
  }

  removeAt(i: number): void {
    const n = this.length;
    if (i < n - 1) {
      this.x.copyWithin(i, i + 1, n);
      this.y.copyWithin(i, i + 1, n);
      this.right.copyWithin(i, i + 1, n);
      this.moveTimer.copyWithin(i, i + 1, n);
      this.shotTimer.copyWithin(i, i + 1, n);
    }
    this.length = n - 1;
  }

  /** Index of the first entity on (x, y), or −1. */
  indexAt(x: number, y: number): number {
    for (let i = 0; i < this.length; i++) if (this.x[i] === x && this.y[i] === y) return i;
    return -1;
  }

  private grow(): void {
    const capacity = this.x.length * 2;
    const grow = <T extends Int8Array | Uint8Array | Int16Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.x = grow(this.x, (n) => new Int8Array(n));
    this.y = grow(this.y, (n) => new Int8Array(n));
    this.right = grow(this.right, (n) => new Uint8Array(n));
    this.moveTimer = grow(this.moveTimer, (n) => new Int16Array(n));
    this.shotTimer = grow(this.shotTimer, (n) => new Int16Array(n));
  }
}
