/**
 * `npm run bench:soak -- [options]`: memory soak of two long trainings through runTraining (the
 * whole path: run directory, checkpoints, evaluations, recordings), sampling process RSS, the JS
 * heap, the wasm backend's memory and tf.memory() every `--every` env steps from an onStep
 * callback, each sample after a forced full garbage collection:
 *
 *   CartPole-v1          `default` preset (MLP 64-64, trainFrequency 4), 1,000,000 steps
 *   MinAtar/Breakout-v0  `minatar` preset (an update per frame), 300,000 frames
 *
 * After warm-up (the first sample once the replay buffer is full) two criteria per run:
 *   tensors   tf.memory().numTensors and numBytes identical in every sample
 *   rss       RSS at the last sample ≤ 1.05 × RSS at the first sample after warm-up
 * Prints a table per run (with env steps/s since the previous sample) and PASS/FAIL per criterion,
 * and the speed after warm-up, last interval vs first (informational: the machine may be shared;
 * a steady fall is a leak of time, as subnormal optimiser state once was), writes an SVG plot (--svg).
 *
 * Options: --cartpole-steps N (1000000), --minatar-frames N (300000), --every N (10000),
 *          --minatar-env ID (MinAtar/Breakout-v0; Freeway's sparse rewards leave the most dead weights),
 *          --cartpole-buffer N / --minatar-buffer N (the presets' 100000; smaller buffers let a
 *          shortened run get past warm-up), --backend B (auto), --svg PATH (docs/soak.svg),
 *          --only cartpole|minatar, --keep (keep the run directories, printed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { runTraining } from '../node/run-training';
import type { TrainInput } from '../agents/dqn/config';
import { resolveConfig } from '../agents/dqn/config';

const { values } = parseArgs({
  options: {
    'cartpole-steps': { type: 'string', default: '1000000' },
    'minatar-frames': { type: 'string', default: '300000' },
    'cartpole-buffer': { type: 'string' },
    'minatar-buffer': { type: 'string' },
    'minatar-env': { type: 'string', default: 'MinAtar/Breakout-v0' },
    every: { type: 'string', default: '10000' },
    backend: { type: 'string', default: 'auto' },
    svg: { type: 'string', default: 'docs/soak.svg' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const every = Number(values.every);
const MB = 1024 * 1024;

// A full garbage collection before every sample, so that RSS measures what is live rather than
// where V8's collector happens to be in its cycle (the JS heap saws by ±15 MB between collections).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Bytes of the wasm backend's linear memory (it only ever grows), or 0 on other backends. */
function wasmMemoryBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.length ?? 0;
}

interface Sample {
  step: number;
  seconds: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  wasm: number;
  numTensors: number;
  numBytes: number;
}

interface SoakResult {
  name: string;
  label: string;
  warmupStep: number;
  samples: Sample[];
  backend: string;
  tensorsOk: boolean | null;
  rssGrowth: number | null;
  rssOk: boolean | null;
  wallSeconds: number;
}

