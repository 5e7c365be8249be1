/**
 * The GAN run config (zod-validated, defaults per dataset). Datasets: 'mnist' (28×28 digits in
 * [−1, 1]), 'ring' (8 Gaussians, radius 2, σ 0.02) and 'replays:DIR' (game frames of a run).
 */
import { z } from 'zod';
import { networkSpecSchema, type NetworkSpec } from '../src/layers';

export class GanConfigError extends Error {
  override name = 'GanConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid gan config:\n  ${problems.join('\n  ')}`);
  }
}

export const ganConfigSchema = z.strictObject({
  dataset: z.string().regex(/^(mnist|ring|replays:.+)$/, { message: 'expected mnist, ring or replays:DIR' }),
  steps: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().optional(),
  latentDim: z.number().int().positive().optional(),
  /** Adam learning rates (default 1e-3 for MNIST and the ring, 2e-4 for replays) with β₁ = 0.5. */
  learningRate: z.number().positive().optional(),
  /** Anneal both learning rates linearly to this value by the end of training (default: constant). */
  learningRateEnd: z.number().min(0).optional(),
  beta1: z.number().min(0).lt(1).default(0.5),
  /** One-sided label smoothing of the real targets (default 0.1 for images, 0 for the ring). */
  labelSmoothing: z.number().min(0).lt(0.5).optional(),
  /** PacGAN packing: D judges this many samples at once (default 4 for the ring, 1 otherwise). */
  pack: z.number().int().positive().optional(),
  dSteps: z.number().int().positive().default(1),
  /** EMA of the generator weights used for samples and the saved generator (0 = off; default 0.999). */
  emaDecay: z.number().min(0).lt(1).optional(),
  seed: z.number().int().default(0),
  /** Write a sample grid (PNG) every N steps (default steps/10). */
  sampleEvery: z.number().int().positive().optional(),
  /** Log losses to metrics.jsonl every N steps (default 50). */
  logEvery: z.number().int().positive().default(50),
  /** Replays: render frames to RGB instead of C binary channels. */
  rgb: z.boolean().default(false),
  /** MNIST: samples scored by the classifier (default 5000); ring: samples measured (10,000). */
  evalSamples: z.number().int().positive().optional(),
  /** Stop training after this many minutes of wall time even if `steps` are not done (default: no limit). */
  maxMinutes: z.number().positive().optional(),
  /** MNIST: log the classifier score of 1,000 samples to metrics.jsonl every N steps (default sampleEvery; 0 = never). */
  scoreEvery: z.number().int().min(0).optional(),
  /** Layer specs replacing the dataset's default generator / discriminator (see gan/specs.ts). */
  generator: networkSpecSchema.optional(),
  discriminator: networkSpecSchema.optional(),
});

export type GanConfigInput = z.input<typeof ganConfigSchema>;

export interface GanConfig {
  dataset: string;
  family: 'mnist' | 'ring' | 'replays';
  steps: number;
  batchSize: number;
  latentDim: number;
  learningRate: number;
  learningRateEnd?: number;
  beta1: number;
  labelSmoothing: number;
  pack: number;
  dSteps: number;
  emaDecay: number;
  seed: number;
  sampleEvery: number;
  logEvery: number;
  rgb: boolean;
  evalSamples: number;
  maxMinutes?: number;
  scoreEvery: number;
  generator?: NetworkSpec;
  discriminator?: NetworkSpec;
}

const DEFAULTS = {
  mnist: { steps: 8000, batchSize: 32, latentDim: 64, learningRate: 1e-3, labelSmoothing: 0.1, pack: 1, evalSamples: 5000, emaDecay: 0.995 },
  ring: { steps: 8000, batchSize: 256, latentDim: 16, learningRate: 1e-3, labelSmoothing: 0, pack: 4, evalSamples: 10000, emaDecay: 0.999 },
  replays: { steps: 2000, batchSize: 64, latentDim: 32, learningRate: 2e-4, labelSmoothing: 0.1, pack: 1, evalSamples: 1000, emaDecay: 0.99 },
} as const;

export function resolveGanConfig(input: unknown): GanConfig {
  const parsed = ganConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new GanConfigError(parsed.error.issues.map((i) => `${['config', ...i.path.map(String)].join('.')}: ${i.message}`));
  }
  const c = parsed.data;
  const family = c.dataset.startsWith('replays:') ? 'replays' : (c.dataset as 'mnist' | 'ring');
  const d = DEFAULTS[family];
  const steps = c.steps ?? d.steps;
  const batchSize = c.batchSize ?? d.batchSize;
  const pack = c.pack ?? d.pack;
  const sampleEvery = c.sampleEvery ?? Math.max(1, Math.round(steps / 10));
  if (batchSize % pack !== 0) throw new GanConfigError([`config.pack: ${pack} must divide config.batchSize ${batchSize}`]);
  return {
    dataset: c.dataset,
    family,
    steps,
    batchSize,
    latentDim: c.latentDim ?? d.latentDim,
    learningRate: c.learningRate ?? d.learningRate,
    ...(c.learningRateEnd !== undefined ? { learningRateEnd: c.learningRateEnd } : {}),
    beta1: c.beta1,
    labelSmoothing: c.labelSmoothing ?? d.labelSmoothing,
    pack,
    dSteps: c.dSteps,
    emaDecay: c.emaDecay ?? d.emaDecay,
    seed: c.seed,
    sampleEvery,
    logEvery: c.logEvery,
    rgb: c.rgb,
    evalSamples: c.evalSamples ?? d.evalSamples,
    ...(c.maxMinutes !== undefined ? { maxMinutes: c.maxMinutes } : {}),
    scoreEvery: family === 'mnist' ? (c.scoreEvery ?? sampleEvery) : 0,
    ...(c.generator ? { generator: c.generator } : {}),
    ...(c.discriminator ? { discriminator: c.discriminator } : {}),
  };
}
