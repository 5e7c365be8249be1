/**
 * Comparing runs: grouping by config, bands over seeds with the sweep report's statistics, the
 * wall-time clock from `sps`, the committed sweep fixture; then in headless Chromium the drawn
 * bands read back against meanCi computed here, the wall-time axis, and the PNG and SVG exports.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPARE_SEED_SPS, makeCompareFixtures } from '../scripts/make-viewer-fixtures';
import { readEvalCurve } from '../node/sweep/run-result';
import { curveBand, meanCi } from '../node/sweep/stats';
import { buildViewer } from '../viewer/build';
import { startViewerServer, type ViewerServer } from '../viewer/server';
import { appendCompareLines, clockOf, emptyCompareSeries, groupBand, groupByConfig, secondsAt, sweepFolders, wallClock } from '../viewer/src/compare';
import { launchChromium, newWatchedPage, waitReady } from './helpers/browser';

const FIXTURE = new URL('./fixtures/sweep-compare/', import.meta.url).pathname;
const OUTPUT = new URL('../test-output/', import.meta.url).pathname;
const CONFIGS = { '3f9a1c0d': 'learningRate=0.001', b27e44aa: 'learningRate=0.0003' } as const;
const runDirs = (hash: string): string[] => [0, 1, 2].map((s) => join(FIXTURE, 'runs', 'cartpole-v1', hash, `seed-${s}`));
const readLines = (dir: string): Record<string, unknown>[] => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('comparison data', () => {
  it('groups runs whose configs differ only in the seed, labelled by the keys that differ', () => {
    const runs = [
      { id: 'a0', config: { env: 'CartPole-v1', seed: 0, learningRate: 0.001, optimizer: { type: 'adam' } } },
      { id: 'a1', config: { env: 'CartPole-v1', seed: 1, learningRate: 0.001, optimizer: { type: 'adam' }, outDir: 'x' } },
      { id: 'b0', config: { env: 'CartPole-v1', seed: 0, learningRate: 0.001, optimizer: { type: 'rmsprop' } } },
      { id: 'c0', config: { env: 'CartPole-v1', seed: 0, learningRate: 0.0003, optimizer: { type: 'adam' } } },
    ];
    expect(groupByConfig(runs).map((g) => [g.label, g.ids])).toEqual([
      ['learningRate=0.001, optimizer.type=adam', ['a0', 'a1']],
      ['learningRate=0.001, optimizer.type=rmsprop', ['b0']],
      ['learningRate=0.0003, optimizer.type=adam', ['c0']],
    ]);
    expect(groupByConfig(runs.slice(0, 2)).map((g) => g.label)).toEqual(['CartPole-v1']);
    expect(sweepFolders(['s/e/a/seed-0', 's/e/a/seed-1', 's/e/b/seed-0', 'other'])).toEqual(['s', 's/e', 's/e/a']);
  });

  it('times a run from its train lines: the first line borrows the next rate', () => {
    const clock = wallClock([[500, 0], [1000, 2000], [2000, 1000], [2500, 0]]);
    expect(clock).toEqual([[500, 0.25], [1000, 0.5], [2000, 1.5], [2500, 2]]);
    expect(secondsAt(clock, 1500)).toBeCloseTo(1, 12);
    expect(secondsAt(clock, 250)).toBeCloseTo(0.125, 12);
    expect(secondsAt(clock, 3000)).toBeCloseTo(2.5, 12); // beyond: at the last rate
    expect(wallClock([[500, 0]])).toEqual([]);
    expect(secondsAt([], 10)).toBeNull();
  });

  it("reads a run's own clock where every train line has wallSeconds, else rebuilds it from sps", () => {
    const line = (step: number, sps: number, wallSeconds?: number) => ({ type: 'train', step, recentReturn: 1, sps, ...(wallSeconds === undefined ? {} : { wallSeconds }) });
    // The lines' own clock wins over the rates (a resume's pause is not in sps).
    const own = appendCompareLines(emptyCompareSeries(), [line(500, 0, 0.3), line(1000, 2000, 0.6), line(2000, 1000, 9)]);
    expect(clockOf(own)).toEqual([[500, 0.3], [1000, 0.6], [2000, 9]]);
    // One line without it (a run resumed from an older version): the rates for all.
    const mixed = appendCompareLines(emptyCompareSeries(), [line(500, 0), line(1000, 2000, 0.6), line(2000, 1000, 9)]);
    expect(clockOf(mixed)).toEqual(wallClock([[500, 0], [1000, 2000], [2000, 1000]]));
  });

  it('computes each group the way the sweep report does (curveBand over readEvalCurve)', () => {
    for (const hash of Object.keys(CONFIGS)) {
      const seeds = runDirs(hash).map((d) => appendCompareLines(emptyCompareSeries(), readLines(d)));
      const band = groupBand(seeds, 'eval', 'steps');
      expect(band).toHaveLength(5);
      expect(band.map(({ step, mean, low, high }) => ({ step, mean, low, high }))).toEqual(curveBand(runDirs(hash).map(readEvalCurve)));
      // Against wall time: the seeds' mean of step / sps (each seed runs at a constant rate).
      const wall = groupBand(seeds, 'eval', 'wall');
      for (const b of wall) expect(b.x).toBeCloseTo(COMPARE_SEED_SPS.reduce((s, sps) => s + b.step / sps, 0) / 3, 9);
    }
  });

  it('the committed sweep fixture is what the generator writes', () => {
    const out = mkdtempSync(join(tmpdir(), 'keiko-compare-fixture-'));
    try {
      makeCompareFixtures(out);
      const files = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).sort();
      expect(files(out)).toEqual(files(FIXTURE));
      expect(files(out)).toHaveLength(18);
      for (const f of files(out)) expect(readFileSync(join(out, f), 'utf8'), relative(out, join(out, f))).toBe(readFileSync(join(FIXTURE, f), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

/** A drawn band read back as data: the chart's data-domain and data-plot give the scale. */
interface DrawnGroup {
  upper: [number, number][];
  lower: [number, number][];
  line: [number, number][];
  /** Data units of 0.05 px (the chart writes one decimal): the rounding of a drawn point. */
  tol: { x: number; y: number };
}

