/**
 * Single-observation action selection for bench:nn: tfjs predict against the pure-JS forward
 * passes the DQN policy can use.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../src/layers/index';
import { compileJsForward } from '../agents/dqn/js-forward';
import { compileForward } from '../src/fast-forward';
import type { Random } from '../src/random';
import { forwardFlops, makeBatch, measure, type NetCase, type Row } from './nn-shared';

export function actingRows(net: NetCase, label: string, seconds: number, rng: Random): Row[] {
  const rows: Row[] = [];
  const model = buildModel(net.spec, net.inputShape, { seed: 1 });
  const obs = makeBatch({ ...net, batch: 1 }, rng).obs;
  const predict = () => {
    const q = tf.tidy(() => model.predict(tf.tensor(obs, [1, ...net.inputShape])) as tf.Tensor);
    const values = q.dataSync();
    q.dispose();
    return values;
  };
  rows.push({ backend: label, net: net.name, what: 'act, tfjs predict', timing: measure(() => void predict(), seconds / 2), flops: forwardFlops(model) });
  const fast = compileForward(model);
  const q = new Float32Array(fast.outputSize);
  rows.push({ backend: label, net: net.name, what: 'act, src/fast-forward (dense obs)', timing: measure(() => fast.forward(obs, q), seconds / 2, 100, 200_000), flops: forwardFlops(model) });
  const sparseObs = obs.map((v) => (v < 0.1 ? 1 : 0));
  rows.push({ backend: label, net: net.name, what: 'act, src/fast-forward (10% ones)', timing: measure(() => fast.forward(sparseObs, q), seconds / 2, 100, 200_000), flops: forwardFlops(model) });
  const js = compileJsForward(model);
  if (js) {
    let offset = 0;
    for (const w of model.trainableWeights) {
      const values = w.read().dataSync();
      js.weights.set(values, offset);
      offset += values.length;
    }
    rows.push({ backend: label, net: net.name, what: 'act, JS forward (agents/dqn)', timing: measure(() => void js.forward(obs), seconds / 2, 100, 200_000), flops: forwardFlops(model) });
  }
  model.dispose();
  return rows;
}
