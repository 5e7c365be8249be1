import { describe, expect, it } from 'vitest';
import { Random } from '../src/random';
import { ReplayBuffer } from '../agents/dqn/replay-buffer';
import { PrioritizedReplayBuffer } from '../agents/dqn/prioritized-replay';
import { SumTree } from '../agents/dqn/sum-tree';
import { NStepAccumulator } from '../agents/dqn/n-step';

const obsOf = (v: number) => [v, v + 0.5];

describe('ReplayBuffer', () => {
  it('wraps around, overwriting the oldest transitions, and reports its memory', () => {
    const b = new ReplayBuffer({ capacity: 3, obsSize: 2, obsDtype: 'float32' });
    for (let i = 0; i < 5; i++) b.add(obsOf(i), i, i * 10, 0.99, obsOf(i + 1));
    expect(b.size).toBe(3);
    expect(b.position).toBe(2);
    // Slots 0 and 1 were overwritten by transitions 3 and 4.
    expect(Array.from(b.actions)).toEqual([3, 4, 2]);
    expect(Array.from(b.rewards)).toEqual([30, 40, 20]);
    expect(Array.from(b.obs.subarray(0, 2))).toEqual([3, 3.5]);
    expect(Array.from(b.nextObs.subarray(2, 4))).toEqual([5, 5.5]);
    expect(b.memoryBytes).toBe(3 * 2 * 4 * 2 + 3 * 4 * 3);
  });

  it('stores uint8 observations as bytes', () => {
    const b = new ReplayBuffer({ capacity: 10, obsSize: 400, obsDtype: 'uint8' });
    expect(b.obs).toBeInstanceOf(Uint8Array);
    expect(b.memoryBytes).toBe(10 * 400 * 2 + 10 * 12);
    b.add(new Uint8Array(400).fill(1), 0, 0, 0, new Uint8Array(400));
    const batch = b.sample(2, new Random(0));
    expect(batch.obs[5]).toBe(1);
    expect(batch.obs).toBeInstanceOf(Float32Array);
  });

  it('samples uniformly (χ² test) and returns the stored transitions', () => {
    const n = 20;
    const b = new ReplayBuffer({ capacity: n, obsSize: 2, obsDtype: 'float32' });
    for (let i = 0; i < n; i++) b.add(obsOf(i), i % 4, i, 0.5, obsOf(i + 1));
    const rng = new Random(42);
    const counts = new Array(n).fill(0);
    const draws = 20_000;
    for (let k = 0; k < draws / 50; k++) {
      const batch = b.sample(50, rng);
      for (let j = 0; j < 50; j++) {
        const i = batch.indices[j];
        counts[i]++;
        if (k > 0) continue;
        expect(batch.rewards[j]).toBe(i);
        expect(batch.obs[2 * j]).toBe(i);
        expect(batch.nextObs[2 * j]).toBe(i + 1);
        expect(batch.actions[j]).toBe(i % 4);
      }
    }
    const expected = draws / n;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 19 degrees of freedom: the 99.9th percentile is 43.8.
    expect(chi2).toBeLessThan(43.8);
  });
});

describe('n-step returns', () => {
  const gamma = 0.9;
  function run(n: number, steps: { r: number; term?: boolean; trunc?: boolean }[]) {
    const b = new ReplayBuffer({ capacity: 100, obsSize: 1, obsDtype: 'float32' });
    const acc = new NStepAccumulator(n, gamma, 1);
    steps.forEach((s, t) => acc.push([t], t, s.r, s.term ?? false, s.trunc ?? false, [t + 1], b));
    return Array.from({ length: b.size }, (_, i) => ({ obs: b.obs[i], r: b.rewards[i], d: b.discounts[i], next: b.nextObs[i] }));
  }

  it('emits R = r0 + γ r1 + γ² r2 with discount γ³ and s_{t+3} in mid-episode', () => {
    const out = run(3, [{ r: 1 }, { r: 2 }, { r: 3 }, { r: 4 }]);
    expect(out).toHaveLength(2);
    expect(out[0].obs).toBe(0);
    expect(out[0].r).toBeCloseTo(1 + 0.9 * 2 + 0.81 * 3, 5);
    expect(out[0].d).toBeCloseTo(0.729, 6);
    expect(out[0].next).toBe(3);
    expect(out[1].r).toBeCloseTo(2 + 0.9 * 3 + 0.81 * 4, 5);
    expect(out[1].next).toBe(4);
  });

  it('terminated: flushes every pending transition with no bootstrap', () => {
    const out = run(3, [{ r: 1 }, { r: 2 }, { r: 3, term: true }]);
    expect(out.map((o) => o.obs)).toEqual([0, 1, 2]);
    expect(out[0].r).toBeCloseTo(1 + 1.8 + 2.43, 5);
    expect(out[1].r).toBeCloseTo(2 + 2.7, 5);
    expect(out[2].r).toBeCloseTo(3, 5);
    expect(out.map((o) => o.d)).toEqual([0, 0, 0]);
    expect(out.every((o) => o.next === 3)).toBe(true);
  });

  it('truncated: cuts the return but bootstraps from the final observation with γ^k', () => {
    const out = run(3, [{ r: 1 }, { r: 1 }, { r: 1 }, { r: 1, trunc: true }]);
    // t=0 was emitted normally; t=1,2,3 flushed at truncation with 3, 2, 1 steps left.
    expect(out.map((o) => o.obs)).toEqual([0, 1, 2, 3]);
    expect(out[1].r).toBeCloseTo(1 + 0.9 + 0.81, 5);
    expect(out[1].d).toBeCloseTo(0.729, 6);
    expect(out[2].r).toBeCloseTo(1.9, 5);
    expect(out[2].d).toBeCloseTo(0.81, 6);
    expect(out[3].r).toBeCloseTo(1, 5);
    expect(out[3].d).toBeCloseTo(0.9, 6);
    expect(out.slice(1).every((o) => o.next === 4)).toBe(true);
  });

  it('n = 1 is the plain transition: discount γ, or 0 when terminated', () => {
    const out = run(1, [{ r: 5 }, { r: 6, term: true }]);
    expect(out).toEqual([
      { obs: 0, r: 5, d: expect.closeTo(0.9, 6), next: 1 },
      { obs: 1, r: 6, d: 0, next: 2 },
    ]);
  });
});

