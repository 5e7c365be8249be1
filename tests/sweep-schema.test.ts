import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../agents/dqn/config';
import { canonicalJson, expandSweep, gridCombinations, hashConfig, randomSamples, sampleDistribution } from '../node/sweep/expand';
import { prepareSweep } from '../node/sweep/run-sweep';
import { parseSweep, SweepError } from '../node/sweep/schema';
import { Random } from '../src/random';

const run = promisify(execFile);
const tmp = () => mkdtempSync(join(tmpdir(), 'keiko-sweep-schema-'));

/** The sweep shape of docs/sweeps.md, exactly as written in the brief. */
const BRIEF_SWEEP = `
envs: [CartPole-v1, MinAtar/Breakout-v1]
base: { preset: cartpole }          # any training config keys
steps: 50000                        # per run
seeds: [1, 2, 3]
grid:                               # every combination
  learningRate: [0.001, 0.0005]
  targetUpdateInterval: [100, 500]
random:                             # optional: extra sampled configs
  samples: 8
  space: { learningRate: { logUniform: [0.0001, 0.003] }, doubleDqn: { choice: [true, false] } }
`;

function writeSweep(text: string, name = 'sweep.yaml'): string {
  const path = join(tmp(), name);
  writeFileSync(path, text);
  return path;
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SweepError) return err.issues;
    throw err;
  }
  throw new Error('expected a SweepError');
}

