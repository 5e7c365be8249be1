/**
 * `npm run bench:nn`: DQN-shaped network costs per backend — one learner update (online forward +
 * backward, target forward, Huber on Q(s,a), Adam) for an MLP and a small CNN, and single-
 * observation action selection (tfjs predict, and the pure-JS forward pass the DQN policy uses).
 * Prints the median and the best time of many reps after a warm-up, the FLOP lower bound of each
 * and the implied GFLOP/s. The machine may be shared: medians move with load; the best time is
 * the steadier figure.
 *
 *   npm run bench:nn                      # cpu and wasm (and tensorflow when tfjs-node is installed)
 *   npm run bench:nn -- --backends wasm   # just one
 *   npm run bench:nn -- --seconds 1       # time budget per measurement (default 1.5)
 *   npm run bench:nn -- --stock           # tfjs's stock kernels, without Keiko's (the "before")
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend, probeNative } from '../node/backend-node';
import type { BackendPreference } from '../src/backend';
import { buildModel } from '../src/layers/index';
import { createOptimizer } from '../src/optimizers';
import { huber } from '../src/losses';
import { Random } from '../src/random';
import { actingRows } from './nn-act';
import { NETS, makeBatch, measure, updateFlops, type Batch, type NetCase, type Row } from './nn-shared';
import { restoreStockKernels } from '../src/wasm/index';
import { FusedAdamOptimizer } from '../src/fused-adam';

type UpdateFn = (b: Batch) => number;

/**
 * One DQN update: the target computed in the same tidy as the gradients, Q(s,a) via a one-hot
 * mask, Huber loss, one host read. The plain variant uses tfjs Adam (~12 kernels per variable);
 * the fused one (the reference for agents/dqn/learner.ts) uses src/fused-adam.ts (one kernel).
 */
function dqnUpdate(net: NetCase, online: tf.LayersModel, target: tf.LayersModel, optimizer: tf.Optimizer): UpdateFn {
  const vars = online.trainableWeights.map((w) => w.read() as tf.Variable);
  return (b) => {
    const loss = tf.tidy(() => {
      const obs = tf.tensor(b.obs, [net.batch, ...net.inputShape]);
      const nextObs = tf.tensor(b.nextObs, [net.batch, ...net.inputShape]);
      const mask = tf.oneHot(tf.tensor1d(b.actions, 'int32'), net.actions);
      const y = tf.add(tf.tensor1d(b.rewards), tf.mul(tf.tensor1d(b.discounts), tf.max(target.apply(nextObs) as tf.Tensor, 1)));
      const { value, grads } = tf.variableGrads(() => {
        const q = online.apply(obs, { training: true }) as tf.Tensor;
        return huber(y, tf.sum(tf.mul(q, mask), 1)) as tf.Scalar;
      }, vars);
      optimizer.applyGradients(grads);
      return value;
    });
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  };
}

const plainUpdate = (net: NetCase, online: tf.LayersModel, target: tf.LayersModel): UpdateFn =>
  dqnUpdate(net, online, target, createOptimizer({ type: 'adam', learningRate: 1e-3 }));

const fusedUpdate = (net: NetCase, online: tf.LayersModel, target: tf.LayersModel): UpdateFn =>
  dqnUpdate(net, online, target, new FusedAdamOptimizer(1e-3));

async function benchBackend(backend: BackendPreference, seconds: number, stock: boolean): Promise<Row[]> {
  const info = await initNodeBackend(backend, { quiet: true });
  if (stock && (info.name === 'wasm' || info.name === 'cpu')) restoreStockKernels(info.name);
  const label = (info.wasm ? `${info.name} (SIMD ${info.wasm.simd ? 'on' : 'off'})` : info.name) + (stock ? ', stock tfjs kernels' : '');
  const rows: Row[] = [];
  const rng = new Random(7);
  for (const net of NETS) {
    const variants: Array<[string, (n: NetCase, o: tf.LayersModel, t: tf.LayersModel) => UpdateFn]> = [
      ['update, plain (tf Adam)', plainUpdate],
    ];
    if (!stock) variants.push(['update, fused Adam', fusedUpdate]);
    for (const [what, make] of variants) {
      const online = buildModel(net.spec, net.inputShape, { seed: 1 });
      const target = buildModel(net.spec, net.inputShape, { seed: 2 });
      const update = make(net, online, target);
      const batch = makeBatch(net, rng);
      try {
        update(batch); // creates the optimiser's state before counting tensors
      } catch (err) {
        console.log(`${label}, ${net.name}, ${what}: cannot run — ${(err as Error).message.split('\n')[0]}`);
        online.dispose();
        target.dispose();
        continue;
      }
      const before = tf.memory().numTensors;
      const timing = measure(() => update(batch), seconds);
      const leaked = tf.memory().numTensors - before;
      if (leaked > 0) console.warn(`warning: ${what} on ${label} leaked ${leaked} tensors`);
      rows.push({ backend: label, net: net.name, what, timing, flops: updateFlops(online, net.batch) });
      online.dispose();
      target.dispose();
    }
    rows.push(...actingRows(net, label, seconds, rng));
  }
  return rows;
}

function printTable(rows: Row[]): void {
  const header = ['backend', 'network', 'measurement', 'median ms', 'best ms', 'reps', 'MFLOP', 'GFLOP/s (best)'];
  const body = rows.map((r) => [
    r.backend,
    r.net,
    r.what,
    r.timing.medianMs.toFixed(r.timing.medianMs < 0.1 ? 4 : 2),
    r.timing.bestMs.toFixed(r.timing.bestMs < 0.1 ? 4 : 2),
    String(r.timing.reps),
    (r.flops / 1e6).toFixed(r.flops < 1e6 ? 3 : 1),
    (r.flops / (r.timing.bestMs * 1e6)).toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of body) console.log(line(row));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seconds = Number(flag('--seconds') ?? 1.5);
  let backends = (flag('--backends') ?? '').split(',').filter(Boolean) as BackendPreference[];
  if (backends.length === 0) {
    backends = ['cpu', 'wasm'];
    if (probeNative('tensorflow').available) backends.push('tensorflow');
  }
  const rows: Row[] = [];
  const stock = args.includes('--stock');
  for (const backend of backends) rows.push(...(await benchBackend(backend, seconds, stock)));
  printTable(rows);
}

await main();
