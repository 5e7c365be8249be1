/**
 * The viewer in a real headless Chromium (playwright-core + Debian's chromium): the canvas draws
 * every env family, the controls move through the episode, the step panel shows the recorded
 * numbers, bad files get a clear message, the charts render, and live updates arrive.
 * One browser and one server (port 0) for the whole file; screenshots go to test-output/.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildViewer } from '../viewer/build';
import { startViewerServer, type ViewerServer } from '../viewer/server';
import type { ReplayFile } from '../agents/recording/replay-format';
import { launchChromium, newWatchedPage, waitReady } from './helpers/browser';

const FIXTURES = new URL('./fixtures/runs/', import.meta.url).pathname;
const OUTPUT = new URL('../test-output/', import.meta.url).pathname;

function readReplay(root: string, run: string, name: string): ReplayFile {
  return JSON.parse(readFileSync(join(root, run, 'replays', name), 'utf8'));
}

/** Wait until the canvas shows the position the step counter says (drawing waits for a frame). */
async function drawn(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const m = /^Step (\d+)/.exec(document.getElementById('step-counter')?.textContent ?? '');
    return m !== null && document.getElementById('stage')?.dataset.position === m[1];
  }, undefined, { timeout: 10_000 });
}

async function canvasPixels(page: Page): Promise<PNG> {
  await drawn(page);
  return PNG.sync.read(await page.locator('#stage').screenshot());
}

/** Number of pixels whose colour differs between two same-sized screenshots. */
function changedPixels(a: PNG, b: PNG): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2]) > 30) n++;
  }
  return n;
}

/**
 * Pixels of the stage canvas (read in the page, so it works while the canvas is hidden) that
 * differ from its most common colour, the background: 0 for a cleared stage.
 */
function stageDrawnPixels(page: Page): Promise<number> {
  return page.$eval('#stage', (canvas: HTMLCanvasElement) => {
    const probe = document.createElement('canvas');
    probe.width = canvas.width;
    probe.height = canvas.height;
    const ctx = probe.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    const data = ctx.getImageData(0, 0, probe.width, probe.height).data;
    const counts = new Map<number, number>();
    for (let i = 0; i < data.length; i += 4) {
      const c = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    return probe.width * probe.height - Math.max(...counts.values());
  });
}

/** Distinct colours in a screenshot: a blank canvas has one. */
function distinctColours(png: PNG): number {
  const seen = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) seen.add((png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2]);
  return seen.size;
}