describe('SumTree', () => {
  it('keeps sums and finds leaves by prefix mass', () => {
    const t = new SumTree(5);
    [1, 2, 3, 4, 5].forEach((p, i) => t.set(i, p));
    expect(t.total).toBe(15);
    expect(t.find(0)).toBe(0);
    expect(t.find(0.99)).toBe(0);
    expect(t.find(1)).toBe(1);
    expect(t.find(2.99)).toBe(1);
    expect(t.find(3)).toBe(2);
    expect(t.find(14.99)).toBe(4);
    t.set(2, 0);
    expect(t.total).toBe(12);
    expect(t.find(3)).toBe(3);
  });
});

describe('PrioritizedReplayBuffer', () => {
  function filled(alpha: number) {
    const b = new PrioritizedReplayBuffer({ capacity: 4, obsSize: 1, obsDtype: 'float32', alpha, beta0: 0.4, betaSteps: 100, priorityEpsilon: 0 });
    for (let i = 0; i < 4; i++) b.add([i], 0, 0, 0.99, [i]);
    b.updatePriorities(Int32Array.from([0, 1, 2, 3]), [1, 2, 3, 4]);
    return b;
  }

  it('new transitions enter at the maximum priority so far', () => {
    const b = filled(1);
    b.add([9], 0, 0, 0.99, [9]); // overwrites slot 0
    expect(b.tree.get(0)).toBe(4);
  });

  it('samples in proportion to p^α', () => {
    const b = filled(0.5);
    const rng = new Random(7);
    const counts = [0, 0, 0, 0];
    for (let k = 0; k < 2000; k++) {
      const batch = b.sample(8, rng, 0);
      for (const i of batch.indices) counts[i]++;
    }
    const p = [1, 2, 3, 4].map((x) => Math.sqrt(x));
    const z = p.reduce((a, c) => a + c, 0);
    const total = counts.reduce((a, c) => a + c, 0);
    p.forEach((pi, i) => expect(counts[i] / total).toBeCloseTo(pi / z, 1));
    const expected = p.map((pi) => (total * pi) / z);
    const chi2 = counts.reduce((s, c, i) => s + (c - expected[i]) ** 2 / expected[i], 0);
    expect(chi2).toBeLessThan(16.3); // 3 dof, 99.9th percentile
  });

  it('importance weights are (N·P(i))^−β normalised by the batch maximum, with β annealed', () => {
    const b = filled(1);
    const P = [0.1, 0.2, 0.3, 0.4];
    for (const step of [0, 50, 100]) {
      const beta = Math.min(1, 0.4 + (0.6 * step) / 100);
      for (const size of [16, 2]) {
        const batch = b.sample(size, new Random(step + size), step);
        const indices = Array.from(batch.indices);
        const wMax = Math.max(...indices.map((i) => (4 * P[i]) ** -beta));
        indices.forEach((i, j) => expect(batch.weights[j]).toBeCloseTo((4 * P[i]) ** -beta / wMax, 5));
        expect(Math.max(...batch.weights.subarray(0, size))).toBeCloseTo(1, 10);
      }
    }
  });

  it('one near-zero priority does not shrink the other weights', () => {
    const b = filled(1);
    b.updatePriorities(Int32Array.from([0]), [1e-9]);
    const batch = b.sample(8, new Random(3), 100);
    expect(Math.max(...batch.weights.subarray(0, 8))).toBe(1);
    for (const w of batch.weights.subarray(0, 8)) expect(w).toBeGreaterThan(0.4);
  });

  it('priorities are |δ| + ε', () => {
    const b = new PrioritizedReplayBuffer({ capacity: 2, obsSize: 1, obsDtype: 'float32', alpha: 1, beta0: 0.4, betaSteps: 10, priorityEpsilon: 0.01 });
    b.add([0], 0, 0, 0.99, [0]);
    b.add([1], 0, 0, 0.99, [1]);
    b.updatePriorities(Int32Array.from([0, 1]), [-0.5, 2]);
    expect(b.tree.get(0)).toBeCloseTo(0.51, 10);
    expect(b.tree.get(1)).toBeCloseTo(2.01, 10);
  });
});
