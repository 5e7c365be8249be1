/**
 * `npx tsx bench/update-ab.ts`: a before/after comparison of one DQN update on wasm, measured
 * interleaved in one run (blocks of updates alternate between the two settings, so both see the
 * same load on a shared machine). Before = the XNNPACK-only product plans, clipping in tfjs ops
 * and dense layers as tf.fused.matMul + ops (and the TD loss and conv backward as tfjs ops); after = fresh right-hand operands through the SIMD
 * gemm (src/wasm/simd-gemm.ts), the clip factor folded into the optimiser kernels
 * (src/wasm/clip-kernel.ts) and the one-record dense kernels (src/wasm/dense-kernel.ts). Per update and per phase:
 * median CPU time (process.cpuUsage, steadier than wall time under load) and its share of the
 * matMul peak measured in the same run.
 *
 *   npx tsx bench/update-ab.ts [--seconds 20] [--clip 10|none]
 *
 * Without --clip each net clips as its preset does: the MLP (CartPole default) at maxGradNorm 10,
 * the CNN (MinAtar paper preset) not at all.
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../node/backend-node';
import { buildModel } from '../src/layers/index';
import { createOptimizer } from '../src/optimizers';
import { Random } from '../src/random';
import { setSimdGemm } from '../src/wasm/batch-mat-mul';
import { setDenseKernels } from '../src/wasm/dense-kernel';
import { NETS, makeBatch, updateFlops } from './nn-shared';
import { ADAM, CENTERED_RMSPROP, PHASES } from './nn';
import { Learner } from '../agents/dqn/learner';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seconds = Number(flag('--seconds') ?? 20);
const clipFlag = flag('--clip');
const clipFor = (netIndex: number): number | null => (clipFlag === undefined ? (netIndex === 0 ? 10 : null) : clipFlag === 'none' ? null : Number(clipFlag));

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];

await initNodeBackend('wasm', { quiet: true });
const rng = new Random(5);

// Peak: a 512³ matMul, median CPU ms.
const peakN = 512;
const pa = tf.randomUniform([peakN, peakN]);
const pb = tf.randomUniform([peakN, peakN]);
const peakTimes: number[] = [];
const peak = () => {
  const t0 = cpuMs();
  tf.matMul(pa, pb).dispose();
  peakTimes.push(cpuMs() - t0);
};
for (let i = 0; i < 3; i++) peak();
peakTimes.length = 0;

const settings = [{ name: 'before', gemm: false }, { name: 'after', gemm: true }];
const rows: string[][] = [];
const phaseRows: string[][] = [];
const fmt = (x: number) => x.toFixed(x < 0.1 ? 3 : 2);
for (const [netIndex, net] of NETS.entries()) {
  const clip = clipFor(netIndex);
  for (const [optName, opt] of [['Adam', ADAM], ['centered RMSProp', CENTERED_RMSPROP]] as const) {
    const batch = makeBatch(net, rng);
    const make = (folded: boolean) => {
      const online = buildModel(net.spec, net.inputShape, { seed: 1 });
      const target = buildModel(net.spec, net.inputShape, { seed: 2 });
      const optimizer = createOptimizer(opt);
      // Before: hide the folded clipping, so the learner clips in tfjs ops.
      if (!folded) Object.defineProperty(optimizer, 'applyClippedGradients', { value: undefined });
      const weightsOut = new Float32Array(online.trainableWeights.reduce((c, w) => c + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1), 0));
      const learner = new Learner(online, target, optimizer, net.actions, { doubleDqn: false, loss: 'huber', huberDelta: 1, maxGradNorm: clip, tau: 1 }, weightsOut, net.spec);
      const indices = new Int32Array(net.batch);
      return {
        real: (b: typeof batch) => learner.update({ size: net.batch, ...b, indices }),
        learner,
      };
    };
    const runs = settings.map((s) => make(s.gemm));
    const totals = settings.map(() => [] as number[]);
    const phases = settings.map(() => PHASES.map(() => [] as number[]));
    const kernels = settings.map(() => 0);
    const marks = new Float64Array(PHASES.length);
    const flops = updateFlops(buildModel(net.spec, net.inputShape, { seed: 1 }), net.batch);
    for (const [i, s] of settings.entries()) {
      setSimdGemm(s.gemm);
      setDenseKernels(s.gemm);
      for (let w = 0; w < 20; w++) runs[i].real(batch);
      // One profile at a time: overlapping tf.profile calls share the engine's active profile.
      kernels[i] = (await tf.profile(() => void runs[i].real(batch))).kernels.length;
    }
    const end = performance.now() + seconds * 1000 / 4;
    while (performance.now() < end) {
      peak();
      settings.forEach((s, i) => {
        setSimdGemm(s.gemm);
        setDenseKernels(s.gemm);
        for (let r = 0; r < 10; r++) {
          const t0 = cpuMs();
          runs[i].real(batch);
          totals[i].push(cpuMs() - t0);
          runs[i].learner.phaseMarks = marks;
          runs[i].real(batch);
          runs[i].learner.phaseMarks = null;
          let prev = 0;
          for (let p = 0; p < PHASES.length; p++) {
            phases[i][p].push(marks[p] - prev);
            prev = marks[p];
          }
        }
      });
    }
    const peakMs = median(peakTimes);
    const peakGflops = (2 * peakN ** 3) / peakMs / 1e6;
    settings.forEach((s, i) => {
      const t = median(totals[i]);
      rows.push([net.name, clip === null ? 'none' : String(clip), optName, s.name, fmt(t), `${((100 * flops) / t / 1e6 / peakGflops).toFixed(0)}%`, String(kernels[i]), String(totals[i].length)]);
      const ph = phases[i].map(median);
      phaseRows.push([net.name, optName, s.name, ...ph.map(fmt), fmt(ph.reduce((a, b) => a + b, 0))]);
    });
  }
}
setSimdGemm(true);
setDenseKernels(true);
const peakMs = median(peakTimes);
console.log(`matMul ${peakN}³ peak: ${((2 * peakN ** 3) / peakMs / 1e6).toFixed(2)} GFLOP/s (median CPU time ${peakMs.toFixed(2)} ms)`);
const table = (header: string[], body: string[][]) => {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of body) console.log(`| ${r.join(' | ')} |`);
};
console.log('\nagents/dqn Learner update (median CPU ms per update, share of peak, kernels per update):');
table(['network', 'maxGradNorm', 'optimiser', 'setting', 'CPU ms', '% of peak', 'kernels', 'updates'], rows);
console.log('\nThe same updates by phase (Learner.phaseMarks, median wall ms per phase):');
table(['network', 'optimiser', 'setting', ...PHASES, 'Σ'], phaseRows);