describe('viewer in headless Chromium', () => {
  let tmp: string;
  let root: string;
  let srv: ViewerServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let cspViolations: string[];

  async function open(query = ''): Promise<void> {
    await page.goto(`${srv.url}${query}`);
    await waitReady(page);
  }

  const counter = (): Promise<string | null> => page.textContent('#step-counter');

  beforeAll(async () => {
    await buildViewer();
    tmp = mkdtempSync(join(tmpdir(), 'keiko-viewer-browser-'));
    root = join(tmp, 'runs');
    cpSync(FIXTURES, root, { recursive: true });
    mkdirSync(OUTPUT, { recursive: true });
    srv = await startViewerServer({ target: root, port: 0 });
    // SwiftShader for the ?renderer=webgl case.
    browser = await launchChromium({ webgl: true });
    // The server's Content-Security-Policy must not block anything the page needs.
    ({ page, pageErrors, cspViolations } = await newWatchedPage(browser, { viewport: { width: 1280, height: 1000 } }));
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('draws every env family and saves a screenshot of each', async () => {
    await open('?run=cartpole');
    for (const [run, family] of [['cartpole', 'cartpole'], ['mountaincar', 'mountaincar'], ['acrobot', 'acrobot'], ['breakout', 'minatar'], ['custom', 'observation']]) {
      // Switch runs in the page (no reload): the newest eval replay of the run opens.
      await page.click(`#runs button[data-run="${run}"]`);
      await expect.poll(() => page.getAttribute(`#runs button[data-run="${run}"]`, 'aria-pressed')).toBe('true');
      await expect.poll(() => page.textContent('#episode-title')).toMatch(new RegExp(`^${readReplay(root, run, readdirSync(join(root, run, 'replays')).filter((f) => f.startsWith('eval')).sort().at(-1)!).env.id}`));
      await drawn(page);
    expect(await page.getAttribute('#stage', 'data-position'), run).toBe('0');
      const first = await canvasPixels(page);
      expect(distinctColours(first), `${run} canvas is blank`).toBeGreaterThan(3);
      await page.locator('#stage').screenshot({ path: join(OUTPUT, `viewer-${family}.png`) });
      for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
      expect(await counter()).toMatch(/^Step 8 \/ \d+$/);
      const later = await canvasPixels(page);
      expect(changedPixels(first, later), `${run}: the frame must change between step 0 and 8`).toBeGreaterThan(20);
    }
    await page.screenshot({ path: join(OUTPUT, 'viewer-page.png'), fullPage: true });
    // The MinAtar legend names the channels.
    await open('?run=breakout');
    expect(await page.locator('#legend li').allTextContents()).toEqual(['paddle', 'ball', 'trail', 'brick']);
    expect(await page.title()).toMatch(/^Keiko viewer — MinAtar\/Breakout-v1/);
    expect(pageErrors).toEqual([]);
  });

  it('steps, scrubs and shows the recorded action, reward, return, ε and Q-values', async () => {
    await open('?run=cartpole');
    const replay = readReplay(root, 'cartpole', 'eval-step000020000.json'); // the latest eval opens first
    expect(await page.textContent('#episode-title')).toContain('eval-step000020000.json');
    const n = replay.steps.length;
    expect(await counter()).toBe(`Step 0 / ${n}`);
    await page.click('#next');
    await page.click('#next');
    await page.click('#prev');
    expect(await counter()).toBe(`Step 1 / ${n}`);
    await page.locator('#scrub').evaluate((el: HTMLInputElement) => {
      el.value = '50';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(await counter()).toBe(`Step 50 / ${n}`);
    const step = replay.steps[50];
    expect(await page.locator('#q-values .qvalue').allTextContents()).toEqual(step.q!.map((v) => v.toFixed(3)));
    expect(await page.locator('#q-values rect.qbar.chosen').getAttribute('data-action')).toBe(String(step.action));
    expect(await page.textContent('#info-action')).toBe(`${step.action} (${step.actionName})`);
    expect(await page.textContent('#info-epsilon')).toBe(step.epsilon.toFixed(3));
    const returnSoFar = replay.steps.slice(0, 51).reduce((s, x) => s + x.reward, 0);
    expect(Number(await page.textContent('#info-return'))).toBeCloseTo(returnSoFar, 6);
    // Keyboard: → steps, space plays and pauses, + speeds up.
    await page.locator('body').press('ArrowRight');
    expect(await counter()).toBe(`Step 51 / ${n}`);
    await page.locator('body').press('+');
    expect(await page.inputValue('#speed')).toBe('2');
    await page.locator('body').press(' ');
    await page.waitForFunction(() => /^Step (\d+)/.exec(document.getElementById('step-counter')!.textContent!)![1] !== '51', undefined, { timeout: 5000 });
    await page.locator('body').press(' ');
    expect(await page.getAttribute('#play', 'aria-label')).toBe('Play');
    const paused = await counter();
    await page.waitForTimeout(300);
    expect(await counter()).toBe(paused);
    // Space on a focused button activates that button (here: one step), it does not play.
    await page.focus('#next');
    await page.keyboard.press(' ');
    const pausedAt = Number(/^Step (\d+)/.exec(paused!)![1]);
    expect(await counter()).toBe(`Step ${pausedAt + 1} / ${n}`);
    expect(await page.getAttribute('#play', 'aria-label')).toBe('Play');
  });

  it('keeps the keys working after clicks: Space plays after an episode is clicked, it does not reopen it', async () => {
    await open('?run=cartpole');
    const file = 'cartpole/replays/eval-step000010000.json';
    const n = readReplay(root, 'cartpole', 'eval-step000010000.json').steps.length;
    const position = async (): Promise<number> => Number(/^Step (\d+)/.exec((await counter())!)![1]);
    const label = (): Promise<string | null> => page.getAttribute('#play', 'aria-label');
    await page.click(`#episodes button[data-file="${file}"]`);
    await expect.poll(() => page.textContent('#episode-title')).toContain('eval-step000010000.json');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    expect(await counter()).toBe(`Step 5 / ${n}`);
    // Space plays (before, the focused list button took it and reopened the episode at step 0).
    await page.keyboard.press(' ');
    expect(await label()).toBe('Pause');
    await expect.poll(position, { timeout: 5000, interval: 50 }).toBeGreaterThan(5);
    await page.keyboard.press(' ');
    expect(await label()).toBe('Play');
    const paused = await position();
    expect(paused).toBeGreaterThan(5);
    expect(await page.textContent('#episode-title')).toContain('eval-step000010000.json');
    // After a click on a player button, a checkbox or the speed menu the keys still work.
    await page.click('#next');
    expect(await position()).toBe(paused + 1);
    await page.keyboard.press('ArrowLeft');
    expect(await position()).toBe(paused);
    await page.click('#loop');
    expect(await page.isChecked('#loop')).toBe(true);
    await page.keyboard.press('+');
    expect(await page.inputValue('#speed')).toBe('2');
    await page.keyboard.press(' ');
    expect(await page.isChecked('#loop')).toBe(true); // Space did not untick it
    expect(await label()).toBe('Pause');
    await page.keyboard.press(' ');
    await page.click('#loop'); // off again
    // From the keyboard: Enter opens a focused episode, Space then plays it.
    const other = 'cartpole/replays/train-ep000003-step000002000.json';
    await page.focus(`#episodes button[data-file="${other}"]`);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#episode-title')).toContain('train-ep000003-step000002000.json');
    expect(await position()).toBe(0);
    await page.keyboard.press(' ');
    expect(await label()).toBe('Pause');
    await expect.poll(position, { timeout: 5000, interval: 50 }).toBeGreaterThan(0);
    await page.keyboard.press(' ');
    expect(await label()).toBe('Play');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-file'))).toBe(other);
    expect(pageErrors).toEqual([]);
  });

  it('lists supervised and GAN runs by kind with their summary, and clears the previous frame', async () => {
    await open('?run=cartpole');
    await drawn(page);
    expect(await page.textContent('#runs button[data-run="supervised"]')).toBe('supervised · supervised run (spiral)');
    expect(await page.textContent('#runs button[data-run="gan"]')).toBe('gan · GAN run (ring)');
    expect(await page.getAttribute('#runs button[data-run="gan"]', 'data-kind')).toBe('gan');
    expect(await page.getAttribute('#runs button[data-run="cartpole"]', 'data-kind')).toBe('rl');
    expect(await stageDrawnPixels(page)).toBeGreaterThan(1000);
    const fact = (name: string): Promise<string | null> => page.locator('#run-summary dt', { hasText: name }).locator('xpath=following-sibling::dd[1]').textContent();
    /** The canvas shows nothing of the previous run: hidden, marked empty and, shown again, blank. */
    const expectCleared = async (): Promise<void> => {
      expect(await page.isHidden('#stage')).toBe(true);
      expect(await page.getAttribute('#stage', 'data-frame')).toBe('none');
      expect(await page.getAttribute('#stage', 'data-position')).toBeNull();
      expect(await stageDrawnPixels(page), 'the old frame is still drawn').toBe(0);
      expect(await counter()).toBe('Step 0 / 0');
      for (const id of ['info-step', 'info-action', 'info-reward', 'info-return', 'info-epsilon', 'info-episode']) expect(await page.textContent(`#${id}`), id).toBe('–');
      expect(await page.locator('#q-values > *').count()).toBe(0);
      expect(await page.locator('#legend li').count()).toBe(0);
      expect(await page.isHidden('.controls >> nth=0')).toBe(true);
    };

    await page.click('#runs button[data-run="supervised"]');
    await expect.poll(() => page.textContent('#episode-title')).toBe('supervised · supervised run · spiral');
    await expectCleared();
    expect(await fact('Test accuracy')).toBe('98.33%');
    expect(await fact('Model')).toBe('mlp');
    expect(await page.textContent('#episodes')).toContain('A supervised run has no episodes to replay');
    // Its curves get a panel of their own: loss and validation loss per epoch.
    const sup = page.locator('.chart-panel[data-kind="supervised"]');
    await expect.poll(() => sup.locator('svg.chart-epoch-loss path.line').count()).toBe(2);
    expect(await sup.locator('svg.chart-epoch-accuracy path.line').count()).toBe(2);
    // Keys do nothing harmful without an episode.
    await page.keyboard.press(' ');
    await page.keyboard.press('ArrowRight');
    expect(await counter()).toBe('Step 0 / 0');

    await page.click('#runs button[data-run="gan"]');
    await expect.poll(() => page.textContent('#episode-title')).toBe('gan · GAN run · ring');
    await expectCleared();
    expect(await fact('Modes covered')).toBe('8 / 8');
    expect(await fact('High-quality samples')).toBe('91.70%');
    expect(await page.locator('#run-summary dt', { hasText: 'Test accuracy' }).count()).toBe(0);
    await expect.poll(() => page.$eval('#gan-sample', (img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(64);
    expect(await page.textContent('#run-summary figcaption')).toBe('Newest samples: step-000800.png');
    const gan = page.locator('.chart-panel[data-kind="gan"]');
    await expect.poll(() => gan.locator('svg.chart-gan-loss path.line').count()).toBe(2);
    await page.screenshot({ path: join(OUTPUT, 'viewer-gan-run.png'), fullPage: true });

    // Back to a training run: the player returns and draws.
    await page.click('#runs button[data-run="cartpole"]');
    await expect.poll(() => page.isVisible('#stage')).toBe(true);
    expect(await page.isHidden('#run-summary')).toBe(true);
    await drawn(page);
    expect(await page.getAttribute('#stage', 'data-frame')).toBe('replay');
    expect(await stageDrawnPixels(page)).toBeGreaterThan(1000);
    expect(pageErrors).toEqual([]);
  });

  it('draws the curves of different envs in panels of their own, each with its own y range', async () => {
    await open('?run=cartpole');
    expect(await page.locator('.chart-panel').count()).toBe(1);
    await page.locator('#runs li', { hasText: 'mountaincar' }).locator('input').check();
    await expect.poll(() => page.locator('.chart-panel').count()).toBe(2);
    const panels = page.locator('.chart-panel');
    expect(await panels.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.group))).toEqual(['rl:CartPole-v1', 'rl:MountainCar-v0']);
    expect(await panels.locator('h3').allTextContents()).toEqual(['CartPole-v1', 'MountainCar-v0']);
    const yTicks = async (i: number): Promise<number[]> =>
      (await panels.nth(i).locator('svg.chart-returns .chart-axes text[text-anchor="end"]:not(.axis-label)').allTextContents()).map(Number);
    const cart = await yTicks(0), car = await yTicks(1);
    expect(Math.min(...cart)).toBeGreaterThanOrEqual(0); // CartPole returns are positive
    expect(Math.max(...car)).toBeLessThanOrEqual(0); // MountainCar returns are negative
    // Runs of the same env still overlay: the three CartPole runs in one panel, one MountainCar run in the other.
    expect(await panels.nth(0).locator('svg.chart-returns g.series path.line').count()).toBe(3);
    expect(await panels.nth(1).locator('svg.chart-returns g.series path.line').count()).toBe(1);
    expect(await panels.nth(1).locator('svg.chart-loss path.line').count()).toBe(1);
    expect(await page.getAttribute('.chart-panel >> nth=0 >> svg.chart-returns', 'id')).toBe('chart-returns');
    await page.locator('.charts').screenshot({ path: join(OUTPUT, 'viewer-chart-panels.png') });
    // Selecting the MountainCar run puts its panel first.
    await page.click('#runs button[data-run="mountaincar"]');
    await expect.poll(() => panels.first().getAttribute('data-group')).toBe('rl:MountainCar-v0');
    expect(await page.locator('#chart-legend li').allTextContents()).toContain('mountaincar (MountainCar-v0, lr 0.001)');
  });

  it('lists episodes with their returns and reports malformed and truncated files by name', async () => {
    await open('?run=cartpole');
    const items = await page.locator('#episodes button').allTextContents();
    expect(items).toHaveLength(5);
    const train = readReplay(root, 'cartpole', 'train-ep000003-step000002000.json');
    expect(items[0]).toBe(`train ep 3 · step 2000 · return ${train.return} · length ${train.length}`);
    expect(items.some((t) => t.startsWith('⚠ train ep 8 · step 9500'))).toBe(true);
    const before = await counter();
    await page.click('#episodes button[data-file="cartpole/replays/train-ep000007-step000009000.json"]');
    const message = page.locator('#messages .message', { hasText: 'train-ep000007-step000009000.json' });
    await expect.poll(() => message.count()).toBe(1);
    const text = (await message.textContent())!;
    expect(text).toContain('cartpole/replays/train-ep000007-step000009000.json: not a valid replay file');
    expect(text).toMatch(/steps\.2\.epsilon: /);
    expect(text).toMatch(/finalFrame: /);
    await page.click('#episodes button[data-file="cartpole/replays/train-ep000008-step000009500.json"]');
    await expect.poll(() => page.locator('#messages .message', { hasText: 'train-ep000008-step000009500.json: not valid JSON' }).count()).toBe(1);
    // The rest keeps working: the previous episode is still loaded and steps.
    expect(await counter()).toBe(before);
    await page.click('#next');
    expect(await counter()).not.toBe(before);
    await page.click('#episodes button[data-file="cartpole/replays/train-ep000003-step000002000.json"]');
    await expect.poll(() => page.textContent('#episode-title')).toContain('train-ep000003-step000002000.json');
    expect(await counter()).toBe(`Step 0 / ${train.length}`);
  });

  it('draws learning curves and overlays the runs of a sweep', async () => {
    await open('?run=sweep/lr-0.001');
    // Every CartPole run is compared by default: cartpole and both sweep runs.
    expect(await page.locator('#chart-legend li').allTextContents()).toEqual([
      'cartpole (CartPole-v1, lr 0.0005)', 'sweep/lr-0.0003 (CartPole-v1, lr 0.0003)', 'sweep/lr-0.001 (CartPole-v1, lr 0.001)',
    ]);
    expect(await page.locator('#chart-returns g.series path.line').count()).toBe(3);
    expect(await page.locator('#chart-returns polygon.band').count()).toBe(3);
    expect(await page.locator('#chart-loss path.line').count()).toBe(3);
    // Unticking a run removes it from the charts.
    await page.locator('#runs li', { hasText: 'sweep/lr-0.0003' }).locator('input').uncheck();
    await expect.poll(() => page.locator('#chart-loss path.line').count()).toBe(2);
    const metricsLines = readFileSync(join(root, 'sweep/lr-0.001/metrics.jsonl'), 'utf8').trim().split('\n');
    const episodes = metricsLines.filter((l) => l.includes('"type":"episode"')).length;
    const dots = (await page.locator('#chart-returns g.series[data-name="sweep/lr-0.001 episodes"] path.dots').getAttribute('d'))!;
    expect(dots.split('M').length - 1).toBe(episodes);
    await page.locator('.charts').screenshot({ path: join(OUTPUT, 'viewer-charts.png') });
  });

  it('picks up new episodes and metrics while a run is being written', async () => {
    await open('?run=cartpole');
    const dots = async (): Promise<number> => ((await page.locator('#chart-returns g.series[data-name="cartpole episodes"] path.dots').getAttribute('d')) ?? '').split('M').length - 1;
    const before = await dots();
    const metrics = join(root, 'cartpole', 'metrics.jsonl');
    const line = (i: number): string => JSON.stringify({ type: 'episode', step: 20_000 + i * 100, episode: 900 + i, return: 150 + i, length: 100 });
    // A partial trailing line first (a writer mid-append), then the rest of it.
    appendFileSync(metrics, `${line(0)}\n${line(1).slice(0, 20)}`);
    await expect.poll(dots, { timeout: 8000, interval: 250 }).toBe(before + 1);
    appendFileSync(metrics, `${line(1).slice(20)}\n`);
    await expect.poll(dots, { timeout: 8000, interval: 250 }).toBe(before + 2);
    // A new replay, written to a temp name and renamed into place as the recorder does.
    const src = readReplay(root, 'cartpole', 'eval-step000020000.json');
    const dir = join(root, 'cartpole', 'replays');
    writeFileSync(join(dir, '.eval-step000030000.json.tmp'), JSON.stringify({ ...src, trainingStep: 30000 }));
    renameSync(join(dir, '.eval-step000030000.json.tmp'), join(dir, 'eval-step000030000.json'));
    const fresh = page.locator('#episodes button[data-file="cartpole/replays/eval-step000030000.json"]');
    await expect.poll(() => fresh.count(), { timeout: 8000, interval: 250 }).toBe(1);
    expect(await fresh.textContent()).toContain(`return ${src.return}`);
    expect(pageErrors).toEqual([]);
  });

  it('plays a replay of thousands of steps without creating display objects per frame', async () => {
    // A 6000-step MinAtar episode: the breakout fixture's frames, repeated.
    const base = readReplay(root, 'breakout', 'train-ep000003-step000004000.json');
    const steps = Array.from({ length: 6000 }, (_, i) => base.steps[i % base.steps.length]);
    const big = { ...base, kind: 'eval', trainingStep: 100000, steps, length: steps.length, return: steps.reduce((s, x) => s + x.reward, 0) };
    mkdirSync(join(root, 'big', 'replays'), { recursive: true });
    writeFileSync(join(root, 'big', 'config.json'), JSON.stringify({ env: 'MinAtar/Breakout-v1' }));
    writeFileSync(join(root, 'big', 'replays', 'eval-step000100000.json'), JSON.stringify(big));
    await open('?run=big');
    expect(await counter()).toBe('Step 0 / 6000');
    await drawn(page);
    const objects = await page.getAttribute('#stage', 'data-display-objects');
    // Scrub through 100 positions, one per animation frame, timed inside the page against
    // idle animation frames (headless Chromium composites in software, which dominates here).
    const [idleMs, scrubMs] = await page.locator('#scrub').evaluate(async (el: HTMLInputElement) => {
      const nextFrame = (): Promise<unknown> => new Promise((r) => requestAnimationFrame(r));
      let t0 = performance.now();
      for (let i = 0; i < 30; i++) await nextFrame();
      const idle = (performance.now() - t0) / 30;
      t0 = performance.now();
      for (let i = 1; i <= 100; i++) {
        el.value = String(i * 60);
        el.dispatchEvent(new Event('input', { bubbles: true }));
        await nextFrame();
      }
      return [idle, (performance.now() - t0) / 100];
    });
    await drawn(page);
    const drawMs = Number(await page.getAttribute('#stage', 'data-draw-ms'));
    console.log(`viewer: 6000-step MinAtar replay: ${drawMs.toFixed(2)} ms per frame draw; ${scrubMs.toFixed(1)} ms per animation frame while scrubbing vs ${idleMs.toFixed(1)} ms idle (${await page.getAttribute('body', 'data-renderer')}, shared CPU)`);
    expect(await counter()).toBe('Step 6000 / 6000');
    expect(await page.getAttribute('#stage', 'data-display-objects')).toBe(objects);
    expect(drawMs).toBeLessThan(20);
    expect(scrubMs).toBeLessThan(idleMs * 2 + 25); // about one redraw per animation frame
    // Playing at 8× advances ~80 steps per second, by the page's own clock (on a loaded machine
    // the test's clicks can be far more than a second apart).
    await page.locator('#scrub').evaluate((el: HTMLInputElement) => { el.value = '0'; el.dispatchEvent(new Event('input', { bubbles: true })); });
    await page.selectOption('#speed', '8');
    const { reached, seconds } = await page.evaluate(async () => {
      const play = document.getElementById('play')!;
      const t0 = performance.now();
      play.click();
      await new Promise((r) => setTimeout(r, 1000));
      play.click();
      const seconds = (performance.now() - t0) / 1000;
      return { reached: Number(/^Step (\d+)/.exec(document.getElementById('step-counter')!.textContent!)![1]), seconds };
    });
    expect(reached).toBeGreaterThan(30);
    expect(reached).toBeLessThanOrEqual(Math.ceil(80 * seconds) + 1);
  });

  it('draws with WebGL when asked (SwiftShader here) and with the canvas renderer by default without a GPU', async () => {
    const renderers: Record<string, string | null> = {};
    for (const query of ['', '&renderer=webgl', '&renderer=canvas']) {
      await open(`?run=mountaincar${query}`);
      const name = await page.getAttribute('body', 'data-renderer');
      renderers[query || 'default'] = name;
      const a = await canvasPixels(page);
      for (let i = 0; i < 10; i++) await page.click('#next');
      const b = await canvasPixels(page);
      expect(distinctColours(a), `${name}`).toBeGreaterThan(3);
      expect(changedPixels(a, b), `${name}`).toBeGreaterThan(20);
      await page.locator('#stage').screenshot({ path: join(OUTPUT, `viewer-mountaincar-${name}.png`) });
    }
    // WebGL here is SwiftShader (software), so the default is pixi's canvas renderer.
    expect(renderers).toEqual({ default: 'canvas', '&renderer=webgl': 'webgl', '&renderer=canvas': 'canvas' });
    expect(pageErrors).toEqual([]);
  });

  it('renders under the server\'s Content-Security-Policy without a violation', async () => {
    const response = await page.goto(`${srv.url}?run=cartpole`);
    expect(response!.headers()['content-security-policy']).toContain("default-src 'self'");
    await waitReady(page);
    expect(distinctColours(await canvasPixels(page))).toBeGreaterThan(3);
    // Every page this file opened (every renderer, every run kind) ran under the policy.
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
