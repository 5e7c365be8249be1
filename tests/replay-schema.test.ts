import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replaySchema } from '../agents/recording/replay-format';
import { replayJsonSchema } from '../scripts/gen-schemas';

describe('replay format', () => {
  it('the published JSON Schema is the one generated from the zod schema', () => {
    const published = JSON.parse(readFileSync(new URL('../schemas/replay.schema.json', import.meta.url), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(replayJsonSchema())));
  });

  it('accepts a well-formed replay and rejects a broken one, naming the path', () => {
    const frame = { family: 'cartpole', x: 0, theta: 0.01, xThreshold: 2.4, thetaThreshold: 0.2094 };
    const ok = {
      format: 'keiko-replay', version: 1, env: { id: 'CartPole-v1', family: 'cartpole' },
      actionNames: ['left', 'right'], seed: 0, kind: 'eval', episode: 0, trainingStep: 100,
      steps: [{ frame, action: 1, actionName: 'right', reward: 1, q: [0.1, 0.2], epsilon: 0.05 }],
      finalFrame: frame, return: 1, length: 1, terminated: false, truncated: false,
    };
    expect(replaySchema.safeParse(ok).success).toBe(true);
    const bad = { ...ok, steps: [{ ...ok.steps[0], epsilon: 2 }] };
    const res = replaySchema.safeParse(bad);
    expect(res.success).toBe(false);
    expect(res.error!.issues[0].path).toEqual(['steps', 0, 'epsilon']);
  });
});
