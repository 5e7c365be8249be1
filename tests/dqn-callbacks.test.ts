/**
 * The DQN core's seams: the tensor TD target equals its pure oracle, callbacks see one ordered
 * event stream and can stop training, and checkpoint parts round-trip their own state.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tdTargetTensor, tdTargets } from '../agents/dqn/targets';
import { BaseCallback, StopOnRewardThreshold, type StepContext } from '../agents/dqn/callbacks';
import type { TrainEvent } from '../agents/dqn/events';
import { DqnTrainer } from '../agents/dqn/loop';
import { resolveConfig } from '../agents/dqn/config';
import { NStepAccumulator } from '../agents/dqn/n-step';
import { ReplayBuffer } from '../agents/dqn/replay-buffer';
import { SnapshotError } from '../agents/dqn/state';
import { make } from '../envs/registry';
import { Random } from '../src/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const small = {
  env: 'CartPole-v1',
  preset: 'default' as const,
  backend: 'cpu' as const,
  network: [{ type: 'dense', units: 8, activation: 'relu' }],
  bufferSize: 500,
  batchSize: 8,
  learningStarts: 50,
  trainFrequency: 4,
  targetUpdateInterval: 50,
  evalInterval: 100,
  evalEpisodes: 1,
  finalEvalEpisodes: 1,
  checkpointInterval: 0,
  recordEvery: 0,
  logInterval: 100,
};

describe('tdTargetTensor', () => {
  it('equals the pure tdTargets for DQN and Double DQN, ties included', () => {
    const rng = new Random(5);
    const B = 16;
    const n = 4;
    // Rounded values make ties in the argmax likely.
    const draw = (k: number) => Float32Array.from({ length: k }, () => Math.round(rng.random() * 4) / 2);
    const rewards = draw(B);
    const discounts = Float32Array.from({ length: B }, (_, i) => (i % 3 === 0 ? 0 : 0.99));
    const nextQ = draw(B * n);
    const nextOnline = draw(B * n);
    for (const online of [null, nextOnline]) {
      const got = tf.tidy(() =>
        tdTargetTensor(tf.tensor1d(rewards), tf.tensor1d(discounts), tf.tensor2d(nextQ, [B, n]), online ? tf.tensor2d(online, [B, n]) : null).dataSync(),
      );
      const want = tdTargets(rewards, discounts, nextQ, online, n);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });
});

class Recorder extends BaseCallback {
  events: string[] = [];
  steps = 0;
  updates = 0;
  onStep(s: StepContext): void {
    this.steps++;
    expect(s.step).toBe(this.steps);
  }
  onUpdate(): void {
    this.updates++;
  }
  onEvent(e: TrainEvent): void {
    this.events.push(e.type);
  }
}

describe('callbacks', () => {
  it('see every step, every update and one ordered event stream', async () => {
    const rec = new Recorder();
    const trainer = new DqnTrainer(resolveConfig({ ...small, steps: 300, seed: 1 }), make, { callbacks: [rec] });
    const summary = await trainer.run();
    trainer.dispose();
    expect(rec.steps).toBe(300);
    expect(rec.updates).toBe(summary.updates);
    expect(summary.updates).toBe(Math.floor(300 / 4) - Math.floor(50 / 4));
    expect(rec.events[0]).toBe('start');
    expect(rec.events[1]).toBe('episode-start');
    expect(rec.events.filter((t) => t === 'episode').length).toBe(summary.episodes);
    expect(rec.events.filter((t) => t === 'eval').length).toBe(3);
    expect(rec.events.filter((t) => t === 'train').length).toBe(3);
    // The end: the final evaluation's replay, the final checkpoint, then 'end'.
    expect(rec.events.slice(-3)).toEqual(['replay', 'checkpoint', 'end']);
  });

  it('StopOnRewardThreshold ends training at the first evaluation that reaches it', async () => {
    const trainer = new DqnTrainer(resolveConfig({ ...small, steps: 1000, seed: 2 }), make, { callbacks: [new StopOnRewardThreshold(1)] });
    const summary = await trainer.run();
    trainer.dispose();
    expect(summary.steps).toBe(100);
    expect(summary.stoppedBy).toMatch(/≥ 1 at step 100/);
    expect(summary.interrupted).toBe(false);
    expect(summary.finalEval).not.toBeNull();
  });

  it('an unreachable threshold lets the run finish', async () => {
    const trainer = new DqnTrainer(resolveConfig({ ...small, steps: 200, seed: 2 }), make, { callbacks: [new StopOnRewardThreshold(1e9)] });
    const summary = await trainer.run();
    trainer.dispose();
    expect(summary.steps).toBe(200);
    expect(summary.stoppedBy).toBeUndefined();
  });
});

describe('stateful parts', () => {
  it('the n-step accumulator resumes mid-sequence exactly', () => {
    const obsSize = 3;
    const run = (split: number | null) => {
      let acc = new NStepAccumulator(3, 0.9, obsSize);
      const buffer = new ReplayBuffer({ capacity: 64, obsSize, obsDtype: 'float32' });
      for (let t = 0; t < 20; t++) {
        if (t === split) {
          const state = acc.exportState();
          acc = new NStepAccumulator(3, 0.9, obsSize);
          acc.importState({ json: structuredClone(state.json), arrays: { obs: state.arrays.obs.slice(), actions: state.arrays.actions.slice(), rewards: state.arrays.rewards.slice() } });
        }
        const o = [t, t + 1, t + 2];
        acc.push(o, t % 2, t * 0.5, t === 9, false, [t + 1, t + 2, t + 3], buffer);
      }
      return Array.from(buffer.rewards.subarray(0, buffer.size));
    };
    expect(run(7)).toEqual(run(null));
  });

  it('parts reject foreign state with the field named', () => {
    const acc = new NStepAccumulator(3, 0.9, 2);
    const other = new NStepAccumulator(2, 0.9, 2).exportState();
    expect(() => acc.importState(other)).toThrow(SnapshotError);
    expect(() => acc.importState(other)).toThrow(/^n: checkpoint has nStep 2/);
    const buffer = new ReplayBuffer({ capacity: 8, obsSize: 2, obsDtype: 'float32' });
    const state = buffer.exportState();
    expect(() => buffer.importState({ json: state.json, arrays: { ...state.arrays, obs: new Float32Array(3) } })).toThrow(/arrays\.obs: has 3 values, expected 16/);
    expect(() => buffer.importState({ json: { ...state.json, position: -1 }, arrays: state.arrays })).toThrow(/^position: /);
    expect(() => buffer.importState({ json: state.json, arrays: { ...state.arrays, actions: new Float32Array(8) } })).toThrow(/arrays\.actions: expected Int32Array, got Float32Array/);
  });
});
