import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipReward, huber, nStepReturn, tdTargets } from '../agents/dqn/targets';
import { Learner } from '../agents/dqn/learner';
import { buildModel } from '../src/layers';
import type { ReplayBatch } from '../agents/dqn/replay-buffer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('TD targets (pure)', () => {
  const nextQ = Float32Array.from([1, 5, 3, 2]); // 2 samples × 2 actions
  const nextOnline = Float32Array.from([9, 0, 0, 9]);

  it('DQN: y = r + discount · max_a Q⁻(s′, a)', () => {
    expect(Array.from(tdTargets([1, 2], [0.99, 0.99], nextQ, null, 2))).toEqual([1 + 0.99 * 5, 2 + 0.99 * 3].map(Math.fround));
  });

  it('Double DQN: the online net selects, the target net evaluates', () => {
    // Online picks a=0 for sample 0 (Q⁻ = 1) and a=1 for sample 1 (Q⁻ = 2).
    expect(Array.from(tdTargets([1, 2], [0.5, 0.5], nextQ, nextOnline, 2))).toEqual([1.5, 3]);
  });

  it('terminated (discount 0) does not bootstrap; truncated does', () => {
    const terminated = nStepReturn([{ reward: 1, terminated: true, truncated: false }], 0.99);
    const truncated = nStepReturn([{ reward: 1, terminated: false, truncated: true }], 0.99);
    expect(terminated).toEqual({ reward: 1, discount: 0, steps: 1 });
    expect(truncated).toEqual({ reward: 1, discount: 0.99, steps: 1 });
    const y = tdTargets([1, 1], [terminated.discount, truncated.discount], nextQ, null, 2);
    expect(y[0]).toBe(1);
    expect(y[1]).toBeCloseTo(1 + 0.99 * 3, 5);
  });

  it('n-step return stops at the first episode end', () => {
    const r = nStepReturn(
      [
        { reward: 1, terminated: false, truncated: false },
        { reward: 2, terminated: true, truncated: false },
        { reward: 100, terminated: false, truncated: false },
      ],
      0.5,
    );
    expect(r).toEqual({ reward: 2, discount: 0, steps: 2 });
  });

  it('reward clipping and Huber', () => {
    expect([clipReward(5, 1), clipReward(-3, 1), clipReward(0.3, 1), clipReward(7, null)]).toEqual([1, -1, 0.3, 7]);
    expect(huber(0.5)).toBe(0.125);
    expect(huber(-3)).toBe(2.5);
    expect(huber(3, 2)).toBe(4);
  });
});

describe('Learner (tensor update) agrees with the pure targets', () => {
  function setup(doubleDqn: boolean, loss: 'huber' | 'mse') {
    const spec = [{ type: 'dense' as const, units: 5, activation: 'tanh' as const }, { type: 'dense' as const, units: 3 }];
    const online = buildModel(spec, [4], { seed: 1 });
    const target = buildModel(spec, [4], { seed: 2 });
    const opt = tf.train.sgd(0.1);
    const learner = new Learner(online, target, opt, 3, { doubleDqn, loss, huberDelta: 1, maxGradNorm: null, tau: 1 }, null);
    const B = 6;
    const rnd = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + s) * 2);
    const batch: ReplayBatch = {
      size: B,
      obs: rnd(B * 4, 1),
      nextObs: rnd(B * 4, 2),
      actions: Int32Array.from([0, 1, 2, 0, 1, 2]),
      rewards: Float32Array.from([1, -1, 0.5, 0, 1, 3]),
      discounts: Float32Array.from([0.9, 0, 0.9, 0.81, 0.9, 0]),
      weights: Float32Array.from([1, 1, 0.5, 1, 0.25, 1]),
      indices: new Int32Array(B),
    };
    return { online, target, learner, batch, B };
  }

  for (const doubleDqn of [false, true]) {
    for (const loss of ['huber', 'mse'] as const) {
      it(`${doubleDqn ? 'double' : 'plain'} DQN, ${loss}: TD errors and loss match the pure formula`, () => {
        const { online, target, learner, batch, B } = setup(doubleDqn, loss);
        const q = (online.predict(tf.tensor(batch.obs, [B, 4])) as tf.Tensor).dataSync();
        const nq = (target.predict(tf.tensor(batch.nextObs, [B, 4])) as tf.Tensor).dataSync();
        const nqo = (online.predict(tf.tensor(batch.nextObs, [B, 4])) as tf.Tensor).dataSync();
        const y = tdTargets(batch.rewards, batch.discounts, nq, doubleDqn ? nqo : null, 3);
        const td = Array.from({ length: B }, (_, i) => y[i] - q[i * 3 + batch.actions[i]]);
        const perSample = td.map((d) => (loss === 'huber' ? huber(d) : d * d));
        const expectedLoss = perSample.reduce((s, l, i) => s + l * batch.weights[i], 0) / B;
        const before = tf.memory().numTensors;
        const r = learner.update(batch);
        expect(tf.memory().numTensors).toBe(before);
        td.forEach((d, i) => expect(r.tdErrors[i]).toBeCloseTo(d, 4));
        expect(r.loss).toBeCloseTo(expectedLoss, 4);
        expect(r.qMean).toBeCloseTo(td.reduce((s, _, i) => s + q[i * 3 + batch.actions[i]], 0) / B, 4);
        // The update moved the online weights along −∇loss: the loss on the same batch drops.
        const after = learner.update(batch);
        expect(after.loss).toBeLessThan(r.loss);
      });
    }
  }

  it('hard and soft target updates', () => {
    const { online, target, learner } = setup(false, 'mse');
    const w0 = target.getWeights().map((w) => w.dataSync().slice());
    const o = online.getWeights().map((w) => w.dataSync().slice());
    (learner.options as { tau: number }).tau = 0.25;
    learner.updateTarget();
    target.getWeights().forEach((w, i) => {
      const d = w.dataSync();
      for (let j = 0; j < d.length; j++) expect(d[j]).toBeCloseTo(0.25 * o[i][j] + 0.75 * w0[i][j], 5);
    });
    (learner.options as { tau: number }).tau = 1;
    learner.updateTarget();
    target.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(o[i])));
  });
});