async function soak(name: string, label: string, input: TrainInput): Promise<SoakResult> {
  const config = resolveConfig(input);
  // A transition per env step (n-step adds nStep − 1 steps of delay); the first update (which
  // creates the optimiser's slots) must have run too.
  const warmupStep = Math.max(config.bufferSize + config.nStep - 1, config.learningStarts + config.trainFrequency);
  const dir = mkdtempSync(join(tmpdir(), `keiko-soak-${name}-`));
  const samples: Sample[] = [];
  const t0 = performance.now();
  const sample = (step: number) => {
    collectGarbage();
    const m = process.memoryUsage();
    const t = tf.memory();
    samples.push({ step, seconds: (performance.now() - t0) / 1000, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, wasm: wasmMemoryBytes(), numTensors: t.numTensors, numBytes: t.numBytes });
  };
  console.log(`\n${label}: ${config.steps} steps, buffer ${config.bufferSize}, warm-up until step ${warmupStep}, a sample every ${every} steps → ${dir}`);
  const summary = await runTraining(input, {
    outDir: join(dir, 'run'),
    quiet: true,
    callbacks: [{ onStep: (s) => void (s.step % every === 0 && sample(s.step)) }],
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (values.keep) console.log(`run directory kept: ${join(dir, 'run')}`);
  else rmSync(dir, { recursive: true, force: true });

  const after = samples.filter((s) => s.step >= warmupStep);
  let tensorsOk: boolean | null = null;
  let rssGrowth: number | null = null;
  if (after.length >= 2) {
    tensorsOk = after.every((s) => s.numTensors === after[0].numTensors && s.numBytes === after[0].numBytes);
    rssGrowth = after[after.length - 1].rss / after[0].rss - 1;
  }
  const result: SoakResult = {
    name,
    label,
    warmupStep,
    samples,
    backend: summary.backend,
    tensorsOk,
    rssGrowth,
    rssOk: rssGrowth === null ? null : rssGrowth <= 0.05,
    wallSeconds,
  };
  printTable(result);
  return result;
}

function printTable(r: SoakResult): void {
  console.log(`${r.label} (${r.backend} backend, ${r.wallSeconds.toFixed(0)} s)`);
  console.log('     step   wall s  steps/s   RSS MB  heap MB  heap total MB  external MB  wasm memory MB  numTensors    numBytes');
  for (const [i, s] of r.samples.entries()) {
    const mark = s.step >= r.warmupStep ? ' ' : 'w';
    const rate = i === 0 ? '' : stepsPerSecond(r.samples[i - 1]!, s).toFixed(0);
    console.log(
      `${mark}${String(s.step).padStart(8)} ${s.seconds.toFixed(0).padStart(8)} ${rate.padStart(8)} ${(s.rss / MB).toFixed(1).padStart(8)} ${(s.heapUsed / MB).toFixed(1).padStart(8)} ${(s.heapTotal / MB).toFixed(1).padStart(14)} ${(s.external / MB).toFixed(1).padStart(12)} ${(s.wasm / MB).toFixed(1).padStart(15)} ${String(s.numTensors).padStart(11)} ${String(s.numBytes).padStart(11)}`,
    );
  }
  console.log('(w = warm-up: the replay buffer is not full yet)');
  const after = r.samples.filter((s) => s.step >= r.warmupStep);
  if (r.tensorsOk === null) {
    console.log(`FAIL  fewer than 2 samples after warm-up (step ${r.warmupStep}): raise the steps or lower the buffer`);
    return;
  }
  const first = after[0];
  const last = after[after.length - 1];
  const maxRss = Math.max(...after.map((s) => s.rss));
  const tensorsRange = `${Math.min(...after.map((s) => s.numTensors))}–${Math.max(...after.map((s) => s.numTensors))} tensors, ${Math.min(...after.map((s) => s.numBytes))}–${Math.max(...after.map((s) => s.numBytes))} bytes`;
  console.log(`${r.tensorsOk ? 'PASS' : 'FAIL'}  tensors constant after warm-up (${after.length} samples, steps ${first.step}–${last.step}): ${tensorsRange}`);
  if (after.length >= 3) {
    const early = stepsPerSecond(after[0]!, after[1]!);
    const late = stepsPerSecond(after[after.length - 2]!, last);
    console.log(`speed after warm-up: ${early.toFixed(0)} → ${late.toFixed(0)} env steps/s (× ${(late / early).toFixed(2)}; informational)`);
  }
  console.log(
    `${r.rssOk ? 'PASS' : 'FAIL'}  RSS growth after warm-up ${(100 * r.rssGrowth!).toFixed(1)}% ≤ 5% (${(first.rss / MB).toFixed(1)} → ${(last.rss / MB).toFixed(1)} MB; max ${(maxRss / MB).toFixed(1)} MB)`,
  );
}

function stepsPerSecond(a: Sample, b: Sample): number {
  return (b.step - a.step) / (b.seconds - a.seconds);
}

/** Two panels side by side: RSS and heap (MB) over steps; the warm-up shaded; tensors in the caption. */
function svg(results: SoakResult[]): string {
  const W = 360;
  const H = 230;
  const pad = { l: 48, r: 12, t: 34, b: 52 };
  const panels = results.map((r, i) => {
    const x0 = i * W;
    const s = r.samples;
    if (s.length === 0) return '';
    const maxStep = Math.max(...s.map((p) => p.step), r.warmupStep);
    const maxMb = Math.max(...s.map((p) => p.rss / MB)) * 1.1;
    const px = (step: number) => x0 + pad.l + ((W - pad.l - pad.r) * step) / maxStep;
    const py = (mb: number) => pad.t + (H - pad.t - pad.b) * (1 - mb / maxMb);
    const line = (key: 'rss' | 'heapUsed', color: string) =>
      `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${s.map((p) => `${px(p.step).toFixed(1)},${py(p[key] / MB).toFixed(1)}`).join(' ')}"/>`;
    const ticksY = [0, 0.25, 0.5, 0.75, 1].map((f) => {
      const mb = (maxMb / 1.1) * f;
      return `<line x1="${x0 + pad.l - 3}" x2="${x0 + pad.l}" y1="${py(mb).toFixed(1)}" y2="${py(mb).toFixed(1)}" stroke="#444"/><text x="${x0 + pad.l - 5}" y="${(py(mb) + 3).toFixed(1)}" text-anchor="end">${mb.toFixed(0)}</text>`;
    });
    const ticksX = [0, 0.5, 1].map((f) => {
      const st = maxStep * f;
      return `<text x="${px(st).toFixed(1)}" y="${H - pad.b + 13}" text-anchor="middle">${st >= 1000 ? `${Math.round(st / 1000)}k` : st}</text>`;
    });
    const after = s.filter((p) => p.step >= r.warmupStep);
    const tensors = after.length ? `${after[0].numTensors} tensors / ${(after[0].numBytes / MB).toFixed(2)} MB after warm-up` : 'no sample after warm-up';
    const verdict = `tensors ${r.tensorsOk === null ? 'n/a' : r.tensorsOk ? 'PASS' : 'FAIL'}, RSS ${r.rssGrowth === null ? 'n/a' : `${(100 * r.rssGrowth).toFixed(1)}%`} ${r.rssOk === null ? '' : r.rssOk ? 'PASS' : 'FAIL'}`;
    return [
      `<rect x="${px(0).toFixed(1)}" y="${pad.t}" width="${(px(Math.min(r.warmupStep, maxStep)) - px(0)).toFixed(1)}" height="${H - pad.t - pad.b}" fill="#eee"/>`,
      `<text x="${x0 + pad.l}" y="14" font-weight="bold">${r.label}</text>`,
      `<text x="${x0 + pad.l}" y="27">${r.backend} backend; shaded: replay warm-up</text>`,
      `<line x1="${x0 + pad.l}" x2="${x0 + pad.l}" y1="${pad.t}" y2="${H - pad.b}" stroke="#444"/>`,
      `<line x1="${x0 + pad.l}" x2="${x0 + W - pad.r}" y1="${H - pad.b}" y2="${H - pad.b}" stroke="#444"/>`,
      ...ticksY,
      ...ticksX,
      line('rss', '#c0392b'),
      line('heapUsed', '#2c6fbb'),
      `<text x="${x0 + pad.l}" y="${H - 22}">MB vs env steps — <tspan fill="#c0392b">RSS</tspan>, <tspan fill="#2c6fbb">JS heap</tspan></text>`,
      `<text x="${x0 + pad.l}" y="${H - 8}">${tensors}; ${verdict}</text>`,
    ].join('\n');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * results.length}" height="${H}" font-family="sans-serif" font-size="10">\n<rect width="100%" height="100%" fill="white"/>\n${panels.join('\n')}\n</svg>\n`;
}

const backend = values.backend as TrainInput['backend'];
const runs: [string, string, TrainInput][] = [
  [
    'cartpole',
    `CartPole-v1, default preset`,
    {
      env: 'CartPole-v1',
      preset: 'default',
      steps: Number(values['cartpole-steps']),
      backend,
      ...(values['cartpole-buffer'] ? { bufferSize: Number(values['cartpole-buffer']) } : {}),
    },
  ],
  [
    'minatar',
    `${values['minatar-env']}, minatar preset`,
    {
      env: values['minatar-env'],
      preset: 'minatar',
      steps: Number(values['minatar-frames']),
      backend,
      ...(values['minatar-buffer'] ? { bufferSize: Number(values['minatar-buffer']) } : {}),
    },
  ],
];
const results: SoakResult[] = [];
for (const [name, label, input] of runs) {
  if (values.only && values.only !== name) continue;
  results.push(await soak(name, label, input));
}
console.log('\nsummary');
for (const r of results) {
  console.log(
    `${r.label.padEnd(38)} tensors ${r.tensorsOk === null ? 'n/a ' : r.tensorsOk ? 'PASS' : 'FAIL'}   RSS ${r.rssGrowth === null ? 'n/a' : `${(100 * r.rssGrowth).toFixed(1)}%`.padStart(6)} ${r.rssOk === null ? 'FAIL (no data)' : r.rssOk ? 'PASS' : 'FAIL'}`,
  );
}
if (values.svg) {
  writeFileSync(values.svg, svg(results));
  console.log(`plot: ${values.svg}`);
}
const ok = results.every((r) => r.tensorsOk === true && r.rssOk === true);
process.exitCode = ok ? 0 : 1;
