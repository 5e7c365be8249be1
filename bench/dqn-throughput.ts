/**
 * `npm run bench:dqn -- throughput [--steps N] [--settings a,b,c] [--game Freeway] [--backend B] [--before]`: whole-loop
 * env steps per second while learning, for the settings the speed targets name, and where the
 * time goes. Each phase of the loop is timed by wrapping the trainer's own parts (act, env step,
 * store, sample, learn, target update); the learner's inner phases are bench:nn's job.
 *
 *   cartpole         CartPole-v1, preset default (MLP 64-64, trainFrequency 4, batch 64)   target ≥ 10,000 steps/s
 *   minatar          MinAtar/Breakout-v0, preset minatar (an update every frame)            target ≥ 550 frames/s
 *   minatar-tf4      the same with trainFrequency 4                                          target ≥ 2,500 frames/s
 *
 * The targets are the issue's, for a machine whose 1024³ tf.matMul reaches 40 GFLOP/s on wasm: the
 * mode measures this machine's peak before and after the settings and judges each figure scaled
 * by 40 over it (the loop is update-bound, and the update is dense products).
 *
 * --before routes the wasm products, gradient clipping, the lean nets' layers and the TD loss as
 * before the SIMD gemm, the folded clipping and the one-record kernels (src/wasm/simd-gemm.ts,
 * clip-kernel.ts, dense-kernel.ts, conv-grad-kernel.ts, td-kernel.ts), for before/after figures
 * from one checkout.
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../node/backend-node';
import { resolveConfig, type TrainInput } from '../agents/dqn/config';
import { DqnTrainer } from '../agents/dqn/loop';
import { make } from '../envs/registry';
import type { BackendPreference } from '../src/backend';
import { setSimdGemm } from '../src/wasm/batch-mat-mul';
import { setDenseKernels } from '../src/wasm/dense-kernel';
import { setFoldedClipping } from '../src/wasm/clip-kernel';
import { measure, peakMatMul } from './nn-shared';

/**
 * The targets are figures for the machine the issue measured them on, whose 1024³ tf.matMul
 * reached this many GFLOP/s on wasm. The loop is update-bound and the update is products, so a
 * machine's figure is scaled by this over its own peak, measured in the same run.
 */
const REFERENCE_PEAK_GFLOPS = 40;

/** GFLOP/s of a 1024³ tf.matMul on the current backend (median of its reps). */
function peakGflops(): number {
  const peak = peakMatMul(1024);
  const timing = measure(peak.run, 2, 10, 50);
  peak.dispose();
  return peak.flops / (timing.medianMs * 1e6);
}

interface Setting {
  name: string;
  target: number;
  input: TrainInput;
  /** Env steps measured after learning starts. */
  steps: number;
}

const quiet = { evalInterval: 0, recordEvery: 0, checkpointInterval: 0, finalEvalEpisodes: 1 };

export const SETTINGS: Setting[] = [
  { name: 'cartpole', target: 10_000, steps: 30_000, input: { env: 'CartPole-v1', preset: 'default', learningStarts: 1_000, logInterval: 1_000, ...quiet } },
  { name: 'minatar', target: 550, steps: 6_000, input: { env: 'MinAtar/Breakout-v0', preset: 'minatar', learningStarts: 5_000, logInterval: 1_000, ...quiet } },
  { name: 'minatar-tf4', target: 2_500, steps: 20_000, input: { env: 'MinAtar/Breakout-v0', preset: 'minatar', trainFrequency: 4, learningStarts: 5_000, logInterval: 1_000, ...quiet } },
];

type Timed = Record<string, { ms: number; calls: number }>;

/** Replace obj[key] (a method) by a timed version that adds into `acc[label]`. */
function time<T extends object>(obj: T, key: keyof T & string, label: string, acc: Timed): void {
  const fn = (obj[key] as unknown as (...a: unknown[]) => unknown).bind(obj);
  acc[label] ??= { ms: 0, calls: 0 };
  const slot = acc[label];
  (obj as Record<string, unknown>)[key] = (...args: unknown[]) => {
    const t0 = performance.now();
    const r = fn(...args);
    slot.ms += performance.now() - t0;
    slot.calls++;
    return r;
  };
}

