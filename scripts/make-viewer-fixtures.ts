/**
 * Writes the small, deterministic fixture run directories the viewer tests use
 * (tests/fixtures/runs/). The frames are plausible, not exact physics: they exist to exercise
 * every renderer, the episode list, the learning curves and the bad-input paths.
 *
 * Beside the training runs it writes a `keiko supervised` run (supervised/) and a `keiko gan` run
 * (gan/) with the files those commands write (docs/supervised.md, docs/gan.md), minus the model
 * weights, so the viewer's handling of non-RL run folders is tested too.
 *
 * It also writes a small sweep for the comparison view (makeCompareFixtures) into its own folder.
 *
 * Run: npx tsx scripts/make-viewer-fixtures.ts [OUT_DIR] [COMPARE_DIR]
 *      (defaults tests/fixtures/runs and tests/fixtures/sweep-compare)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { Random } from '../src/random';
import { REPLAY_FORMAT, REPLAY_VERSION, replaySchema, type ReplayFile, type ReplayStep } from '../agents/recording/replay-format';
import type { RenderFrame } from '../envs/core';

type Frame = RenderFrame;
const round = (v: number, digits = 4): number => Number(v.toFixed(digits));

interface EpisodeSketch {
  frames: Frame[]; // length + 1: one per step, then the final frame
  actions: number[];
  rewards: number[];
  terminated: boolean;
}

function cartpoleEpisode(rng: Random, maxSteps: number): EpisodeSketch {
  // Forward-Euler cart-pole with a noisy balancing policy: enough to look right in the viewer.
  let x = rng.uniform(-0.05, 0.05), v = 0, th = rng.uniform(-0.05, 0.05), w = 0;
  const frames: Frame[] = [], actions: number[] = [], rewards: number[] = [];
  const xThreshold = 2.4, thetaThreshold = round((12 * 2 * Math.PI) / 360, 6);
  let terminated = false;
  for (let t = 0; t < maxSteps; t++) {
    frames.push({ family: 'cartpole', x: round(x), theta: round(th), xThreshold, thetaThreshold });
    const action = rng.random() < 0.15 ? rng.integer(0, 2) : th + 0.3 * w > 0 ? 1 : 0;
    const force = action === 1 ? 10 : -10;
    const sin = Math.sin(th), cos = Math.cos(th);
    const temp = (force + 0.05 * w * w * sin) / 1.1;
    const thAcc = (9.8 * sin - cos * temp) / (0.5 * (4 / 3 - (0.1 * cos * cos) / 1.1));
    const xAcc = temp - (0.05 * thAcc * cos) / 1.1;
    x += 0.02 * v; v += 0.02 * xAcc; th += 0.02 * w; w += 0.02 * thAcc;
    actions.push(action);
    rewards.push(1);
    if (Math.abs(x) > xThreshold || Math.abs(th) > thetaThreshold) { terminated = true; break; }
  }
  frames.push({ family: 'cartpole', x: round(x), theta: round(th), xThreshold, thetaThreshold });
  return { frames, actions, rewards, terminated };
}

function mountainCarEpisode(rng: Random, maxSteps: number): EpisodeSketch {
  // Gymnasium's MountainCar dynamics with an energy-pumping policy (push along the velocity).
  let p = rng.uniform(-0.6, -0.4), vel = 0;
  const frames: Frame[] = [], actions: number[] = [], rewards: number[] = [];
  const frame = (): Frame => ({ family: 'mountaincar', position: round(p), velocity: round(vel, 5), minPosition: -1.2, maxPosition: 0.6, goalPosition: 0.5 });
  let terminated = false;
  for (let t = 0; t < maxSteps; t++) {
    frames.push(frame());
    const action = rng.random() < 0.1 ? rng.integer(0, 3) : vel >= 0 ? 2 : 0;
    vel += (action - 1) * 0.001 - 0.0025 * Math.cos(3 * p);
    vel = Math.min(0.07, Math.max(-0.07, vel));
    p += vel;
    if (p < -1.2) { p = -1.2; vel = 0; }
    if (p > 0.6) p = 0.6;
    actions.push(action);
    rewards.push(-1);
    if (p >= 0.5) { terminated = true; break; }
  }
  frames.push(frame());
  return { frames, actions, rewards, terminated };
}

function acrobotEpisode(rng: Random, maxSteps: number): EpisodeSketch {
  // A swing-up sketch: growing oscillation of the first link, the second link lagging behind.
  const frames: Frame[] = [], actions: number[] = [], rewards: number[] = [];
  const phase = rng.uniform(0, Math.PI);
  const frame = (t: number): Frame => {
    const amp = Math.min(Math.PI, 0.2 + t * 0.03);
    return {
      family: 'acrobot',
      theta1: round(amp * Math.sin(t * 0.25 + phase)),
      theta2: round(0.8 * amp * Math.sin(t * 0.25 + phase - 0.9)),
      linkLength1: 1,
      linkLength2: 1,
    };
  };
  let terminated = false;
  let t = 0;
  for (; t < maxSteps; t++) {
    const f = frame(t) as Extract<Frame, { family: 'acrobot' }>;
    frames.push(f);
    actions.push(Math.sin(t * 0.25 + phase) > 0 ? 2 : rng.random() < 0.2 ? 1 : 0);
    const tip = -Math.cos(f.theta1) - Math.cos(f.theta1 + f.theta2);
    if (tip > 1) { rewards.push(0); terminated = true; t++; break; }
    rewards.push(-1);
  }
  frames.push(frame(t));
  return { frames, actions, rewards, terminated };
}

const BREAKOUT_CHANNELS = ['paddle', 'ball', 'trail', 'brick'];

function breakoutEpisode(rng: Random, maxSteps: number): EpisodeSketch {
  // A 10×10 breakout-like grid: three rows of bricks, a bouncing ball with a trail, a paddle
  // that tracks the ball. Cells are flat HWC indices as in docs/render-frames.md.
  const H = 10, W = 10, C = BREAKOUT_CHANNELS.length;
  const bricks = new Set<number>();
  for (let y = 1; y <= 3; y++) for (let x = 0; x < W; x++) bricks.add(y * W + x);
  let bx = rng.integer(1, W - 1), by = 5, dx = rng.random() < 0.5 ? -1 : 1, dy = 1;
  let px = 4, lastX = bx - dx, lastY = by - dy; // the trail: where the ball was a step ago
  const frames: Frame[] = [], actions: number[] = [], rewards: number[] = [];
  const frame = (): Frame => {
    const on: number[] = [(9 * W + px) * C + 0, (by * W + bx) * C + 1, (lastY * W + lastX) * C + 2];
    for (const cell of bricks) on.push(cell * C + 3);
    on.sort((a, b) => a - b);
    return { family: 'minatar', game: 'breakout', height: H, width: W, channels: BREAKOUT_CHANNELS, on };
  };
  let terminated = false;
  for (let t = 0; t < maxSteps; t++) {
    frames.push(frame());
    const action = rng.random() < 0.1 ? rng.integer(0, 3) : bx < px ? 1 : bx > px ? 2 : 0; // noop, left, right
    px = Math.min(W - 1, Math.max(0, px + (action === 1 ? -1 : action === 2 ? 1 : 0)));
    lastX = bx; lastY = by;
    let nx = bx + dx, ny = by + dy, reward = 0;
    if (nx < 0 || nx >= W) { dx = -dx; nx = bx + dx; }
    if (ny < 0) { dy = 1; ny = by + dy; }
    if (bricks.has(ny * W + nx)) { bricks.delete(ny * W + nx); reward = 1; dy = -dy; ny = by; }
    if (ny === 9) {
      if (Math.abs(nx - px) <= 1) { dy = -1; ny = 8; } else { bx = nx; by = 9; actions.push(action); rewards.push(reward); terminated = true; break; }
    }
    bx = nx; by = ny;
    actions.push(action);
    rewards.push(reward);
  }
  frames.push(frame());
  return { frames, actions, rewards, terminated };
}

interface RunSpec {
  dir: string;
  envId: string;
  family: string;
  actionNames: string[];
  maxSteps: number;
  episode: (rng: Random, maxSteps: number) => EpisodeSketch;
  /** Scale of the plausible Q-values (return-to-go). */
  qScale: (stepsLeft: number, rewardSoFar: number) => number;
  steps: number;
  seed: number;
  learningRate: number;
}

