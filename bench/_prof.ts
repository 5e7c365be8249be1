import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../node/backend-node';
import { buildModel } from '../src/layers/index';
import { createOptimizer } from '../src/optimizers';
import { Random } from '../src/random';
import { setSimdGemm } from '../src/wasm/batch-mat-mul';
import { NETS, makeBatch } from './nn-shared';
import { ADAM, dqnLearner } from './nn';
await initNodeBackend('wasm', { quiet: true });
const net = NETS[Number(process.argv[2] ?? 1)];
setSimdGemm(process.argv[3] !== 'off');
const clip = process.argv[4] ? Number(process.argv[4]) : null;
const online = buildModel(net.spec, net.inputShape, { seed: 1 });
const target = buildModel(net.spec, net.inputShape, { seed: 2 });
const up = dqnLearner(net, online, target, createOptimizer(ADAM), true, clip);
const batch = makeBatch(net, new Random(1));
for (let i = 0; i < 30; i++) up(batch);
const acc = new Map<string, number[]>();
for (let r = 0; r < 40; r++) {
  const p = await tf.profile(() => { up(batch); });
  const seen = new Map<string, number>();
  for (const k of p.kernels) {
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    seen.set(key, (seen.get(key) ?? 0) + (k.kernelTimeMs as number));
  }
  for (const [k, v] of seen) (acc.get(k) ?? acc.set(k, []).get(k)!).push(v);
}
const rows = [...acc].map(([k, v]) => [k, v.sort((a, b) => a - b)[v.length >> 1]] as const).sort((a, b) => b[1] - a[1]);
let tot = 0; for (const [, v] of rows) tot += v;
console.log('total', tot.toFixed(3));
for (const [k, v] of rows.slice(0, 25)) console.log(v.toFixed(3), k);
