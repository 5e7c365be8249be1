/** The viewer's pure parts: playback timing, chart ticks, metrics series, replay validation, fixtures. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeViewerFixtures } from '../scripts/make-viewer-fixtures';
import { niceTicks, formatTick } from '../viewer/src/chart';
import { appendMetrics, downsample, emptySeries, movingAverage } from '../viewer/src/metrics';
import { Playback } from '../viewer/src/player';
import { checkReplay } from '../viewer/src/validate';

const FIXTURES = new URL('./fixtures/runs/', import.meta.url).pathname;

describe('Playback', () => {
  it('advances by wall time at the chosen speed, carrying fractions', () => {
    const p = new Playback(100, 30);
    p.togglePlay();
    expect(p.tick(100)).toBe(true); // 30 steps/s × 0.1 s = 3 steps
    expect(p.position).toBe(3);
    p.speed = 0.25; // 7.5 steps/s: 0.1 s → 0.75 step, so nothing, then the carry completes a step
    expect(p.tick(100)).toBe(false);
    expect(p.tick(100)).toBe(true);
    expect(p.position).toBe(4);
    p.speed = 8;
    p.tick(200); // 48 steps
    expect(p.position).toBe(52);
  });

  it('stops at the final frame, or wraps when looping', () => {
    const p = new Playback(10, 10);
    p.seek(8);
    p.togglePlay();
    p.tick(250); // 2.5 steps → would pass the end
    expect(p.position).toBe(10);
    expect(p.playing).toBe(false);
    p.togglePlay(); // playing from the end restarts
    expect(p.position).toBe(0);
    p.loop = true;
    p.seek(9);
    p.tick(250); // 9 + 2 = 11 → wraps over 11 positions to 0
    expect(p.position).toBe(0);
    expect(p.playing).toBe(true);
  });

  it('steps and seeks within bounds and pauses on a manual step', () => {
    const p = new Playback(5);
    p.togglePlay();
    p.step(-1);
    expect(p.position).toBe(0);
    expect(p.playing).toBe(false);
    p.step(3);
    p.step(10);
    expect(p.position).toBe(5);
    p.seek(2.6);
    expect(p.position).toBe(3);
    for (let i = 0; i < 10; i++) p.changeSpeed(1);
    expect(p.speed).toBe(8);
    for (let i = 0; i < 10; i++) p.changeSpeed(-1);
    expect(p.speed).toBe(0.25);
  });
});

describe('chart ticks', () => {
  it('picks round steps covering the range', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-200, -110, 5)).toEqual([-200, -180, -160, -140, -120]);
    expect(niceTicks(0.013, 0.48, 4)).toEqual([0.2, 0.4]); // raw step 0.117 → 0.2
    expect(niceTicks(0.013, 0.48, 5)).toEqual([0.1, 0.2, 0.3, 0.4]); // raw step 0.093 → 0.1
    expect(niceTicks(5, 5, 4)).toEqual([4.5, 5, 5.5]); // a flat series gets ±10% room
    expect(formatTick(25000)).toBe('25k');
    expect(formatTick(2_500_000)).toBe('2.5M');
  });
});

describe('metrics series', () => {
  it('collects episode, eval (with ±std band) and loss points, ignoring bad lines', () => {
    const s = appendMetrics(emptySeries(), [
      { type: 'episode', step: 10, episode: 0, return: 9, length: 10 },
      { type: 'eval', step: 20, meanReturn: 15, stdReturn: 2, episodes: 3 },
      { type: 'train', step: 20, loss: 0.5 },
      { type: 'episode', step: 'x', return: 1 },
      { type: 'mystery', step: 30 },
    ]);
    expect(s.episodeReturns).toEqual([{ x: 10, y: 9 }]);
    expect(s.evalMeans).toEqual([{ x: 20, y: 15 }]);
    expect(s.evalBand).toEqual([{ x: 20, lo: 13, hi: 17 }]);
    expect(s.losses).toEqual([{ x: 20, y: 0.5 }]);
    expect(s.curves).toEqual({});
  });

  it('collects the curves of supervised (per epoch) and GAN (per step) runs', () => {
    const s = appendMetrics(emptySeries(), [
      { type: 'epoch', epoch: 1, loss: 0.9, accuracy: 0.5, valLoss: 1.0, seconds: 1 },
      { type: 'epoch', epoch: 2, loss: 0.7, accuracy: 0.6, valLoss: 0.8, valAccuracy: 0.55, seconds: 2 },
      { type: 'test', loss: 0.2, accuracy: 0.9 },
      { type: 'gan', step: 50, dLoss: 1.3, gLoss: 0.8, dReal: 0.6, dFake: 0.4, seconds: 1 },
      { type: 'score', step: 100, classifierScore: 4.2, samples: 1000 },
      { type: 'epoch', loss: 0.1 }, // no epoch: skipped
    ]);
    expect(s.curves).toEqual({
      'epoch.loss': [{ x: 1, y: 0.9 }, { x: 2, y: 0.7 }],
      'epoch.accuracy': [{ x: 1, y: 0.5 }, { x: 2, y: 0.6 }],
      'epoch.valLoss': [{ x: 1, y: 1.0 }, { x: 2, y: 0.8 }],
      'epoch.valAccuracy': [{ x: 2, y: 0.55 }],
      'gan.dLoss': [{ x: 50, y: 1.3 }], 'gan.gLoss': [{ x: 50, y: 0.8 }], 'gan.dReal': [{ x: 50, y: 0.6 }], 'gan.dFake': [{ x: 50, y: 0.4 }],
      'score.classifierScore': [{ x: 100, y: 4.2 }],
    });
    expect(s.episodeReturns).toEqual([]);
    expect(s.losses).toEqual([]);
  });

  it('downsamples to bucket means and smooths with a trailing window', () => {
    const pts = Array.from({ length: 10 }, (_, i) => ({ x: i, y: i * i }));
    expect(downsample(pts, 5)).toEqual([0, 1, 2, 3, 4].map((b) => ({ x: 2 * b + 0.5, y: ((2 * b) ** 2 + (2 * b + 1) ** 2) / 2 })));
    expect(downsample(pts, 20)).toEqual(pts);
    expect(movingAverage(pts.slice(0, 4), 2).map((p) => p.y)).toEqual([0, 0.5, 2.5, 6.5]);
  });
});

describe('replay validation (bundled in the app)', () => {
  const read = (run: string, name: string): string => readFileSync(join(FIXTURES, run, 'replays', name), 'utf8');

  it('accepts the recorded fixtures', () => {
    for (const run of ['cartpole', 'mountaincar', 'acrobot', 'breakout', 'custom']) {
      for (const name of readdirSync(join(FIXTURES, run, 'replays'))) {
        if (run === 'cartpole' && /ep00000[78]/.test(name)) continue;
        const check = checkReplay(name, read(run, name));
        expect(check.ok, `${run}/${name}: ${!check.ok && check.message}`).toBe(true);
      }
    }
  });

  it('names the file, the zod path and the problem of a malformed replay', () => {
    const check = checkReplay('train-ep000007-step000009000.json', read('cartpole', 'train-ep000007-step000009000.json'));
    expect(check.ok).toBe(false);
    const message = !check.ok ? check.message : '';
    expect(message).toMatch(/^train-ep000007-step000009000\.json: not a valid replay file/);
    expect(message).toMatch(/steps\.2\.epsilon: .*(<=|1)/);
    expect(message).toMatch(/finalFrame: /);
  });

  it('says a truncated file is not valid JSON', () => {
    const check = checkReplay('t.json', read('cartpole', 'train-ep000008-step000009500.json'));
    expect(!check.ok && check.message).toMatch(/^t\.json: not valid JSON, the file is truncated or corrupt/);
  });
});

describe('fixture generator', () => {
  it('is deterministic and the committed fixtures are what it writes', () => {
    const out = mkdtempSync(join(tmpdir(), 'keiko-fixtures-'));
    try {
      makeViewerFixtures(out);
      const files = (dir: string): string[] =>
        readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).sort();
      expect(files(out)).toEqual(files(FIXTURES));
      for (const f of files(out)) expect(readFileSync(join(out, f), 'utf8'), relative(out, join(out, f))).toBe(readFileSync(join(FIXTURES, f), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
