import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../src/layers';
import { createOptimizer } from '../src/optimizers';
import { xor, spiral, linearRegression } from '../supervised/datasets';
import { fit, evaluate, predict } from '../supervised/fit';
import { freezeFirst, replaceHead, unfreezeAll, bodyLayers } from '../supervised/transfer';
import { ImageAugmenter } from '../supervised/augment';
import { Random } from '../src/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fit', () => {
  it('drives XOR loss under 0.05 and reaches 100% accuracy', async () => {
    const data = xor({ size: 200, noise: 0.1, seed: 0 });
    const model = buildModel([{ type: 'dense', units: 16, activation: 'tanh' }, { type: 'dense', units: 2 }], [2], { seed: 1 });
    const { history } = await fit(model, data, { epochs: 60, batchSize: 32, optimizer: createOptimizer({ type: 'adam', learningRate: 0.02 }), seed: 2 });
    expect(history[0].loss).toBeGreaterThan(0.3);
    const ev = evaluate(model, data);
    expect(ev.loss).toBeLessThan(0.05);
    expect(ev.accuracy).toBe(1);
  });

  it('is reproducible from the seed and keeps memory flat', async () => {
    const data = spiral({ arms: 3, pointsPerArm: 40, seed: 0 });
    const run = async () => {
      const model = buildModel([{ type: 'dense', units: 16, activation: 'relu' }, { type: 'dropout', rate: 0.1 }, { type: 'dense', units: 3 }], [2], { seed: 3 });
      const opt = createOptimizer({ type: 'adam', learningRate: 0.01 });
      await fit(model, data, { epochs: 2, batchSize: 16, optimizer: opt, seed: 4 });
      const before = tf.memory().numTensors;
      const r = await fit(model, data, { epochs: 3, batchSize: 16, optimizer: opt, seed: 4, validationSplit: 0.2 });
      expect(tf.memory().numTensors).toBe(before);
      const w = model.getWeights()[0].dataSync().slice();
      model.dispose();
      opt.dispose();
      return { w, losses: r.history.map((h) => h.loss) };
    };
    const a = await run();
    const b = await run();
    expect(Array.from(a.w)).toEqual(Array.from(b.w));
    expect(a.losses).toEqual(b.losses);
  });

  it('fits the regression 3·x0 + 2·x1 and reports MSE/MAE', async () => {
    const data = linearRegression({ size: 256, seed: 0 });
    const model = buildModel([{ type: 'dense', units: 1 }], [2], { seed: 0 });
    await fit(model, data, { epochs: 60, batchSize: 32, optimizer: createOptimizer({ type: 'adam', learningRate: 0.1 }), seed: 0 });
    const ev = evaluate(model, data);
    expect(ev.mse).toBeLessThan(1e-3);
    expect(ev.mae).toBeLessThan(0.03);
    const k = model.getWeights()[0].dataSync();
    expect(k[0]).toBeCloseTo(3, 1);
    expect(k[1]).toBeCloseTo(2, 1);
  });

  it('L2 regularisation shrinks the weights', async () => {
    const data = linearRegression({ size: 128, seed: 1 });
    const train = async (l2: number) => {
      const model = buildModel([{ type: 'dense', units: 1, kernelRegularizer: { l2 } }], [2], { seed: 0 });
      await fit(model, data, { epochs: 60, batchSize: 32, optimizer: createOptimizer({ type: 'adam', learningRate: 0.1 }), seed: 0 });
      const k = model.getWeights()[0].dataSync();
      return Math.hypot(k[0], k[1]);
    };
    const plain = await train(0);
    const shrunk = await train(1);
    // With penalty λ‖w‖² and unit-variance-ish inputs (var 1/3), the optimum is w* · (1/3)/(1/3 + λ).
    expect(plain).toBeCloseTo(Math.hypot(3, 2), 1);
    expect(shrunk).toBeLessThan(plain * 0.4);
  });

  it('early stopping stops on a stalled monitor and restores the best weights', async () => {
    const data = spiral({ arms: 3, pointsPerArm: 30, seed: 0 });
    const model = buildModel([{ type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 3 }], [2], { seed: 0 });
    // A huge learning rate makes validation loss blow up after the first epochs.
    const r = await fit(model, data, {
      epochs: 50, batchSize: 8, optimizer: createOptimizer({ type: 'sgd', learningRate: 5 }), seed: 0,
      validationSplit: 0.3, earlyStopping: { monitor: 'valLoss', patience: 3, restoreBest: true },
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.epochs).toBeLessThan(50);
    const best = Math.min(...r.history.map((h) => h.valLoss!));
    expect(r.history[r.bestEpoch! - 1].valLoss).toBe(best);
    expect(r.epochs).toBe(r.bestEpoch! + 3);
  });

  it('predict returns softmax probabilities batched', () => {
    const model = buildModel([{ type: 'dense', units: 4 }], [3], { seed: 0 });
    const x = new Float32Array(5 * 3).map((_, i) => i / 10);
    const p = predict(model, x, [3], { batchSize: 2, softmax: true });
    expect(p.length).toBe(20);
    for (let i = 0; i < 5; i++) expect(p.slice(i * 4, i * 4 + 4).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    const direct = (model.predict(tf.tensor2d(x, [5, 3])) as tf.Tensor).softmax().dataSync();
    for (let i = 0; i < 20; i++) expect(p[i]).toBeCloseTo(direct[i], 5);
  });
});

describe('transfer learning', () => {
  it('frozen layers stay bitwise unchanged; the new head and unfrozen layers train', async () => {
    const data = spiral({ arms: 3, pointsPerArm: 30, seed: 0 });
    const base = buildModel(
      [
        { type: 'dense', units: 16, activation: 'relu', name: 'f1' },
        { type: 'dense', units: 16, activation: 'relu', name: 'f2' },
        { type: 'dense', units: 5, name: 'old_head' },
      ],
      [2],
      { seed: 0 },
    );
    const basePrefix = base.getWeights().slice(0, 4).map((w) => Array.from(w.dataSync()));
    const { model, baseLayers } = replaceHead(base, { cutAfter: 1, head: [{ type: 'dense', units: 3 }], seed: 1 });
    expect(baseLayers).toBe(2);
    expect(model.getWeights().slice(0, 4).map((w) => Array.from(w.dataSync()))).toEqual(basePrefix);
    freezeFirst(model, baseLayers);
    const frozen = bodyLayers(model).slice(0, 2).flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
    const headBefore = Array.from(bodyLayers(model)[2].getWeights()[0].dataSync());
    await fit(model, data, { epochs: 3, batchSize: 16, optimizer: createOptimizer({ type: 'adam', learningRate: 0.05 }), seed: 0 });
    const frozenAfter = bodyLayers(model).slice(0, 2).flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
    expect(frozenAfter).toEqual(frozen);
    expect(Array.from(bodyLayers(model)[2].getWeights()[0].dataSync())).not.toEqual(headBefore);

    // Fine-tune: unfreeze and train at a lower learning rate with a fresh optimiser.
    unfreezeAll(model);
    await fit(model, data, { epochs: 1, batchSize: 16, optimizer: createOptimizer({ type: 'adam', learningRate: 0.001 }), seed: 0 });
    const tuned = bodyLayers(model).slice(0, 2).flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
    expect(tuned).not.toEqual(frozen);
  });
});

describe('augmentation', () => {
  it('shifts images by whole pixels with fill, seeded', () => {
    const aug = new ImageAugmenter([3, 3, 1], { maxShift: 1, fill: 0 });
    const img = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const seen = new Set<string>();
    for (let s = 0; s < 40; s++) {
      const b = img.slice();
      aug.apply(b, 1, new Random(s));
      // every output is the image shifted by (dy, dx) ∈ {−1, 0, 1}²
      const ok = [-1, 0, 1].some((dy) => [-1, 0, 1].some((dx) => b.every((v, i) => {
        const y = Math.floor(i / 3) - dy, x = (i % 3) - dx;
        return v === (y < 0 || y > 2 || x < 0 || x > 2 ? 0 : img[y * 3 + x]);
      })));
      expect(ok).toBe(true);
      seen.add(b.join());
    }
    expect(seen.size).toBeGreaterThan(5);
    const a1 = img.slice(), a2 = img.slice();
    new ImageAugmenter([3, 3, 1], { noiseStd: 0.1, clamp: null }).apply(a1, 1, new Random(7));
    new ImageAugmenter([3, 3, 1], { noiseStd: 0.1, clamp: null }).apply(a2, 1, new Random(7));
    expect(a1).toEqual(a2);
    expect(a1).not.toEqual(img);
  });
});
