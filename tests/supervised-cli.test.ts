import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSupervised } from '../node/run-supervised';
import { resolveSupervisedConfig, SupervisedConfigError } from '../supervised/config';
import { loadModelDir } from '../node/model-dir';
import { evaluate } from '../supervised/fit';
import { xor } from '../supervised/datasets';

describe('keiko supervised run directory', () => {
  it('writes metrics.jsonl, a loadable model and summary.json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'keiko-sup-'));
    const cfg = resolveSupervisedConfig({ dataset: 'xor', epochs: 40, seed: 1 });
    const { summary } = await runSupervised(cfg, { outDir: out, backend: 'cpu' });
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    for (const k of ['testAccuracy', 'testLoss', 'epochs', 'wallSeconds', 'backend']) expect(s).toHaveProperty(k);
    expect(s.backend).toBe('cpu');
    expect(s.epochs).toBe(40);
    expect(summary.testAccuracy).toBeGreaterThan(0.95);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'epoch')).toHaveLength(40);
    expect(lines.at(-1).type).toBe('test');
    expect(existsSync(join(out, 'config.json'))).toBe(true);
    const { model } = loadModelDir(join(out, 'model'));
    expect(evaluate(model, xor({ size: 100, seed: 99 })).accuracy).toBeGreaterThan(0.95);
  });

  it('rejects bad configs listing every problem by path', () => {
    try {
      resolveSupervisedConfig({ dataset: 'imagenet', batchSize: 0, dropout: 1.5, model: [{ type: 'dense' }] });
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(SupervisedConfigError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/config\.dataset/);
      expect(msg).toMatch(/config\.batchSize/);
      expect(msg).toMatch(/config\.dropout/);
    }
    expect(() => resolveSupervisedConfig({ dataset: 'spiral', model: 'cnn' })).toThrow(/cnn.*needs image data/);
    expect(() => resolveSupervisedConfig({ dataset: 'mnist', model: [{ type: 'dense' }] })).toThrow(/config\.model/);
  });
});
