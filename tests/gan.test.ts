import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../src/layers';
import { createOptimizer } from '../src/optimizers';
import { GanTrainer } from '../gan/train';
import { dcganGenerator28, dcganDiscriminator, ringGenerator, ringDiscriminator } from '../gan/specs';
import { resolveGanConfig, GanConfigError } from '../gan/config';
import { runGan } from '../node/run-gan';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const flat = (m: tf.LayersModel) => m.trainableWeights.map((w) => Array.from(w.read().dataSync()));

describe('GAN step', () => {
  it('one DCGAN step changes both networks with finite losses; memory flat', () => {
    const G = buildModel(dcganGenerator28({ baseFilters: 16 }), [8], { seed: 1 });
    const D = buildModel(dcganDiscriminator({ baseFilters: 8 }), [28, 28, 1], { seed: 2 });
    expect(G.outputs[0].shape).toEqual([null, 28, 28, 1]);
    const adam = () => createOptimizer({ type: 'adam', learningRate: 2e-4, beta1: 0.5 });
    const t = new GanTrainer(G, D, adam(), adam(), { latentDim: 8, batchSize: 4, labelSmoothing: 0.1 }, 3);
    const g0 = flat(G);
    const d0 = flat(D);
    const real = tf.randomUniform([4, 28, 28, 1], -1, 1, 'float32', 5);
    const l = t.step(real);
    for (const v of Object.values(l)) expect(Number.isFinite(v)).toBe(true);
    expect(l.dLoss).toBeGreaterThan(0);
    expect(l.gLoss).toBeGreaterThan(0);
    const changed = (a: number[][], b: number[][]) => a.every((w, i) => w.some((v, j) => v !== b[i][j]));
    expect(changed(flat(G), g0)).toBe(true);
    expect(changed(flat(D), d0)).toBe(true);
    const before = tf.memory().numTensors;
    t.step(real);
    expect(tf.memory().numTensors).toBe(before);
    const s = t.sample(3);
    expect(s.length).toBe(3 * 784);
    expect(Math.max(...s)).toBeLessThanOrEqual(1);
    expect(Math.min(...s)).toBeGreaterThanOrEqual(-1);
    real.dispose();
  });

  it('D judges real and fake in one stacked pass with the same logits as two passes', () => {
    const G = buildModel(ringGenerator(8), [4], { seed: 1 });
    const D = buildModel(ringDiscriminator(8), [2 * 2], { seed: 2 });
    const sgd = () => createOptimizer({ type: 'sgd', learningRate: 0.1 });
    const t = new GanTrainer(G, D, sgd(), sgd(), { latentDim: 4, batchSize: 6, pack: 2 }, 3);
    const real = tf.randomNormal([6, 2], 0, 1, 'float32', 4);
    const fake = tf.randomNormal([6, 2], 0, 1, 'float32', 5);
    const judge = t as unknown as { judge(x: tf.Tensor): tf.Tensor; judgeBoth(r: tf.Tensor, f: tf.Tensor, m: number): [tf.Tensor, tf.Tensor] };
    const [jr, jf] = judge.judgeBoth(real, fake, 3);
    expect(jr.shape).toEqual([3, 1]);
    const close = (a: tf.Tensor, b: tf.Tensor) => Array.from(a.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(b.dataSync()[i], 5));
    close(jr, judge.judge(real));
    close(jf, judge.judge(fake));
    tf.dispose([real, fake, jr, jf]);
  });

  it('packing, EMA and seeded latents are reproducible', () => {
    const make = () => {
      const G = buildModel(ringGenerator(16), [4], { seed: 1 });
      const E = buildModel(ringGenerator(16), [4], { seed: 9 });
      const D = buildModel(ringDiscriminator(16), [2 * 4], { seed: 2 });
      const adam = () => createOptimizer({ type: 'adam', learningRate: 1e-3, beta1: 0.5 });
      return new GanTrainer(G, D, adam(), adam(), { latentDim: 4, batchSize: 8, pack: 4, emaDecay: 0.5 }, 7, E);
    };
    const a = make();
    const b = make();
    const real = tf.randomNormal([8, 2], 0, 1, 'float32', 3);
    const la = a.step(real);
    const lb = b.step(real);
    expect(la).toEqual(lb);
    // EMA with decay 0.5 after one step = average of the initial and the updated weights.
    const g = a.generator.getWeights()[0].dataSync();
    const e = a.emaGenerator!.getWeights()[0].dataSync();
    const init = buildModel(ringGenerator(16), [4], { seed: 1 }).getWeights()[0].dataSync();
    for (let i = 0; i < 5; i++) expect(e[i]).toBeCloseTo((g[i] + init[i]) / 2, 6);
    expect(Array.from(a.sample(5))).toEqual(Array.from(b.sample(5)));
    expect(() => new GanTrainer(a.generator, a.discriminator, createOptimizer({ type: 'sgd', learningRate: 1 }), createOptimizer({ type: 'sgd', learningRate: 1 }), { latentDim: 4, batchSize: 6, pack: 4 }, 0)).toThrow(/pack/);
    real.dispose();
  });

  it('config validation names every bad field', () => {
    expect(() => resolveGanConfig({ dataset: 'cifar', steps: -1 })).toThrow(GanConfigError);
    try {
      resolveGanConfig({ dataset: 'cifar', steps: -1 });
    } catch (err) {
      expect((err as Error).message).toMatch(/config\.dataset/);
      expect((err as Error).message).toMatch(/config\.steps/);
    }
    const c = resolveGanConfig({ dataset: 'ring' });
    expect([c.pack, c.batchSize, c.emaDecay]).toEqual([4, 256, 0.999]);
    expect(() => resolveGanConfig({ dataset: 'ring', generator: [{ type: 'dense', units: -3 }] })).toThrow(/config\.generator\.0\.units/);
    expect(() => resolveGanConfig({ dataset: 'ring', maxMinutes: 0 })).toThrow(/config\.maxMinutes/);
    expect(() => resolveGanConfig({ dataset: 'ring', learningRateEnd: -1e-4 })).toThrow(/config\.learningRateEnd/);
  });
});

describe('keiko gan run', () => {
  it('uses the given specs and stops at the time budget with the steps done recorded', async () => {
    const out = mkdtempSync(join(tmpdir(), 'keiko-gan-'));
    try {
      const generator = [{ type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 2, name: 'g_out' }];
      const discriminator = [{ type: 'dense', units: 8, activation: 'relu', name: 'd_hidden' }, { type: 'dense', units: 1 }];
      // 0.002 minutes = 120 ms: far fewer than the 100,000 steps asked for.
      const cfg = resolveGanConfig({ dataset: 'ring', steps: 100_000, batchSize: 16, maxMinutes: 0.002, evalSamples: 200, generator, discriminator });
      const s = await runGan(cfg, { outDir: out, backend: 'cpu' });
      expect(s.steps).toBeGreaterThan(0);
      expect(s.steps).toBeLessThan(100_000);
      expect(s.wallSeconds).toBeLessThan(30);
      const saved = JSON.parse(readFileSync(join(out, 'generator', 'spec.json'), 'utf8'));
      expect(JSON.stringify(saved)).toContain('g_out');
      expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).steps).toBe(s.steps);
      expect(existsSync(join(out, 'samples', `step-${String(s.steps).padStart(6, '0')}.png`))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
