/**
 * The 2-D ring of Gaussians, the standard mode-collapse test for GANs: 8 equally weighted modes
 * at angles 2πk/8 on a circle of radius 2, each an isotropic Gaussian with σ = 0.02.
 *
 * Quality measures (as in the "unrolled GAN" / VEEGAN evaluations):
 * - a mode is *covered* when at least 1% of the samples fall within 3σ of its centre;
 * - a sample is *high quality* when it lies within 3σ of some mode.
 */
import { Random } from '../src/random';

export interface RingConfig {
  modes: number;
  radius: number;
  std: number;
}

export const RING_DEFAULTS: RingConfig = { modes: 8, radius: 2, std: 0.02 };

export function ringCentres(cfg: RingConfig = RING_DEFAULTS): Float32Array {
  const c = new Float32Array(cfg.modes * 2);
  for (let k = 0; k < cfg.modes; k++) {
    const a = (2 * Math.PI * k) / cfg.modes;
    c[2 * k] = cfg.radius * Math.cos(a);
    c[2 * k + 1] = cfg.radius * Math.sin(a);
  }
  return c;
}

/** Fill `out` (2·n floats) with samples of the ring mixture. */
export function sampleRing(n: number, rng: Random, cfg: RingConfig = RING_DEFAULTS, out = new Float32Array(n * 2)): Float32Array {
  const centres = ringCentres(cfg);
  for (let i = 0; i < n; i++) {
    const k = rng.integer(0, cfg.modes);
    out[2 * i] = centres[2 * k] + rng.normal() * cfg.std;
    out[2 * i + 1] = centres[2 * k + 1] + rng.normal() * cfg.std;
  }
  return out;
}

export interface RingMetrics {
  /** Modes holding at least `minShare` of the samples within 3σ. */
  modesCovered: number;
  modes: number;
  /** Share of samples within 3σ of some mode. */
  highQualityShare: number;
  /** Number of samples within 3σ of each mode. */
  perMode: number[];
  samples: number;
}

/** Evaluate generated points (x0, y0, x1, y1, ...) against the ring. */
export function ringMetrics(points: Float32Array, cfg: RingConfig = RING_DEFAULTS, minShare = 0.01): RingMetrics {
  const n = points.length / 2;
  const centres = ringCentres(cfg);
  const r2 = (3 * cfg.std) ** 2;
  const perMode = new Array<number>(cfg.modes).fill(0);
  let good = 0;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i];
    const y = points[2 * i + 1];
    let best = -1;
    let bestD = Infinity;
    for (let k = 0; k < cfg.modes; k++) {
      const d = (x - centres[2 * k]) ** 2 + (y - centres[2 * k + 1]) ** 2;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    if (bestD <= r2) {
      good++;
      perMode[best]++;
    }
  }
  return {
    modesCovered: perMode.filter((c) => c >= minShare * n && c > 0).length,
    modes: cfg.modes,
    highQualityShare: n > 0 ? good / n : 0,
    perMode,
    samples: n,
  };
}