async function drawnGroups(page: Page): Promise<Record<string, DrawnGroup>> {
  return page.locator('.compare-figure').first().locator('svg.compare-chart').evaluate((svg) => {
    const [x0, x1, y0, y1] = svg.getAttribute('data-domain')!.split(' ').map(Number);
    const [left, top, right, bottom] = svg.getAttribute('data-plot')!.split(' ').map(Number);
    const toData = (px: number, py: number): [number, number] => [x0 + ((px - left) / (right - left)) * (x1 - x0), y0 + ((bottom - py) / (bottom - top)) * (y1 - y0)];
    const out: Record<string, unknown> = {};
    for (const g of Array.from(svg.querySelectorAll('g.series'))) {
      const pts = g.querySelector('polygon.band')!.getAttribute('points')!.split(' ').map((p) => p.split(',').map(Number));
      const half = pts.length / 2;
      const line = [...g.querySelector('path.line')!.getAttribute('d')!.matchAll(/[ML]([\d.-]+),([\d.-]+)/g)].map((m) => toData(Number(m[1]), Number(m[2])));
      out[g.getAttribute('data-name')!] = {
        upper: pts.slice(0, half).map(([px, py]) => toData(px, py)),
        lower: pts.slice(half).reverse().map(([px, py]) => toData(px, py)),
        line,
        tol: { x: (0.051 * (x1 - x0)) / (right - left), y: (0.051 * (y1 - y0)) / (bottom - top) },
      };
    }
    return out as Record<string, DrawnGroup>;
  });
}

