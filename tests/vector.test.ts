import { describe, expect, it } from 'vitest';
import { make, makeVector, listEnvs, RecordEpisodeStatistics, VectorEnv } from '../envs/index';
import type { Env } from '../envs/index';
import { Random } from '../src/random';

describe('VectorEnv', () => {
  it('reset({seed}) seeds copy i with seed + i; the first unseeded reset still gives distinct copies', () => {
    const venv = makeVector('CartPole-v1', 3);
    const { observations } = venv.reset({ seed: 10 });
    expect(observations).toBeInstanceOf(Float32Array);
    expect(observations.length).toBe(12);
    for (let i = 0; i < 3; i++) {
      const single = make('CartPole-v1').reset({ seed: 10 + i }).observation;
      expect(Array.from(observations.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(single));
    }
    const fresh = makeVector('CartPole-v1', 2).reset().observations;
    expect(Array.from(fresh.subarray(0, 4))).not.toEqual(Array.from(fresh.subarray(4, 8)));
  });

  it('matches independent envs stepped by hand with same-step autoreset', () => {
    const n = 4;
    const id = 'CartPole-v1';
    const venv = new VectorEnv(Array.from({ length: n }, () => new RecordEpisodeStatistics(make(id, { maxEpisodeSteps: 30 })) as Env));
    const refs = Array.from({ length: n }, () => new RecordEpisodeStatistics(make(id, { maxEpisodeSteps: 30 })));
    venv.reset({ seed: 100 });
    refs.forEach((env, i) => env.reset({ seed: 100 + i }));
    const rng = new Random(1);
    const actions = new Int32Array(n);
    let finished = 0;
    let truncations = 0;
    for (let t = 0; t < 400; t++) {
      for (let i = 0; i < n; i++) actions[i] = rng.integer(0, 2);
      const r = venv.step(actions);
      for (let i = 0; i < n; i++) {
        const ref = refs[i].step(actions[i]);
        expect(r.rewards[i]).toBe(ref.reward);
        expect(r.terminated[i]).toBe(ref.terminated ? 1 : 0);
        expect(r.truncated[i]).toBe(ref.truncated ? 1 : 0);
        const row = (a: ArrayLike<number>) => Array.from(a as Float32Array).slice(i * 4, i * 4 + 4);
        if (ref.terminated || ref.truncated) {
          finished++;
          if (ref.truncated) truncations++;
          // The finished episode's last observation and info go to info; the row restarts.
          expect(row(r.info.finalObservation)).toEqual(Array.from(ref.observation));
          expect(r.info.finalInfo[i]).toEqual(ref.info);
          expect((r.info.finalInfo[i] as { episode: unknown }).episode).toBeDefined();
          const restart = refs[i].reset().observation;
          expect(row(r.observations)).toEqual(Array.from(restart));
        } else {
          expect(r.info.finalInfo[i]).toBeNull();
          expect(row(r.observations)).toEqual(Array.from(ref.observation));
        }
      }
    }
    expect(finished).toBeGreaterThan(20);
    expect(truncations).toBeGreaterThan(0);
  });

  it('reuses its arrays and rejects a wrong number of actions or stepping before reset', () => {
    const venv = makeVector('MountainCar-v0', 2);
    expect(() => venv.step([0, 0])).toThrow(/before reset/);
    venv.reset({ seed: 0 });
    const a = venv.step([0, 2]);
    const b = venv.step([1, 1]);
    expect(b.observations).toBe(a.observations);
    expect(b.rewards).toBeInstanceOf(Float32Array);
    expect(b.terminated).toBeInstanceOf(Uint8Array);
    expect(() => venv.step([0])).toThrow(/expected 2 actions, got 1/);
    expect(() => venv.step([0, 3])).toThrow(/MountainCar-v0: action must be an integer in \[0, 2\]/);
    expect(() => makeVector('CartPole-v1', 0)).toThrow(/numEnvs/);
  });

  it('batches uint8 observations for uint8 envs (MinAtar, when registered)', () => {
    const minatar = listEnvs().find((e) => e.observationSpace.dtype !== 'float32');
    if (!minatar) return;
    const venv = makeVector(minatar.id, 2);
    const size = minatar.observationSpace.shape.reduce((x, y) => x * y, 1);
    const { observations } = venv.reset({ seed: 3 });
    expect(observations).toBeInstanceOf(Uint8Array);
    expect(observations.length).toBe(2 * size);
    const r = venv.step([0, 0]);
    expect(r.info.finalObservation).toBeInstanceOf(Uint8Array);
  });
});