function makeReplay(spec: RunSpec, rng: Random, kind: 'train' | 'eval', episode: number, trainingStep: number, epsilon: number): ReplayFile {
  const sketch = spec.episode(rng, spec.maxSteps);
  const n = sketch.actions.length;
  const steps: ReplayStep[] = [];
  let sum = 0;
  for (let t = 0; t < n; t++) {
    sum += sketch.rewards[t];
    const base = spec.qScale(n - t, sum);
    const q = spec.actionNames.map((_, a) => round(base + (a === sketch.actions[t] ? 0.6 : 0) + rng.uniform(-0.5, 0.5), 3));
    steps.push({ frame: sketch.frames[t], action: sketch.actions[t], actionName: spec.actionNames[sketch.actions[t]], reward: sketch.rewards[t], q, epsilon });
  }
  return {
    format: REPLAY_FORMAT,
    version: REPLAY_VERSION,
    env: { id: spec.envId, family: spec.family },
    actionNames: spec.actionNames,
    seed: spec.seed,
    kind,
    episode,
    trainingStep,
    steps,
    finalFrame: sketch.frames[n],
    return: round(sum, 6),
    length: n,
    terminated: sketch.terminated,
    truncated: !sketch.terminated && n >= spec.maxSteps,
  };
}

const pad = (v: number, width: number): string => String(v).padStart(width, '0');

