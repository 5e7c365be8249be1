import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, PRESETS, PRESET_VALUES, didYouMean, resolveConfig } from '../agents/dqn/config';

function problems(input: unknown): { path: string; message: string }[] {
  try {
    resolveConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('DQN config', () => {
  it('layers defaults < preset < input and picks the preset from the env', () => {
    const c = resolveConfig({ env: 'CartPole-v1', learningRate: 0.01 });
    expect(c.preset).toBe('cartpole');
    expect(c.learningRate).toBe(0.01);
    expect(c.batchSize).toBe(PRESET_VALUES.cartpole.batchSize);
    expect(c.huberDelta).toBe(DEFAULTS.huberDelta);
    const m = resolveConfig({ env: 'MinAtar/Breakout-v1' });
    expect(m.preset).toBe('minatar');
    expect(m).toMatchObject({ batchSize: 32, bufferSize: 100_000, targetUpdateInterval: 1000, trainFrequency: 1, learningStarts: 5000, epsilonEnd: 0.1, epsilonDecaySteps: 100_000, gamma: 0.99, loss: 'huber' });
    expect(m.optimizer).toEqual({ type: 'rmsprop', decay: 0.95, momentum: 0, epsilon: 0.01, centered: true, epsilonPlacement: 'outside-sqrt' });
    // An env without a preset of its own (Acrobot-v1 has one now: see the test below).
    expect(resolveConfig({ env: 'Pendulum-v1' }).preset).toBe('default');
  });

  it('picks the acrobot and mountaincar presets (rl-zoo DQN settings) from the env', () => {
    const a = resolveConfig({ env: 'Acrobot-v1' });
    expect(a.preset).toBe('acrobot');
    expect(a).toMatchObject({ steps: 100_000, learningRate: 6.3e-4, batchSize: 128, bufferSize: 50_000, learningStarts: 0, gamma: 0.99, targetUpdateInterval: 250, trainFrequency: 4, gradientSteps: 4, epsilonDecaySteps: 12_000, epsilonEnd: 0.1 });
    expect(a.network).toEqual([{ type: 'dense', units: 256, activation: 'relu' }, { type: 'dense', units: 256, activation: 'relu' }]);
    const m = resolveConfig({ env: 'MountainCar-v0' });
    expect(m.preset).toBe('mountaincar');
    expect(m).toMatchObject({ steps: 120_000, learningRate: 4e-3, batchSize: 128, bufferSize: 10_000, learningStarts: 1_000, gamma: 0.98, targetUpdateInterval: 600, trainFrequency: 16, gradientSteps: 8, epsilonDecaySteps: 24_000, epsilonEnd: 0.07 });
    // An explicit preset still wins over the env's, and input over the preset.
    expect(resolveConfig({ env: 'Acrobot-v1', preset: 'default' }).batchSize).toBe(DEFAULTS.batchSize);
    expect(resolveConfig({ env: 'MountainCar-v0', gamma: 0.99 }).gamma).toBe(0.99);
  });

  it('resolves every preset on its env', () => {
    const envs: Record<string, string> = { default: 'CartPole-v1', cartpole: 'CartPole-v1', acrobot: 'Acrobot-v1', mountaincar: 'MountainCar-v0', minatar: 'MinAtar/Breakout-v0', 'minatar-tuned': 'MinAtar/Breakout-v0' };
    for (const preset of PRESETS) {
      expect(envs[preset], `no env listed for preset ${preset}`).toBeDefined();
      expect(resolveConfig({ env: envs[preset], preset }).preset).toBe(preset);
    }
  });

  it('lists every problem by its path in one error', () => {
    const p = problems({ gamma: 1.5, bufferSize: -3, learningRat: 0.1, doubleDqn: 'yes', epsilonSchedule: 'cosine', network: [{ units: 3 }] });
    const paths = p.map((x) => x.path).sort();
    expect(paths).toEqual(['bufferSize', 'doubleDqn', 'epsilonSchedule', 'gamma', 'learningRat', 'network.0.type'].sort());
    expect(p.find((x) => x.path === 'learningRat')!.message).toContain('did you mean "learningRate"');
    expect(p.find((x) => x.path === 'epsilonSchedule')!.message).toMatch(/linear|exponential/);
  });

  it('checks cross-field constraints and the top-level type', () => {
    expect(problems({ batchSize: 64, bufferSize: 10 }).map((x) => x.path)).toEqual(['batchSize']);
    expect(problems([1, 2])[0].path).toBe('');
    expect(problems({ gamma: 0 }).map((x) => x.path)).toEqual(['gamma']);
    expect(problems({ rewardClip: -1 }).map((x) => x.path)).toEqual(['rewardClip']);
  });

  it('accepts null to disable clipping, and optimiser objects', () => {
    const c = resolveConfig({ rewardClip: null, maxGradNorm: null, optimizer: { type: 'sgd' } });
    expect(c.rewardClip).toBeNull();
    expect(c.maxGradNorm).toBeNull();
    expect(c.optimizer).toEqual({ type: 'sgd' });
  });

  it('did-you-mean finds near misses only', () => {
    expect(didYouMean('bathSize')).toBe('batchSize');
    expect(didYouMean('zzzzzzzz')).toBeNull();
  });
});
