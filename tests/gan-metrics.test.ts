import { describe, it, expect } from 'vitest';
import { ringCentres, ringMetrics, sampleRing, RING_DEFAULTS } from '../gan/ring';
import { classifierScore } from '../gan/classifier-score';
import { Random } from '../src/random';

describe('ring metrics', () => {
  it('true samples cover 8/8 modes with ~100% quality', () => {
    const m = ringMetrics(sampleRing(10000, new Random(0)));
    expect(m.modesCovered).toBe(8);
    // P(r < 3σ) for a 2-D Gaussian = 1 − exp(−4.5) = 0.9889
    expect(m.highQualityShare).toBeGreaterThan(0.985);
    expect(m.highQualityShare).toBeLessThan(0.993);
  });

  it('samples on 5 of 8 modes → 5 covered', () => {
    const c = ringCentres();
    const pts = new Float32Array(1000 * 2);
    for (let i = 0; i < 1000; i++) {
      const k = i % 5;
      pts[2 * i] = c[2 * k];
      pts[2 * i + 1] = c[2 * k + 1];
    }
    const m = ringMetrics(pts);
    expect(m.modesCovered).toBe(5);
    expect(m.highQualityShare).toBe(1);
    expect(m.perMode).toEqual([200, 200, 200, 200, 200, 0, 0, 0]);
  });

  it('half the samples far off → 50% quality; a mode under 1% is not covered', () => {
    const c = ringCentres();
    const n = 10000;
    const pts = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      if (i < n / 2) {
        pts[2 * i] = 0;
        pts[2 * i + 1] = 0; // the centre: far from every mode
      } else {
        const k = i < n / 2 + 99 ? 7 : i % 7; // mode 7 gets 99 samples = 0.99%
        pts[2 * i] = c[2 * k] + 2.9 * RING_DEFAULTS.std * (i % 2 ? 1 : -1) / Math.SQRT2;
        pts[2 * i + 1] = c[2 * k + 1] + 2.9 * RING_DEFAULTS.std / Math.SQRT2;
      }
    }
    const m = ringMetrics(pts);
    expect(m.highQualityShare).toBeCloseTo(0.5, 10);
    expect(m.modesCovered).toBe(7);
    expect(m.perMode[7]).toBe(99);
  });
});

describe('classifier score', () => {
  it('confident predictions spread uniformly over 10 classes → 10', () => {
    const n = 1000;
    const p = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) p[i * 10 + (i % 10)] = 1;
    const s = classifierScore(p, 10);
    expect(s.score).toBeCloseTo(10, 4);
    expect(s.histogram).toEqual(new Array(10).fill(100));
  });

  it('identical predictions → 1, whatever they are', () => {
    const p = new Float32Array(50 * 10);
    for (let i = 0; i < 50; i++) p.set([0.5, 0.2, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.01], i * 10);
    expect(classifierScore(p, 10).score).toBeCloseTo(1, 5);
  });

  it('confident on 2 classes equally → 2; matches a hand-computed mixed case', () => {
    const p = new Float32Array(100 * 10);
    for (let i = 0; i < 100; i++) p[i * 10 + (i % 2) * 3] = 1;
    expect(classifierScore(p, 10).score).toBeCloseTo(2, 5);
    // two samples, K = 2: [1, 0] and [0.5, 0.5] → marginal [0.75, 0.25]
    const kl1 = Math.log(1 / 0.75);
    const kl2 = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
    expect(classifierScore([1, 0, 0.5, 0.5], 2).score).toBeCloseTo(Math.exp((kl1 + kl2) / 2), 6);
  });
});