function writeRun(root: string, spec: RunSpec, options: { replays: boolean; evalEvery: number }): void {
  const dir = join(root, spec.dir);
  mkdirSync(join(dir, 'replays'), { recursive: true });
  const rng = new Random(spec.seed);
  const config = { env: spec.envId, preset: 'fixture', steps: spec.steps, seed: spec.seed, learningRate: spec.learningRate, backend: 'cpu' };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');

  // Metrics: episode lines whose returns improve with noise, eval and train lines every evalEvery.
  const lines: string[] = [];
  let step = 0, episode = 0, nextEval = options.evalEvery;
  const evals: { step: number; meanReturn: number; stdReturn: number }[] = [];
  const [lo, hi] = spec.family === 'cartpole' ? [10, 200] : spec.family === 'mountaincar' ? [-200, -110] : spec.family === 'acrobot' ? [-500, -90] : [0, 12];
  const progress = (s: number): number => 1 - Math.exp((-3 * s) / spec.steps);
  while (step < spec.steps) {
    const ret = round(lo + (hi - lo) * progress(step) + (hi - lo) * 0.15 * rng.normal(), 2);
    const length = Math.max(5, Math.round(spec.family === 'cartpole' ? Math.abs(ret) : spec.family === 'minatar' ? 60 + ret * 10 : Math.abs(ret)));
    step += length;
    lines.push(JSON.stringify({ type: 'episode', step, episode, return: ret, length }));
    episode++;
    while (step >= nextEval && nextEval <= spec.steps) {
      const mean = round(lo + (hi - lo) * progress(nextEval), 2);
      const std = round(Math.abs(hi - lo) * 0.08 * (1 + rng.random()), 2);
      evals.push({ step: nextEval, meanReturn: mean, stdReturn: std });
      lines.push(JSON.stringify({ type: 'eval', step: nextEval, meanReturn: mean, stdReturn: std, episodes: 10 }));
      const loss = round(0.5 * Math.exp((-2 * nextEval) / spec.steps) + 0.02 * rng.random(), 5);
      lines.push(JSON.stringify({ type: 'train', step: nextEval, loss, qMean: round(hi * progress(nextEval), 3), epsilon: round(Math.max(0.05, 1 - nextEval / (0.5 * spec.steps)), 4), sps: 2000 + rng.integer(0, 500) }));
      nextEval += options.evalEvery;
    }
  }
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  const best = evals.reduce((a, b) => (b.meanReturn > a.meanReturn ? b : a), evals[0]);
  const last = evals[evals.length - 1];
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({
    env: spec.envId, steps: spec.steps, episodes: episode,
    finalEval: { meanReturn: last.meanReturn, stdReturn: last.stdReturn },
    bestEval: best, wallSeconds: round(spec.steps / 2200, 2), sps: 2200, backend: 'cpu',
  }, null, 2) + '\n');

  if (!options.replays) return;
  const recorded: [kind: 'train' | 'eval', episode: number, step: number, eps: number][] = [
    ['train', 3, Math.round(spec.steps * 0.1), 0.8],
    ['eval', 0, Math.round(spec.steps * 0.5), 0.05],
    ['eval', 0, spec.steps, 0.05],
  ];
  for (const [kind, ep, trainingStep, eps] of recorded) {
    const replay = makeReplay(spec, rng, kind, ep, trainingStep, eps);
    replaySchema.parse(replay); // the generator must only write valid files
    const name = kind === 'train' ? `train-ep${pad(ep, 6)}-step${pad(trainingStep, 9)}.json` : `eval-step${pad(trainingStep, 9)}.json`;
    writeFileSync(join(dir, 'replays', name), JSON.stringify(replay) + '\n');
  }
}