describe('comparison view in headless Chromium', () => {
  let srv: ViewerServer;
  let browser: Browser;
  let page: Page;
  let downloads: string;
  let pageErrors: string[];

  beforeAll(async () => {
    await buildViewer();
    mkdirSync(OUTPUT, { recursive: true });
    downloads = mkdtempSync(join(tmpdir(), 'keiko-compare-downloads-'));
    srv = await startViewerServer({ target: FIXTURE, port: 0 });
    browser = await launchChromium();
    ({ page, pageErrors } = await newWatchedPage(browser, { viewport: { width: 1280, height: 1000 }, acceptDownloads: true }));
    await page.goto(srv.url);
    await waitReady(page);
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    if (downloads) rmSync(downloads, { recursive: true, force: true });
  });

  it('draws one band per config whose mean and half-width are meanCi over the seeds', async () => {
    // Every CartPole run is ticked at first: the whole sweep, two configs of three seeds.
    await expect.poll(() => page.locator('.compare-figure svg.compare-chart polygon.band').count()).toBe(2);
    const drawn = await drawnGroups(page);
    expect(Object.keys(drawn).sort()).toEqual(['learningRate=0.0003 (3 seeds)', 'learningRate=0.001 (3 seeds)']);
    for (const [hash, label] of Object.entries(CONFIGS)) {
      const curves = runDirs(hash).map(readEvalCurve);
      const g = drawn[`${label} (3 seeds)`];
      expect(g.upper).toHaveLength(5);
      curves[0].forEach(([step], i) => {
        const ci = meanCi(curves.map((c) => c[i][1]));
        expect(ci.halfWidth).toBeGreaterThan(5); // a band wide enough for the check to mean something
        for (const [pts, value] of [[g.upper, ci.high], [g.lower, ci.low], [g.line, ci.mean]] as const) {
          expect(Math.abs(pts[i][0] - step), `${label} x at ${step}`).toBeLessThanOrEqual(g.tol.x);
          expect(Math.abs(pts[i][1] - value), `${label} at ${step}`).toBeLessThanOrEqual(g.tol.y);
        }
      });
    }
    await page.locator('#compare').screenshot({ path: join(OUTPUT, 'viewer-compare.png') });
    expect(pageErrors).toEqual([]);
  });

  it('picks a whole sweep folder, and draws against wall time', async () => {
    await page.selectOption('#compare-sweep', 'runs/cartpole-v1/3f9a1c0d');
    await expect.poll(() => page.locator('.compare-figure polygon.band').count()).toBe(1);
    expect(await page.locator('#runs input.run-compare:checked').count()).toBe(3);
    await page.selectOption('#compare-sweep', 'runs');
    await expect.poll(() => page.locator('.compare-figure polygon.band').count()).toBe(2);
    await page.selectOption('#compare-x', 'wall');
    await expect.poll(() => page.locator('.compare-figure .chart-axes .axis-label').first().textContent()).toBe('wall time (s)');
    const drawn = await drawnGroups(page);
    const g = drawn['learningRate=0.001 (3 seeds)'];
    const curves = runDirs('3f9a1c0d').map(readEvalCurve);
    curves[0].forEach(([step], i) => {
      const seconds = COMPARE_SEED_SPS.reduce((s, sps) => s + step / sps, 0) / 3;
      expect(Math.abs(g.line[i][0] - seconds)).toBeLessThanOrEqual(g.tol.x);
      expect(Math.abs(g.line[i][1] - meanCi(curves.map((c) => c[i][1])).mean)).toBeLessThanOrEqual(g.tol.y);
    });
    await page.selectOption('#compare-x', 'steps');
  });

  it('exports the figure as a PNG of its size and as an SVG that parses and holds the bands', async () => {
    const viewBox = (await page.getAttribute('.compare-figure >> nth=0 >> svg.compare-chart', 'viewBox'))!.split(' ').map(Number);
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.click('.compare-figure >> nth=0 >> button.export-png')]);
    expect(pngDownload.suggestedFilename()).toBe('compare-CartPole-v1-eval-steps.png');
    const pngPath = join(downloads, 'figure.png');
    await pngDownload.saveAs(pngPath);
    const png = PNG.sync.read(readFileSync(pngPath));
    expect([png.width, png.height]).toEqual([viewBox[2], viewBox[3]]);
    // Not blank: the background, the two band colours and the text.
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) colours.add((png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2]);
    expect(colours.size).toBeGreaterThan(20);

    const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.click('.compare-figure >> nth=0 >> button.export-svg')]);
    expect(svgDownload.suggestedFilename()).toBe('compare-CartPole-v1-eval-steps.svg');
    const svgPath = join(downloads, 'figure.svg');
    await svgDownload.saveAs(svgPath);
    const text = readFileSync(svgPath, 'utf8');
    const parsed = await page.evaluate((t) => {
      const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        root: doc.documentElement.tagName,
        size: [doc.documentElement.getAttribute('width'), doc.documentElement.getAttribute('height')],
        bands: Array.from(doc.querySelectorAll('polygon.band')).map((p) => p.getAttribute('points')),
        legend: Array.from(doc.querySelectorAll('.compare-legend text')).map((t) => t.textContent),
      };
    }, text);
    expect(parsed.error).toBeNull();
    expect(parsed.root).toBe('svg');
    expect(parsed.size).toEqual([String(viewBox[2]), String(viewBox[3])]);
    const onPage = await page.locator('.compare-figure >> nth=0 >> polygon.band').evaluateAll((ps) => ps.map((p) => p.getAttribute('points')));
    expect(parsed.bands).toEqual(onPage);
    expect([...parsed.legend].sort()).toEqual(['learningRate=0.0003 (3 seeds)', 'learningRate=0.001 (3 seeds)']);
    expect(pageErrors).toEqual([]);
  });
});
