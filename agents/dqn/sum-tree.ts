/**
 * A sum tree over `capacity` leaf priorities (Schaul et al. 2016): O(log n) update and
 * prefix-sum search, on one Float64Array (float64 so that millions of updates do not drift).
 * Leaves live at [size-1, 2·size-1) of an implicit binary heap whose size is a power of two.
 */
/** Leaves of the implicit heap: the smallest power of two ≥ capacity. */
function leafCount(capacity: number): number {
  let leaves = 1;
  while (leaves < capacity) leaves *= 2;
  return leaves;
}

export class SumTree {
  readonly capacity: number;
  private readonly leaves: number;
  readonly tree: Float64Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    const leaves = leafCount(capacity);
    this.leaves = leaves;
    this.tree = new Float64Array(2 * leaves - 1);
  }

  get total(): number {
    return this.tree[0];
  }

  get(index: number): number {
    return this.tree[this.leaves - 1 + index];
  }

  set(index: number, priority: number): void {
    let node = this.leaves - 1 + index;
    const delta = priority - this.tree[node];
    this.tree[node] = priority;
    while (node > 0) {
      node = (node - 1) >> 1;
      this.tree[node] += delta;
    }
  }

  /** The leaf whose cumulative range contains `mass` (0 ≤ mass < total). */
  find(mass: number): number {
    let node = 0;
    while (node < this.leaves - 1) {
      const left = 2 * node + 1;
      if (mass < this.tree[left] || this.tree[left + 1] <= 0) {
        node = left;
      } else {
        mass -= this.tree[left];
        node = left + 1;
      }
    }
    return Math.min(node - (this.leaves - 1), this.capacity - 1);
  }
}