const RUNS: RunSpec[] = [
  { dir: 'cartpole', envId: 'CartPole-v1', family: 'cartpole', actionNames: ['left', 'right'], maxSteps: 120, episode: cartpoleEpisode, qScale: (left) => round(Math.min(left, 60) * 0.9, 3), steps: 20000, seed: 1, learningRate: 0.0005 },
  { dir: 'mountaincar', envId: 'MountainCar-v0', family: 'mountaincar', actionNames: ['push left', 'no push', 'push right'], maxSteps: 200, episode: mountainCarEpisode, qScale: (left) => -left * 0.8, steps: 30000, seed: 2, learningRate: 0.001 },
  { dir: 'acrobot', envId: 'Acrobot-v1', family: 'acrobot', actionNames: ['torque -1', 'torque 0', 'torque +1'], maxSteps: 150, episode: acrobotEpisode, qScale: (left) => -left * 0.7, steps: 30000, seed: 3, learningRate: 0.001 },
  { dir: 'breakout', envId: 'MinAtar/Breakout-v1', family: 'minatar', actionNames: ['noop', 'left', 'right'], maxSteps: 120, episode: breakoutEpisode, qScale: (left) => Math.min(left, 30) * 0.1, steps: 40000, seed: 4, learningRate: 0.00025 },
];

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** A `keiko supervised --dataset spiral` run: config, one epoch line per epoch and a test line, summary. */
function writeSupervisedRun(outDir: string): void {
  const dir = join(outDir, 'supervised');
  mkdirSync(join(dir, 'model'), { recursive: true });
  const epochs = 30;
  writeFileSync(join(dir, 'config.json'), json({
    dataset: 'spiral', model: 'mlp', hidden: [64, 64], epochs, batchSize: 32,
    optimizer: { type: 'adam', learningRate: 0.01 }, seed: 0, validationSplit: 0.1, dropout: 0, batchNorm: false,
    l1: 0, l2: 0, init: 'heUniform', augment: { maxShift: 0, noiseStd: 0 }, task: 'classification', testSplit: 0.2, backend: 'cpu',
  }));
  const rng = new Random(21);
  const lines: string[] = [];
  for (let e = 1; e <= epochs; e++) {
    const loss = round(1.1 * Math.exp(-e / 6) + 0.03 + 0.01 * rng.random(), 5);
    const accuracy = round(Math.min(0.995, 0.35 + 0.65 * (1 - Math.exp(-e / 5))), 4);
    lines.push(JSON.stringify({ type: 'epoch', epoch: e, loss, accuracy, valLoss: round(loss * 1.15, 5), valAccuracy: round(accuracy * 0.98, 4), seconds: round(0.08 * e, 2) }));
  }
  lines.push(JSON.stringify({ type: 'test', loss: 0.0712, accuracy: 0.9833 }));
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  // A model directory's spec (the weights are left out of the fixture).
  writeFileSync(join(dir, 'model', 'spec.json'), json({ layers: [{ type: 'dense', units: 64 }, { type: 'dense', units: 64 }, { type: 'dense', units: 3 }] }));
  writeFileSync(join(dir, 'summary.json'), json({
    testAccuracy: 0.9833, testLoss: 0.0712, trainAccuracy: 0.9958, epochs, wallSeconds: 2.4, backend: 'cpu', trainSamples: 216, testSamples: 60, stoppedEarly: false,
  }));
}