export async function runThroughput(options: { steps?: number; settings?: string[]; backend?: string; before?: boolean; minatarGame?: string }): Promise<void> {
  const info = await initNodeBackend((options.backend ?? 'auto') as BackendPreference, { quiet: true });
  setSimdGemm(!options.before);
  setFoldedClipping(!options.before);
  setDenseKernels(!options.before);
  const chosen = SETTINGS.filter((s) => !options.settings || options.settings.includes(s.name));
  const peakBefore = peakGflops();
  const figures: Array<{ name: string; sps: number; cpuSps: number; target: number }> = [];
  for (const setting of chosen) {
    const learningStarts = setting.input.learningStarts as number;
    const measuredSteps = options.steps ?? setting.steps;
    // --game: the MinAtar settings on another game (the observation's channel count differs).
    const env = options.minatarGame && String(setting.input.env).startsWith('MinAtar/') ? `MinAtar/${options.minatarGame}-v0` : setting.input.env;
    const config = resolveConfig({ ...setting.input, env, steps: learningStarts + measuredSteps });
    const timed: Timed = {};
    let t0 = 0;
    let cpu0 = process.cpuUsage();
    let stepAtT0 = 0;
    const trainer = new DqnTrainer(config, make, {
      callbacks: [
        {
          // Start the clock and the phase timers once learning starts.
          onStep: (s) => {
            if (s.step !== learningStarts) return;
            t0 = performance.now();
            cpu0 = process.cpuUsage();
            stepAtT0 = s.step;
            time(trainer.agent, 'act', 'act', timed);
            time(trainer.env, 'step', 'env step', timed);
            time(trainer.nStep, 'push', 'store', timed);
            time(trainer.buffer, 'sample', 'sample', timed);
            time(trainer.agent, 'learn', 'learn (upload … read-back)', timed);
            time(trainer.agent, 'updateTarget', 'target update', timed);
          },
        },
      ],
    });
    const summary = await trainer.run();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    // Kernels one update launches (the learner's fixed cost on small nets is per kernel).
    const batch = trainer.buffer.sample(config.batchSize, trainer.runState.replayRng, summary.steps);
    const kernels = (await tf.profile(() => void trainer.agent.learn(batch))).kernels.length;
    const steps = summary.steps - stepAtT0;
    const sps = steps / seconds;
    trainer.dispose();
    const totalMs = seconds * 1000;
    console.log(`\n${setting.name}${options.before ? ' (before)' : ''}: ${config.env}, preset ${config.preset}, trainFrequency ${config.trainFrequency}, batch ${config.batchSize}, ${steps} steps while learning on ${info.name}`);
    // On a shared machine wall time counts other processes' turns; this process's own CPU time
    // (one thread does the work: tfjs-wasm has no threads in Node) is the steadier figure.
    const cpuSps = steps / cpuSeconds;
    console.log(`  ${Math.round(sps)} env steps/s while learning (wall clock), ${Math.round(cpuSps)} per CPU second of this process — ${summary.updates} updates of ${kernels} kernels each`);
    console.log('  | phase | calls | ms per call | ms per env step | share |');
    console.log('  |---|---|---|---|---|');
    let accounted = 0;
    for (const [label, { ms, calls }] of Object.entries(timed)) {
      accounted += ms;
      console.log(`  | ${label} | ${calls} | ${(ms / Math.max(1, calls)).toFixed(4)} | ${(ms / steps).toFixed(4)} | ${((100 * ms) / totalMs).toFixed(1)}% |`);
    }
    console.log(`  | rest of the loop (callbacks, schedules, bookkeeping) | | | ${((totalMs - accounted) / steps).toFixed(4)} | ${((100 * (totalMs - accounted)) / totalMs).toFixed(1)}% |`);
    figures.push({ name: `${setting.name}${options.before ? ' (before)' : ''}`, sps, cpuSps, target: setting.target });
  }
  // The peak before and after the settings: their mean scales, their spread says how steady the machine was.
  const peakAfter = peakGflops();
  const peak = (peakBefore + peakAfter) / 2;
  const scale = REFERENCE_PEAK_GFLOPS / peak;
  console.log(`\n1024³ tf.matMul peak on ${info.name}: ${peakBefore.toFixed(1)} GFLOP/s before the settings, ${peakAfter.toFixed(1)} after; the targets are for a ${REFERENCE_PEAK_GFLOPS} GFLOP/s machine, so figures are scaled by ${REFERENCE_PEAK_GFLOPS} / ${peak.toFixed(1)} = ${scale.toFixed(2)}`);
  for (const m of figures) {
    const scaled = Math.max(m.sps, m.cpuSps) * scale;
    console.log(`${m.name}: ${Math.round(m.sps)} steps/s wall, ${Math.round(m.cpuSps)} per CPU second; ≈ ${Math.round(scaled)} on a ${REFERENCE_PEAK_GFLOPS} GFLOP/s machine; target ≥ ${m.target}: ${scaled >= m.target ? 'met' : 'NOT met'}`);
  }
}
