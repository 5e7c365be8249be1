/**
 * Single-observation action selection for bench:nn: tfjs predict against the forward pass the
 * DQN policy uses (src/fast-forward.ts), on a dense observation and on a 0/1 one with 10% ones
 * (MinAtar frames have ~3–10%); its plain-JS kernels (no WebAssembly SIMD) on the latter.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../src/layers/index';
import { compileFastForward, type FastForward } from '../src/fast-forward';
import type { Random } from '../src/random';
import { forwardFlops, makeBatch, measure, type NetCase, type Row } from './nn-shared';

export function actingRows(net: NetCase, label: string, seconds: number, rng: Random): Row[] {
  const rows: Row[] = [];
  const model = buildModel(net.spec, net.inputShape, { seed: 1 });
  const flops = forwardFlops(model);
  const obs = makeBatch({ ...net, batch: 1 }, rng).obs;
  const sparseObs = obs.map((v) => (v < 0.1 ? 1 : 0));
  const predict = () => {
    const q = tf.tidy(() => model.predict(tf.tensor(obs, [1, ...net.inputShape])) as tf.Tensor);
    const values = q.dataSync();
    q.dispose();
    return values;
  };
  rows.push({ backend: label, net: net.name, what: 'act, tfjs predict', timing: measure(() => void predict(), seconds / 2), flops });
  // As the learner does: every trainable variable, flat, one read.
  const flat = tf.tidy(() => tf.concat(model.trainableWeights.map((w) => tf.reshape(w.read(), [-1]))).dataSync() as Float32Array);
  const ref = predict();
  const fast = compileFastForward(net.spec, net.inputShape);
  const js = compileFastForward(net.spec, net.inputShape, { simd: false });
  if (fast && js) {
    for (const f of [fast, js]) {
      f.weights.set(flat);
      const got = f.forward(obs);
      const err = Math.max(...Array.from(ref, (v, i) => Math.abs(v - got[i])));
      if (err > 1e-4) console.warn(`warning: src/fast-forward differs from predict by ${err} on ${net.name}`);
    }
    const time = (f: FastForward, x: Float32Array) => measure(() => void f.forward(x), seconds / 2, 100, 200_000);
    const kernels = fast.simd ? 'wasm SIMD' : 'JS';
    rows.push({ backend: label, net: net.name, what: `act, src/fast-forward, ${kernels} (dense obs)`, timing: time(fast, obs), flops });
    rows.push({ backend: label, net: net.name, what: `act, src/fast-forward, ${kernels} (10% ones)`, timing: time(fast, sparseObs), flops });
    if (fast.simd) rows.push({ backend: label, net: net.name, what: 'act, src/fast-forward, JS (10% ones)', timing: time(js, sparseObs), flops });
  }
  model.dispose();
  return rows;
}
