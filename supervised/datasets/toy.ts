/**
 * Seeded toy datasets for quick experiments and tests: spiral (k arms), XOR, two circles, and the
 * linear regression y = 3·x₀ + 2·x₁ (+ optional Gaussian noise).
 */
import { Random } from '../../src/random';
import type { ClassificationDataset, RegressionDataset } from './types';

export interface SpiralOptions {
  /** Points per arm (default 100). */
  pointsPerArm?: number;
  /** Number of arms = classes (default 3). */
  arms?: number;
  /** Std of the angular noise, radians (default 0.2). */
  noise?: number;
  seed?: number;
}

/** The CS231n-style spiral: arm k runs from radius 0 to 1 while its angle turns by 4 rad. */
export function spiral(opts: SpiralOptions = {}): ClassificationDataset {
  const { pointsPerArm = 100, arms = 3, noise = 0.2, seed = 0 } = opts;
  const rng = new Random(seed);
  const n = pointsPerArm * arms;
  const x = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let k = 0; k < arms; k++) {
    for (let i = 0; i < pointsPerArm; i++) {
      const j = k * pointsPerArm + i;
      const r = pointsPerArm === 1 ? 0 : i / (pointsPerArm - 1);
      const t = (k * 2 * Math.PI) / arms + r * 4 + rng.normal() * noise;
      x[2 * j] = r * Math.sin(t);
      x[2 * j + 1] = r * Math.cos(t);
      labels[j] = k;
    }
  }
  return { task: 'classification', size: n, sampleShape: [2], x, labels, numClasses: arms };
}

export interface XorOptions {
  /** Number of samples (default 200); with noise 0 the four corners repeat. */
  size?: number;
  /** Std of Gaussian jitter around the corners (default 0.1). */
  noise?: number;
  seed?: number;
}

/** XOR: points around the corners (±1, ±1); class 1 when the signs differ. */
export function xor(opts: XorOptions = {}): ClassificationDataset {
  const { size = 200, noise = 0.1, seed = 0 } = opts;
  const rng = new Random(seed);
  const x = new Float32Array(size * 2);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const a = i % 4 & 1;
    const b = (i % 4) >> 1;
    x[2 * i] = (a ? 1 : -1) + rng.normal() * noise;
    x[2 * i + 1] = (b ? 1 : -1) + rng.normal() * noise;
    labels[i] = a ^ b;
  }
  return { task: 'classification', size, sampleShape: [2], x, labels, numClasses: 2 };
}

export interface CirclesOptions {
  size?: number;
  /** Inner radius as a fraction of the outer radius 1 (default 0.5). */
  factor?: number;
  /** Std of Gaussian jitter (default 0.05). */
  noise?: number;
  seed?: number;
}

/** Two concentric circles (like scikit-learn's make_circles): outer = class 0, inner = class 1. */
export function circles(opts: CirclesOptions = {}): ClassificationDataset {
  const { size = 200, factor = 0.5, noise = 0.05, seed = 0 } = opts;
  const rng = new Random(seed);
  const x = new Float32Array(size * 2);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const inner = i % 2;
    const r = inner ? factor : 1;
    const t = rng.uniform(0, 2 * Math.PI);
    x[2 * i] = r * Math.cos(t) + rng.normal() * noise;
    x[2 * i + 1] = r * Math.sin(t) + rng.normal() * noise;
    labels[i] = inner;
  }
  return { task: 'classification', size, sampleShape: [2], x, labels, numClasses: 2 };
}

export interface LinearOptions {
  size?: number;
  /** Std of Gaussian noise added to y (default 0). */
  noise?: number;
  seed?: number;
}

/** Regression y = 3·x₀ + 2·x₁ (+ noise), x uniform in [−1, 1]². */
export function linearRegression(opts: LinearOptions = {}): RegressionDataset {
  const { size = 200, noise = 0, seed = 0 } = opts;
  const rng = new Random(seed);
  const x = new Float32Array(size * 2);
  const targets = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const x0 = rng.uniform(-1, 1);
    const x1 = rng.uniform(-1, 1);
    x[2 * i] = x0;
    x[2 * i + 1] = x1;
    targets[i] = 3 * x0 + 2 * x1 + (noise > 0 ? rng.normal() * noise : 0);
  }
  return { task: 'regression', size, sampleShape: [2], x, targets, targetSize: 1 };
}