/** A `keiko gan --dataset ring` run: config, gan loss lines, two sample scatter plots, summary. */
function writeGanRun(outDir: string): void {
  const dir = join(outDir, 'gan');
  mkdirSync(join(dir, 'samples'), { recursive: true });
  mkdirSync(join(dir, 'generator'), { recursive: true });
  const steps = 800;
  writeFileSync(join(dir, 'config.json'), json({
    dataset: 'ring', family: 'ring', steps, batchSize: 256, latentDim: 16, learningRate: 0.001, beta1: 0.5, labelSmoothing: 0,
    pack: 4, dSteps: 1, emaDecay: 0.999, seed: 0, sampleEvery: 400, logEvery: 50, rgb: false, evalSamples: 10000, scoreEvery: 400, backend: 'cpu',
  }));
  const rng = new Random(22);
  const lines: string[] = [];
  let last = { dLoss: 0, gLoss: 0, dReal: 0, dFake: 0 };
  for (let step = 50; step <= steps; step += 50) {
    last = {
      dLoss: round(1.386 - 0.2 * Math.exp(-step / 300) + 0.05 * rng.normal(), 4),
      gLoss: round(0.693 + 0.3 * Math.exp(-step / 300) + 0.05 * rng.normal(), 4),
      dReal: round(0.5 + 0.1 * Math.exp(-step / 300), 4),
      dFake: round(0.5 - 0.1 * Math.exp(-step / 300), 4),
    };
    lines.push(JSON.stringify({ type: 'gan', step, ...last, seconds: round(step * 0.009, 2) }));
  }
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  // Sample plots: points around a ring, tighter at the later step.
  for (const [step, spread] of [[400, 0.25], [800, 0.05]] as const) {
    const size = 64;
    const png = new PNG({ width: size, height: size });
    for (let i = 0; i < png.data.length; i += 4) png.data.set([20, 22, 28, 255], i);
    for (let k = 0; k < 400; k++) {
      const angle = (2 * Math.PI * rng.integer(0, 8)) / 8;
      const r = 2 + spread * rng.normal();
      const x = Math.round(size / 2 + (r * Math.cos(angle) + spread * rng.normal()) * 12);
      const y = Math.round(size / 2 + (r * Math.sin(angle) + spread * rng.normal()) * 12);
      if (x >= 0 && x < size && y >= 0 && y < size) png.data.set([76, 201, 240, 255], (y * size + x) * 4);
    }
    writeFileSync(join(dir, 'samples', `step-${pad(step, 6)}.png`), PNG.sync.write(png));
  }
  writeFileSync(join(dir, 'generator', 'spec.json'), json({ layers: [{ type: 'dense', units: 128 }, { type: 'dense', units: 128 }, { type: 'dense', units: 2 }] }));
  writeFileSync(join(dir, 'summary.json'), json({
    dataset: 'ring', steps, wallSeconds: 7.5, backend: 'cpu', finalLosses: last,
    ring: { modes: 8, modesCovered: 8, highQualityShare: 0.917, perMode: [1093, 1150, 1204, 1120, 1101, 1188, 1142, 1170], samples: 10000 },
  }));
}

export function makeViewerFixtures(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  for (const spec of RUNS) writeRun(outDir, spec, { replays: true, evalEvery: spec.steps / 10 });
  // A sweep folder: runs in sub-folders, metrics only, for recursive discovery and overlays.
  for (const [i, lr] of [0.001, 0.0003].entries()) {
    writeRun(outDir, { ...RUNS[0], dir: `sweep/lr-${lr}`, seed: 10 + i, learningRate: lr, steps: 10000 }, { replays: false, evalEvery: 1000 });
  }
  // An unknown family: the viewer falls back to a heat map of the observation.
  const obsRng = new Random(5);
  const obsFrames = (t: number): Frame => ({ family: 'observation', shape: [4, 6], data: Array.from({ length: 24 }, (_, i) => round(Math.sin(t * 0.3 + i * 0.5) + 0.1 * obsRng.normal(), 3)) });
  writeRun(outDir, { ...RUNS[0], dir: 'custom', envId: 'Custom-v0', family: 'observation', episode: (rng, max) => {
    const n = 30 + rng.integer(0, 10);
    return { frames: Array.from({ length: n + 1 }, (_, t) => obsFrames(t)), actions: Array.from({ length: n }, (_, t) => t % 2), rewards: Array.from({ length: n }, () => 0.5), terminated: true };
  }, maxSteps: 40, steps: 5000, seed: 6 }, { replays: true, evalEvery: 1000 });

  // Bad input: one replay that breaks the schema (epsilon out of range, a missing field), one cut short.
  const cartReplays = join(outDir, 'cartpole', 'replays');
  const good = makeReplay(RUNS[0], new Random(99), 'train', 7, 9000, 0.3);
  const malformed = { ...good, episode: 7, steps: good.steps.map((s, i) => (i === 2 ? { ...s, epsilon: 1.5 } : s)) } as Record<string, unknown>;
  delete malformed.finalFrame;
  writeFileSync(join(cartReplays, 'train-ep000007-step000009000.json'), JSON.stringify(malformed) + '\n');
  const text = JSON.stringify({ ...good, episode: 8, trainingStep: 9500 });
  writeFileSync(join(cartReplays, 'train-ep000008-step000009500.json'), text.slice(0, Math.floor(text.length * 0.6)));

  // Folders written by `keiko supervised` and `keiko gan` beside the training runs.
  writeSupervisedRun(outDir);
  writeGanRun(outDir);
}

