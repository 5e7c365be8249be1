/**
 * A tiny real sweep end to end (the DQN trainer of node/run-training.ts in worker threads):
 * CartPole, 2 seeds × 800 steps. Checks the plumbing, not learning: each run is a complete run
 * directory, the store agrees with each run's summary.json and with results.csv, and the report
 * is written.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSweep } from '../node/sweep/run-sweep';
import { parseCsv, ResultsStore } from '../node/sweep/store';

describe('sweep with the real DQN trainer', () => {
  it('runs a tiny CartPole sweep on two worker threads', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'keiko-sweep-real-')), 'out');
    const summary = await runSweep('tests/fixtures/sweeps/real-tiny.yaml', { outDir: out, workers: 2 });
    const store = new ResultsStore(join(out, 'results.db'));
    const rows = store.rows();
    store.close();
    expect(rows.map((r) => [r.status, r.error])).toEqual([
      ['done', null],
      ['done', null],
    ]);
    expect(summary.counts.done).toBe(2);
    for (const r of rows) {
      const dir = join(out, r.runDir);
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { seed: number; env: string; steps: number };
      expect(config).toMatchObject({ seed: r.seed, env: 'CartPole-v1', steps: 800 });
      const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { finalEval: { meanReturn: number }; steps: number };
      expect(s.steps).toBe(800);
      expect(r.finalMean).toBe(s.finalEval.meanReturn);
      // A CartPole episode returns between 8 and 500.
      expect(r.finalMean!).toBeGreaterThanOrEqual(8);
      expect(r.finalMean!).toBeLessThanOrEqual(500);
      expect(r.curve.map(([step]) => step)).toEqual(expect.arrayContaining([400, 800]));
      expect(r.sps!).toBeGreaterThan(0);
      expect(existsSync(join(dir, 'checkpoints', 'latest'))).toBe(true);
    }
    const csv = parseCsv(readFileSync(join(out, 'results.csv'), 'utf8'));
    expect(csv.map((c) => [c.key, c.status, Number(c.final_mean)])).toEqual(rows.map((r) => [r.key, 'done', r.finalMean]));
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('| **best** base |');
  }, 180_000);
});