describe('sweep format and expansion', () => {
  it('accepts the documented shape and expands envs × (grid + random) × seeds', async () => {
    const prepared = await prepareSweep(writeSweep(BRIEF_SWEEP), resolveConfig);
    const { runs } = prepared;
    expect(runs).toHaveLength(2 * (4 + 8) * 3);
    const cartpole = runs.filter((r) => r.env === 'CartPole-v1');
    // 12 configs, each with seeds 1, 2, 3 sharing one hash.
    expect(new Set(cartpole.map((r) => r.configHash)).size).toBe(12);
    for (const r of cartpole) {
      expect(r.config).toMatchObject({ env: 'CartPole-v1', preset: 'cartpole', steps: 50000, seed: r.seed });
      expect(r.relDir).toBe(`runs/CartPole-v1/${r.configHash}/seed-${r.seed}`);
    }
    expect(runs.find((r) => r.env === 'MinAtar/Breakout-v1')!.relDir).toMatch(/^runs\/MinAtar-Breakout-v1\//);
    // Grid combos in order, last key fastest.
    expect(cartpole.filter((r) => r.seed === 1).slice(0, 4).map((r) => r.hyperparams)).toEqual([
      { learningRate: 0.001, targetUpdateInterval: 100 },
      { learningRate: 0.001, targetUpdateInterval: 500 },
      { learningRate: 0.0005, targetUpdateInterval: 100 },
      { learningRate: 0.0005, targetUpdateInterval: 500 },
    ]);
    const sampled = cartpole.filter((r) => r.origin.startsWith('random') && r.seed === 1).map((r) => r.hyperparams);
    expect(sampled).toHaveLength(8);
    for (const h of sampled) {
      expect(h.learningRate as number).toBeGreaterThanOrEqual(0.0001);
      expect(h.learningRate as number).toBeLessThan(0.003);
      expect([true, false]).toContain(h.doubleDqn);
    }
    // Thresholds come from the env registry's specs.
    expect(prepared.thresholds['CartPole-v1']).toBe(475);
  });

  it('random search is reproducible from the sweep seed and differs across seeds', () => {
    const random = { samples: 6, space: { lr: { logUniform: [1e-4, 1e-2] as [number, number] }, k: { intUniform: [1, 3] as [number, number] } } };
    expect(randomSamples(random, 0)).toEqual(randomSamples(random, 0));
    expect(randomSamples(random, 0)).not.toEqual(randomSamples(random, 1));
    const sweep = parseSweep({ envs: ['CartPole-v1'], steps: 10, seeds: 2, random, seed: 7 });
    expect(expandSweep(sweep)).toEqual(expandSweep(parseSweep({ envs: ['CartPole-v1'], steps: 10, seeds: 2, random, seed: 7 })));
    expect(expandSweep(sweep).map((r) => r.seed)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('distributions sample their documented ranges', () => {
    const rng = new Random(3);
    const ints = new Set<number>();
    let logBelow = 0;
    for (let i = 0; i < 4000; i++) {
      ints.add(sampleDistribution({ intUniform: [2, 5] }, rng) as number);
      const u = sampleDistribution({ uniform: [-1, 3] }, rng) as number;
      expect(u).toBeGreaterThanOrEqual(-1);
      expect(u).toBeLessThan(3);
      const l = sampleDistribution({ logUniform: [1e-4, 1e-2] }, rng) as number;
      expect(l).toBeGreaterThanOrEqual(1e-4);
      expect(l).toBeLessThan(1e-2);
      if (l < 1e-3) logBelow++;
    }
    expect([...ints].sort()).toEqual([2, 3, 4, 5]); // both ends included
    // log-uniform: half the mass below the geometric midpoint 1e-3.
    expect(logBelow / 4000).toBeGreaterThan(0.46);
    expect(logBelow / 4000).toBeLessThan(0.54);
  });

  it('config hash ignores key order but not values; grid combos multiply', () => {
    expect(hashConfig({ a: 1, b: { c: 2, d: 3 } })).toBe(hashConfig({ b: { d: 3, c: 2 }, a: 1 }));
    expect(hashConfig({ a: 1 })).not.toBe(hashConfig({ a: 2 }));
    expect(canonicalJson({ b: 1, a: [true, null] })).toBe('{"a":[true,null],"b":1}');
    expect(gridCombinations({ x: [1, 2, 3], y: ['a', 'b'] })).toHaveLength(6);
  });

  it('listed configs come after the grid combinations, one config each, and validate their keys', () => {
    const sweep = parseSweep({
      envs: ['CartPole-v1'],
      steps: 100,
      seeds: [0, 1],
      grid: { nStep: [1, 3] },
      configs: [{ trainFrequency: 1, learningRate: 0.00025 }, { nStep: 3 }],
    });
    const runs = expandSweep(sweep);
    expect(runs.map((r) => r.origin)).toEqual(['grid[0]', 'grid[0]', 'grid[1]', 'grid[1]', 'configs[0]', 'configs[0]', 'configs[1]', 'configs[1]']);
    expect(runs[4]!.config).toMatchObject({ trainFrequency: 1, learningRate: 0.00025, seed: 0 });
    // The same values listed and from the grid are the same config (same hash, same run dir).
    expect(runs[6]!.configHash).toBe(runs[2]!.configHash);
    expect(issuesOf(() => parseSweep({ envs: ['CartPole-v1'], steps: 1, seeds: [0], configs: [{ seed: 3 }] }))[0]).toMatch(/^configs\[0\]\.seed: is set by the sweep itself/);
    expect(issuesOf(() => parseSweep({ envs: ['CartPole-v1'], steps: 1, seeds: [0], configs: [] }))[0]).toMatch(/^configs: /);
  });

  it('per-env presets override base.preset and change the hash', () => {
    const sweep = parseSweep({
      envs: [{ id: 'CartPole-v1', preset: 'cartpole' }, { id: 'MinAtar/Breakout-v1', preset: 'minatar', config: { gamma: 0.98 } }],
      base: { preset: 'default', learningRate: 0.001 },
      steps: 100,
      seeds: [0],
    });
    const [a, b] = expandSweep(sweep);
    expect(a!.config).toMatchObject({ preset: 'cartpole', learningRate: 0.001 });
    expect(b!.config).toMatchObject({ preset: 'minatar', gamma: 0.98, env: 'MinAtar/Breakout-v1' });
  });

  it('a malformed sweep lists every problem with its path', () => {
    const issues = issuesOf(() =>
      parseSweep({
        envs: ['CartPole-v1', { id: 'Acrobot-v1', preset: 3 }],
        steps: -5,
        seeds: [],
        grid: { learningRate: 0.001, seed: [1, 2] },
        random: { samples: 2, space: { gamma: { normal: [0, 1] }, lr: { logUniform: [0, 1] } } },
        gird: {},
      }),
    );
    const text = issues.join('\n');
    for (const path of ['envs[1].preset', 'steps', 'seeds', 'grid.learningRate', 'grid.seed', 'random.space.gamma.normal', 'random.space.lr.logUniform', '(root)']) {
      expect(text).toContain(`${path}:`);
    }
    expect(text).toMatch(/gird/);
    expect(issues.length).toBeGreaterThanOrEqual(8);
  });

  it('hyperparameters that are not training config keys are errors at their sweep path', async () => {
    const path = writeSweep(`
envs: [CartPol-v1, MinAtar/Breakout-v1]
base: { preset: cartpole, gamma: 1.5 }
steps: 1000
seeds: 2
grid: { learnigRate: [0.001], batchSize: [32, 0] }
random: { samples: 2, space: { epsilonEnd: { uniform: [2, 3] } } }
`);
    const err = await prepareSweep(path, resolveConfig).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SweepError);
    const text = (err as SweepError).issues.join('\n');
    expect(text).toMatch(/envs\[0\]: Unknown env id "CartPol-v1"/);
    expect(text).toContain('grid.learnigRate:');
    expect(text).toContain('grid.batchSize:');
    expect(text).toContain('base.gamma:');
    expect(text).toContain('random.space.epsilonEnd:');
    // Reported once, not once per expanded config.
    expect(text.match(/grid\.learnigRate:/g)!.length).toBe(1);
  });

  it('`keiko bench` with a bad sweep prints every error, exits 2 and creates nothing', async () => {
    const path = writeSweep(`envs: [CartPole-v1]\nsteps: 0\nseeds: [1]\ngrid: { learnigRate: [0.001] }\n`);
    const out = join(tmp(), 'never-created');
    const result = await run('node', ['bin/keiko.js', 'bench', path, '--out', out], { cwd: process.cwd() }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('steps:');
    // The shape error does not hide the config errors: one pass lists them all.
    expect(result.stderr).toContain('grid.learnigRate: unknown key (did you mean "learningRate"?)');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
  });
});
