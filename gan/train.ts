/**
 * One GAN training step = one discriminator update then one generator update (alternating), with
 * the non-saturating generator loss: D minimises BCE(real → 1 (or 1 − smoothing), fake → 0);
 * G minimises BCE(D(G(z)) → 1), all from logits. Latent noise comes from the seeded `Random`, so a
 * run is reproducible from its seed.
 */
import * as tf from '@tensorflow/tfjs';
import { binaryCrossEntropy } from '../src/losses';
import { regularizationLoss } from '../src/layers';
import { Random } from '../src/random';

export interface GanStepConfig {
  latentDim: number;
  batchSize: number;
  /** One-sided label smoothing: real targets become 1 − smoothing (default 0). */
  labelSmoothing?: number;
  /** Discriminator updates per generator update (default 1). */
  dSteps?: number;
  /**
   * PacGAN packing (default 1 = off): D judges `pack` samples at once, concatenated, which
   * penalises a generator that collapses to few modes. batchSize must be a multiple of it, and D
   * is built for inputs of `pack · prod(sampleShape)` features.
   */
  pack?: number;
  /**
   * Exponential moving average of the generator's weights (Polyak averaging; 0 = off): samples
   * and the saved generator come from the average, which removes much of the step-to-step
   * oscillation of GAN training.
   */
  emaDecay?: number;
}

export interface GanLosses {
  dLoss: number;
  gLoss: number;
  /** Mean D(x) on real data and on fakes (probabilities), for monitoring. */
  dReal: number;
  dFake: number;
}

type GanLossTensors = { [K in keyof GanLosses]: tf.Scalar };

export class GanTrainer {
  private readonly latent: Float32Array;
  private readonly rng: Random;
  /** The averaged generator (same architecture), when emaDecay > 0. */
  readonly emaGenerator: tf.LayersModel | null;
  /** Whether D (or a model nested in it) normalises batches, which rules out judging real and fake together. */
  private readonly discriminatorHasBatchNorm: boolean;

  constructor(
    readonly generator: tf.LayersModel,
    readonly discriminator: tf.LayersModel,
    readonly gOptimizer: tf.Optimizer,
    readonly dOptimizer: tf.Optimizer,
    readonly config: GanStepConfig,
    seed: number,
    /** A second instance of the generator's architecture, required when emaDecay > 0. */
    emaGenerator?: tf.LayersModel,
  ) {
    const decay = config.emaDecay ?? 0;
    if (!(decay >= 0 && decay < 1)) throw new Error(`gan.emaDecay must be in [0, 1), got ${decay}`);
    if (decay > 0 && !emaGenerator) throw new Error('gan.emaDecay > 0 needs an emaGenerator model');
    this.emaGenerator = decay > 0 ? emaGenerator! : null;
    if (this.emaGenerator) this.emaGenerator.setWeights(generator.getWeights());
    this.rng = new Random(seed);
    const hasBatchNorm = (layers: tf.layers.Layer[]): boolean =>
      layers.some((l) => l.getClassName() === 'BatchNormalization' || hasBatchNorm((l as unknown as { layers?: tf.layers.Layer[] }).layers ?? []));
    this.discriminatorHasBatchNorm = hasBatchNorm(discriminator.layers);
    this.latent = new Float32Array(config.batchSize * config.latentDim);
    const pack = config.pack ?? 1;
    if (!(Number.isInteger(pack) && pack >= 1 && config.batchSize % pack === 0)) {
      throw new Error(`gan.pack must be an integer ≥ 1 dividing batchSize ${config.batchSize}, got ${pack}`);
    }
    const s = config.labelSmoothing ?? 0;
    if (!(s >= 0 && s < 0.5)) throw new Error(`gan.labelSmoothing must be in [0, 0.5), got ${s}`);
  }

  /** Fresh latent noise z ~ N(0, I) for `n` samples (from the trainer's stream unless `rng` is given). */
  noise(n: number, rng: Random = this.rng): tf.Tensor2D {
    const d = this.config.latentDim;
    const buf = n * d <= this.latent.length ? this.latent.subarray(0, n * d) : new Float32Array(n * d);
    for (let i = 0; i < buf.length; i++) buf[i] = rng.normal();
    return tf.tensor2d(buf, [n, d]);
  }

  /** D's view of a batch: packed into [n / pack, pack · features] when packing. */
  private judge(x: tf.Tensor): tf.Tensor {
    const pack = this.config.pack ?? 1;
    const input = pack > 1 ? tf.reshape(x, [x.shape[0] / pack, -1]) : x;
    return this.discriminator.apply(input, { training: true }) as tf.Tensor;
  }