/** The comparison fixture's two configs: learning rate, eval means at steps 1000..5000, per-seed offsets. */
const COMPARE_CONFIGS = [
  { hash: '3f9a1c0d', learningRate: 0.001, means: [22, 61, 118, 167, 204], offsets: [[-4, -10, -15, -9, -6], [3, 5, 2, 8, 4], [6, 12, 20, 11, 9]] },
  { hash: 'b27e44aa', learningRate: 0.0003, means: [15, 32, 55, 81, 112], offsets: [[-2, -6, -9, -12, -7], [1, 3, 4, 6, 9], [4, 8, 14, 10, 3]] },
];
/** Steps per second of seeds 0, 1, 2 (each constant, so the wall time at a step is step / sps). */
export const COMPARE_SEED_SPS = [2000, 2500, 1600];

/**
 * A small sweep for the comparison view (tests/fixtures/sweep-compare/): 2 configs × 3 seeds of
 * CartPole in the sweep layout runs/<env>/<config hash>/seed-<s>/, with known evaluation returns,
 * train lines (recentReturn, sps: the first line of a run has none, as the trainer writes) and
 * a few episode lines.
 */
export function makeCompareFixtures(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  const steps = 5000;
  for (const cfg of COMPARE_CONFIGS) {
    cfg.offsets.forEach((offsets, seed) => {
      const dir = join(outDir, 'runs', 'cartpole-v1', cfg.hash, `seed-${seed}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'config.json'), json({ env: 'CartPole-v1', preset: 'sweep-fixture', steps, seed, learningRate: cfg.learningRate, gamma: 0.99, batchSize: 32, backend: 'cpu' }));
      const evalAt = (k: number): number => cfg.means[k] + offsets[k];
      const lines: string[] = [];
      for (let step = 250; step <= steps; step += 250) {
        const k = Math.min(4, Math.floor(step / 1000));
        lines.push(JSON.stringify({ type: 'episode', step, episode: step / 250 - 1, return: round(evalAt(Math.max(0, k - 1)) * 0.8 + (step % 1000) / 100, 2), length: 250 }));
        if (step % 500 === 0) {
          lines.push(JSON.stringify({ type: 'train', step, loss: round(0.4 * Math.exp(-step / 2000), 5), qMean: round(step / 100, 3), epsilon: round(Math.max(0.05, 1 - step / 2500), 4), recentReturn: round(evalAt(Math.max(0, k - 1)) * 0.75, 2), sps: step === 500 ? 0 : COMPARE_SEED_SPS[seed] }));
        }
        if (step % 1000 === 0) lines.push(JSON.stringify({ type: 'eval', step, meanReturn: evalAt(step / 1000 - 1), stdReturn: 5, episodes: 10 }));
      }
      writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
      writeFileSync(join(dir, 'summary.json'), json({
        env: 'CartPole-v1', steps, episodes: steps / 250, finalEval: { meanReturn: evalAt(4), stdReturn: 5, episodes: 20 },
        wallSeconds: round(steps / COMPARE_SEED_SPS[seed], 3), sps: COMPARE_SEED_SPS[seed], backend: 'cpu', seed,
      }));
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = resolve(process.argv[2] ?? 'tests/fixtures/runs');
  makeViewerFixtures(out);
  const compare = resolve(process.argv[3] ?? 'tests/fixtures/sweep-compare');
  makeCompareFixtures(compare);
  console.log(`wrote viewer fixtures to ${out} and ${compare}`);
}
