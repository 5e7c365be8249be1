/** `networkInit`: the Q-network's initialisation, Keras-style (the default) or PyTorch-style. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DqnAgent } from '../agents/dqn/agent';
import { ConfigError, resolveConfig } from '../agents/dqn/config';
import { buildQNetwork, qNetworkSpec } from '../agents/dqn/network';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const MINATAR_OBS = [10, 10, 7];

describe('networkInit', () => {
  it("'keras' (the default) leaves the spec and the weights exactly as before", () => {
    expect(resolveConfig({ env: 'CartPole-v1' }).networkInit).toBe('keras');
    const before = qNetworkSpec(null, MINATAR_OBS, 6, true);
    expect(qNetworkSpec(null, MINATAR_OBS, 6, true, 'keras')).toEqual(before);
    expect(JSON.stringify(before)).not.toContain('Initializer');
  });

  it("'pytorch': every dense and conv layer, head and dueling branches included, gets U(±1/√fan_in) kernels and biases", () => {
    const spec = qNetworkSpec(null, MINATAR_OBS, 6, true, 'pytorch');
    const model = buildQNetwork(spec, MINATAR_OBS, 5, 'q');
    // conv 3×3×7 → 16, dense 1024 → 128, value 128 → 1, advantage 128 → 6.
    const fanIns = [63, 1024, 128, 128];
    const weighted = model.layers.filter((l) => l.getWeights().length === 2);
    expect(weighted).toHaveLength(fanIns.length);
    weighted.forEach((layer, i) => {
      const bound = 1 / Math.sqrt(fanIns[i]!);
      for (const w of layer.getWeights()) {
        const v = w.dataSync() as Float32Array;
        let maxAbs = 0;
        for (const x of v) maxAbs = Math.max(maxAbs, Math.abs(x));
        expect(maxAbs).toBeLessThanOrEqual(bound);
        // Biases are no longer zero (the 1-unit value bias is a single draw: only nonzero).
        expect(maxAbs).toBeGreaterThan(v.length > 1 ? 0.4 * bound : 0);
      }
    });
  });

  it("keeps an initialiser a layer sets itself, and the agent's two nets start equal", () => {
    const spec = qNetworkSpec([{ type: 'dense', units: 8, activation: 'relu', biasInitializer: 'zeros' }], [4], 2, false, 'pytorch');
    expect(spec[0]).toMatchObject({ kernelInitializer: 'fanInUniform', biasInitializer: 'zeros' });
    expect(spec[1]).toMatchObject({ kernelInitializer: 'fanInUniform', biasInitializer: 'fanInUniform' });
    const agent = new DqnAgent(resolveConfig({ env: 'CartPole-v1', networkInit: 'pytorch', seed: 3 }), [4], 2);
    const [online, target] = [agent.online.getWeights(), agent.target.getWeights()];
    online.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(target[i]!.dataSync())));
    agent.dispose();
  });

  it('a bad value names the field and the allowed values', () => {
    expect(() => resolveConfig({ env: 'CartPole-v1', networkInit: 'torch' })).toThrow(ConfigError);
    expect(() => resolveConfig({ env: 'CartPole-v1', networkInit: 'torch' })).toThrow(/networkInit.*keras.*pytorch/s);
  });
});
