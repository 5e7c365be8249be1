import { describe, expect, it } from 'vitest';
import { curvesSvg, renderMarkdown, summarizeRows } from '../node/sweep/report';
import { normalisedScore, referenceFor } from '../node/sweep/references';
import { parseSweep } from '../node/sweep/schema';
import type { RunRow } from '../node/sweep/store';

function row(env: string, configHash: string, hyperparams: Record<string, unknown>, seed: number, finalMean: number, curve: [number, number][]): RunRow {
  return {
    key: `${env}/${configHash}/seed-${seed}`,
    env,
    configHash,
    configLabel: Object.entries(hyperparams).map(([k, v]) => `${k}=${v}`).join(' '),
    hyperparams,
    seed,
    steps: 1000,
    runDir: `runs/${env}/${configHash}/seed-${seed}`,
    status: 'done',
    finalMean,
    finalStd: 0,
    bestMean: finalMean,
    auc: curve.reduce((a, [, v]) => a + v, 0) / curve.length,
    stepsToThreshold: curve.find(([, v]) => v >= 475)?.[0] ?? null,
    wallSeconds: 10,
    sps: 100,
    error: null,
    attempts: 1,
    curve,
    startedAt: null,
    finishedAt: null,
  };
}

const sweep = parseSweep({ envs: ['CartPole-v1', 'MinAtar/Breakout-v1'], steps: 1000, seeds: [1, 2] });
const A = { learningRate: 0.001 };
const B = { learningRate: 0.0001 };
const rows: RunRow[] = [
  row('CartPole-v1', 'a1', A, 1, 500, [[500, 100], [1000, 500]]),
  row('CartPole-v1', 'a1', A, 2, 480, [[500, 300], [1000, 480]]),
  row('CartPole-v1', 'b1', B, 1, 100, [[500, 50], [1000, 100]]),
  row('CartPole-v1', 'b1', B, 2, 120, [[500, 60], [1000, 120]]),
  row('MinAtar/Breakout-v1', 'a2', A, 1, 10, [[500, 2], [1000, 10]]),
  row('MinAtar/Breakout-v1', 'a2', A, 2, 12, [[500, 3], [1000, 12]]),
  row('MinAtar/Breakout-v1', 'b2', B, 1, 14, [[500, 4], [1000, 14]]),
  row('MinAtar/Breakout-v1', 'b2', B, 2, 16, [[500, 5], [1000, 16]]),
  { ...row('MinAtar/Breakout-v1', 'b2', B, 3, 0, []), status: 'failed', finalMean: null, auc: null, error: 'Error: boom\n  at somewhere' },
];

describe('sweep report', () => {
  it('normalises against the reference table and ranks configs across games', () => {
    const cp = referenceFor('CartPole-v1')!;
    expect(cp).toMatchObject({ random: 22.2, reference: 500, threshold: 475 });
    expect(normalisedScore(500, cp)).toBe(1);
    expect(normalisedScore(22.2, cp)).toBe(0);
    expect(referenceFor('MinAtar/Breakout-v1', { 'MinAtar/Breakout-v1': { reference: 20 } })).toMatchObject({ random: 0.39, reference: 20 });
    expect(referenceFor('Nope-v0')).toBeNull();

    const data = summarizeRows(sweep, rows);
    expect(data.counts).toEqual({ done: 8, failed: 1, unfinished: 0, total: 9 });
    const a = data.overall.find((o) => o.label === 'learningRate=0.001')!;
    const b = data.overall.find((o) => o.label === 'learningRate=0.0001')!;
    expect(a.perEnv['CartPole-v1']).toBeCloseTo((490 - 22.2) / (500 - 22.2), 10);
    // Normalised by the reference table's own values (the paper's 5M-frame score for Breakout).
    const bo = referenceFor('MinAtar/Breakout-v1')!;
    expect(a.perEnv['MinAtar/Breakout-v1']).toBeCloseTo((11 - bo.random) / (bo.reference - bo.random), 10);
    expect(b.perEnv['MinAtar/Breakout-v1']).toBeCloseTo((15 - bo.random) / (bo.reference - bo.random), 10);
    expect(a.score).toBeCloseTo((a.perEnv['CartPole-v1']! + a.perEnv['MinAtar/Breakout-v1']!) / 2, 12);
    expect(data.overall.map((o) => o.label)).toEqual(['learningRate=0.001', 'learningRate=0.0001']);
    // Best per env differs: A on CartPole, B on Breakout.
    expect(data.configs.filter((c) => c.best).map((c) => c.configHash).sort()).toEqual(['a1', 'b2']);
    const b2 = data.configs.find((c) => c.configHash === 'b2')!;
    expect([b2.seeds, b2.planned, b2.failed]).toEqual([2, 3, 1]);
    const a1 = data.configs.find((c) => c.configHash === 'a1')!;
    expect(a1.stepsToThreshold).toBe(1000); // both seeds first reach 475 at step 1000
    expect(a1.reached).toBe(2);
    expect(a1.band.map((p) => p.mean)).toEqual([200, 490]);
  });

  it('renders tables, failures and an SVG with one band and line per config', () => {
    const data = summarizeRows(sweep, rows);
    const md = renderMarkdown(data);
    expect(md).toContain('| **best** learningRate=0.001 | a1 | 2/2 | 490.0 ± 127.1 [362.9, 617.1] | 345.0 | 1000 (2/2) | 10.0 | 100 |');
    expect(md).toContain('| learningRate=0.0001 | b1 | 2/2 | 110.0 ± 127.1 [-17.1, 237.1] | 82.5 | never (0/2) |');
    expect(md).toContain('| b2 | 2/3 (1 failed) |');
    expect(md).toContain('- `MinAtar/Breakout-v1/b2/seed-3`: Error: boom');
    expect(md).not.toContain('at somewhere');
    const svg = curvesSvg(data.configs.filter((c) => c.env === 'CartPole-v1'), 'CartPole');
    expect(svg.match(/<polygon/g)).toHaveLength(2);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('learningRate=0.001 (a1, 2 seeds)');
  });
});
