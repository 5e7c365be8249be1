/**
 * Seeded image augmentation applied to a training batch in place: random integer shifts (the
 * vacated border is filled with `fill`) and additive Gaussian noise. Inputs are [n, h, w, c]
 * channels-last, row-major.
 */
import type { Random } from '../src/random';

export interface AugmentConfig {
  /** Maximum shift in pixels along each axis (0 = off). */
  maxShift?: number;
  /** Std of additive Gaussian noise (0 = off). */
  noiseStd?: number;
  /** Value written into pixels shifted in from outside (default 0 = background of MNIST in [0, 1]). */
  fill?: number;
  /** Clamp after noise (default [0, 1]; null = no clamp). */
  clamp?: [number, number] | null;
}

export class ImageAugmenter {
  private scratch: Float32Array;

  constructor(
    readonly shape: readonly [number, number, number],
    readonly config: AugmentConfig,
  ) {
    this.scratch = new Float32Array(shape[0] * shape[1] * shape[2]);
  }

  get active(): boolean {
    return (this.config.maxShift ?? 0) > 0 || (this.config.noiseStd ?? 0) > 0;
  }

  /** Augment the first `n` images of `batch` in place. */
  apply(batch: Float32Array, n: number, rng: Random): void {
    const [h, w, c] = this.shape;
    const per = h * w * c;
    const s = Math.floor(this.config.maxShift ?? 0);
    const noise = this.config.noiseStd ?? 0;
    const fill = this.config.fill ?? 0;
    const clamp = this.config.clamp === undefined ? [0, 1] : this.config.clamp;
    const tmp = this.scratch;
    for (let i = 0; i < n; i++) {
      const img = batch.subarray(i * per, (i + 1) * per);
      if (s > 0) {
        const dy = rng.integer(-s, s + 1);
        const dx = rng.integer(-s, s + 1);
        if (dx !== 0 || dy !== 0) {
          for (let y = 0; y < h; y++) {
            const sy = y - dy;
            for (let x = 0; x < w; x++) {
              const sx = x - dx;
              const o = (y * w + x) * c;
              if (sy < 0 || sy >= h || sx < 0 || sx >= w) tmp.fill(fill, o, o + c);
              else for (let k = 0; k < c; k++) tmp[o + k] = img[(sy * w + sx) * c + k];
            }
          }
          img.set(tmp);
        }
      }
      if (noise > 0) {
        for (let j = 0; j < per; j++) {
          let v = img[j] + rng.normal() * noise;
          if (clamp) v = v < clamp[0] ? clamp[0] : v > clamp[1] ? clamp[1] : v;
          img[j] = v;
        }
      }
    }
  }
}
