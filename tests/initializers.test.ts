import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, makeInitializer, type InitializerSpec } from '../src/layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function stats(values: Float32Array | Int32Array | Uint8Array): { mean: number; std: number; maxAbs: number } {
  let sum = 0;
  let maxAbs = 0;
  for (const v of values) {
    sum += v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length), maxAbs };
}

/** Kernel of a dense layer n → n built through buildModel (so fan_in = fan_out = n). */
function kernel(init: InitializerSpec, n: number, seed = 1): Float32Array {
  const model = buildModel([{ type: 'dense', units: n, kernelInitializer: init, name: 'd' }], [n], { seed });
  return model.getLayer('d').getWeights()[0]!.dataSync() as Float32Array;
}

const n = 400; // 160k weights: the sample std is within ~0.2% of the true one

describe('initialiser statistics over a 400×400 layer', () => {
  it('glorotNormal (Xavier): std = sqrt(2/(fan_in+fan_out)) = sqrt(1/n)', () => {
    const s = stats(kernel('glorotNormal', n));
    expect(Math.abs(s.std / Math.sqrt(1 / n) - 1)).toBeLessThan(0.05);
    expect(Math.abs(s.mean)).toBeLessThan(0.01 * Math.sqrt(1 / n) * 10);
    expect(s.maxAbs).toBeLessThanOrEqual((2 * Math.sqrt(1 / n)) / 0.87962566 + 1e-6); // truncated at 2σ'
  });
  it('glorotUniform: U(±sqrt(6/(fan_in+fan_out))), std = sqrt(1/n)', () => {
    const s = stats(kernel('glorotUniform', n));
    expect(Math.abs(s.std / Math.sqrt(1 / n) - 1)).toBeLessThan(0.05);
    expect(s.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / (2 * n)));
  });
  it('heNormal: std = sqrt(2/n)', () => {
    const s = stats(kernel('heNormal', n));
    expect(Math.abs(s.std / Math.sqrt(2 / n) - 1)).toBeLessThan(0.05);
  });
  it('heUniform: U(±sqrt(6/fan_in)), std = sqrt(2/n)', () => {
    const s = stats(kernel('heUniform', n));
    expect(Math.abs(s.std / Math.sqrt(2 / n) - 1)).toBeLessThan(0.05);
    expect(s.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / n));
  });
  it('normal(0.01): std 0.01, not truncated', () => {
    const s = stats(kernel({ type: 'normal', std: 0.01 }, n));
    expect(Math.abs(s.std / 0.01 - 1)).toBeLessThan(0.05);
    expect(s.maxAbs).toBeGreaterThan(0.03); // beyond 2σ: a truncated normal would never get there
  });
  it('zeros', () => {
    expect(kernel('zeros', 8).every((v) => v === 0)).toBe(true);
  });
  it('fanInUniform (PyTorch\'s default): kernel and bias U(±1/sqrt(fan_in)), dense and conv', () => {
    // Dense 1024 → 128 (the MinAtar net's hidden layer) and conv 3×3 over 7 channels → 16.
    const dense = buildModel([{ type: 'dense', units: 128, kernelInitializer: 'fanInUniform', biasInitializer: 'fanInUniform', name: 'd' }], [1024], { seed: 4 });
    const conv = buildModel([{ type: 'conv2d', filters: 16, kernelSize: 3, kernelInitializer: 'fanInUniform', biasInitializer: 'fanInUniform', name: 'c' }], [10, 10, 7], { seed: 4 });
    for (const [model, name, fanIn] of [[dense, 'd', 1024], [conv, 'c', 63]] as const) {
      const [w, b] = model.getLayer(name).getWeights().map((t) => t.dataSync() as Float32Array);
      const bound = 1 / Math.sqrt(fanIn);
      const sw = stats(w!);
      expect(sw.maxAbs).toBeLessThanOrEqual(bound);
      expect(sw.maxAbs).toBeGreaterThan(0.95 * bound);
      expect(Math.abs(sw.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
      // The bias uses the layer's fan_in, not its own length (128 or 16).
      const sb = stats(b!);
      expect(sb.maxAbs).toBeLessThanOrEqual(bound);
      expect(sb.maxAbs).toBeGreaterThan(0.5 * bound);
      expect(b!.some((v) => v !== 0)).toBe(true);
    }
  });
  it('conv fans: heNormal std = sqrt(2 / (k·k·c_in))', () => {
    const model = buildModel([{ type: 'conv2d', filters: 64, kernelSize: 5, kernelInitializer: 'heNormal', name: 'c' }], [8, 8, 32], {
      seed: 3,
    });
    const s = stats(model.getLayer('c').getWeights()[0]!.dataSync() as Float32Array);
    expect(Math.abs(s.std / Math.sqrt(2 / (5 * 5 * 32)) - 1)).toBeLessThan(0.05);
  });
});

describe('initialiser seeding', () => {
  for (const init of ['glorotNormal', 'glorotUniform', 'heNormal', 'heUniform', 'fanInUniform', { type: 'normal', std: 0.01 }] as InitializerSpec[]) {
    it(`${JSON.stringify(init)}: same seed bitwise identical, different seed different`, () => {
      const a = makeInitializer(init, 7).apply([50, 20]).dataSync();
      const b = makeInitializer(init, 7).apply([50, 20]).dataSync();
      const c = makeInitializer(init, 8).apply([50, 20]).dataSync();
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
      let differ = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== c[i]) differ++;
      expect(differ).toBeGreaterThan(a.length * 0.99);
    });
  }
});