  /**
   * D's logits for the real and the fake batch. Without batch norm in D they are one pass over
   * the two batches stacked (the same numbers, half the kernel launches); with it, two passes, so
   * each batch is normalised by its own statistics as in DCGAN.
   */
  private judgeBoth(real: tf.Tensor, fake: tf.Tensor, m: number): [tf.Tensor, tf.Tensor] {
    if (this.discriminatorHasBatchNorm) return [this.judge(real), this.judge(fake)];
    const logits = this.judge(tf.concat([real, fake], 0));
    return [tf.slice(logits, [0, 0], [m, -1]), tf.slice(logits, [m, 0], [m, -1])];
  }

  private vars(model: tf.LayersModel): tf.Variable[] {
    return model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /**
   * One alternating step on a batch of real samples [batch, ...shape]. Returns the losses as
   * scalars still on the device (call `read` when you log, to avoid a host sync every step).
   */
  stepTensors(real: tf.Tensor): GanLossTensors {
    const n = real.shape[0];
    const { generator: G, discriminator: D } = this;
    const smooth = this.config.labelSmoothing ?? 0;
    const dSteps = this.config.dSteps ?? 1;
    return tf.tidy(() => {
      const m = n / (this.config.pack ?? 1);
      const ones = tf.ones([m, 1]);
      const zeros = tf.zeros([m, 1]);
      const realTarget = smooth > 0 ? tf.fill([m, 1], 1 - smooth) : ones;
      let dLoss: tf.Scalar = tf.scalar(0);
      let dReal: tf.Scalar = tf.scalar(0);
      let dFake: tf.Scalar = tf.scalar(0);
      for (let k = 0; k < dSteps; k++) {
        const fake = G.apply(this.noise(n), { training: true }) as tf.Tensor;
        let probs: [tf.Scalar, tf.Scalar] | null = null;
        dLoss = this.dOptimizer.minimize(
          () => {
            const [realLogits, fakeLogits] = this.judgeBoth(real, fake, m);
            probs = [tf.keep(tf.mean(tf.sigmoid(realLogits))), tf.keep(tf.mean(tf.sigmoid(fakeLogits)))];
            const loss = tf.add(binaryCrossEntropy(realTarget, realLogits), binaryCrossEntropy(zeros, fakeLogits));
            return tf.add(loss, regularizationLoss(D)) as tf.Scalar;
          },
          true,
          this.vars(D),
        )!;
        if (k > 0) tf.dispose([dReal, dFake]); // kept tensors of the previous D step
        [dReal, dFake] = probs!;
      }
      const gLoss = this.gOptimizer.minimize(
        () => {
          const fakeLogits = this.judge(G.apply(this.noise(n), { training: true }) as tf.Tensor);
          return tf.add(binaryCrossEntropy(ones, fakeLogits), regularizationLoss(G)) as tf.Scalar;
        },
        true,
        this.vars(G),
      )!;
      this.updateEma();
      return { dLoss, gLoss, dReal, dFake };
    });
  }

  /** ema ← decay·ema + (1 − decay)·w for every generator weight (batch-norm statistics included). */
  private updateEma(): void {
    if (!this.emaGenerator) return;
    const d = this.config.emaDecay!;
    const src = this.generator.weights;
    const dst = this.emaGenerator.weights;
    tf.tidy(() => {
      for (let i = 0; i < src.length; i++) dst[i].write(tf.add(tf.mul(dst[i].read(), d), tf.mul(src[i].read(), 1 - d)));
    });
  }

  /** The generator that samples are drawn from (the average when EMA is on). */
  get sampler(): tf.LayersModel {
    return this.emaGenerator ?? this.generator;
  }

  /** One step with the losses read back to the host. */
  step(real: tf.Tensor): GanLosses {
    const t = this.stepTensors(real);
    const out = GanTrainer.read(t);
    return out;
  }

  /** Read (and dispose) loss tensors. */
  static read(t: GanLossTensors): GanLosses {
    const out = { dLoss: t.dLoss.dataSync()[0], gLoss: t.gLoss.dataSync()[0], dReal: t.dReal.dataSync()[0], dFake: t.dFake.dataSync()[0] };
    tf.dispose([t.dLoss, t.gLoss, t.dReal, t.dFake]);
    return out;
  }

  /** Generate `n` samples (inference mode: batch norm uses its moving statistics). */
  sample(n: number, opts: { training?: boolean; batchSize?: number; rng?: Random } = {}): Float32Array {
    const bs = opts.batchSize ?? 500;
    const per = (this.generator.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
    const out = new Float32Array(n * per);
    for (let s = 0; s < n; s += bs) {
      const m = Math.min(bs, n - s);
      const y = tf.tidy(() => this.sampler.apply(this.noise(m, opts.rng), { training: opts.training ?? false }) as tf.Tensor);
      out.set(y.dataSync(), s * per);
      y.dispose();
    }
    return out;
  }

  /** Samples from a fixed latent batch (for comparable grids over training). */
  sampleFrom(z: tf.Tensor2D, training = false): Float32Array {
    const y = tf.tidy(() => this.sampler.apply(z, { training }) as tf.Tensor);
    const out = y.dataSync() as Float32Array;
    y.dispose();
    return out;
  }
}
