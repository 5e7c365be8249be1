/**
 * First-class custom envs: spaces that sample and test membership, checkEnv on every built-in env
 * and on broken envs (each problem named), the example env through the script API (it learns),
 * and through the CLI (`train --import`, `--resume` from imports.json, `bench --import` with the
 * module loaded in a sweep worker thread).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import {
  box,
  checkEnv,
  discrete,
  envProblems,
  EnvCheckError,
  listEnvs,
  make,
  sampleSpace,
  spaceContains,
  spaceViolation,
  type BoxSpace,
  type DiscreteSpace,
  type Env,
  type EnvSpec,
  type RenderFrame,
} from '../envs/index';
import { Random } from '../src/random';
import { train } from '../agents/dqn/train';
import { importModules, readRunImports } from '../node/import-modules';
import { registerTrain } from '../cli/commands/train';
import { registerBench } from '../cli/commands/bench';
import { UserError } from '../cli/errors';

const root = mkdtempSync(join(tmpdir(), 'keiko-custom-env-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const MODULE = 'examples/custom-env-module.ts';
const MODULE_URL = pathToFileURL(resolve(MODULE)).href;

describe('spaces: sample and contains', () => {
  it('box samples lie inside the box, per dtype and boundedness, reproducibly', () => {
    const spaces = [
      box({ shape: [3], low: -1, high: 2 }),
      box({ shape: [2, 2], low: [0, -5, 1, 2], high: [1, 5, 1, 3] }),
      box({ shape: [4], low: [-Infinity, 0, -Infinity, -3], high: [Infinity, Infinity, 0, 3] }),
      box({ shape: [5], low: 0, high: 255, dtype: 'uint8' }),
      box({ shape: [2, 3], low: 0, high: 1, dtype: 'bool' }),
    ];
    const rng = new Random(7);
    for (const s of spaces) {
      for (let i = 0; i < 500; i++) {
        const x = s.sample(rng);
        expect(x).toBeInstanceOf(s.dtype === 'float32' ? Float32Array : Uint8Array);
        expect(x.length).toBe(s.size);
        expect(s.contains(x), `${JSON.stringify(s.shape)} ${Array.from(x)}`).toBe(true);
        expect(spaceContains(s, x)).toBe(true);
      }
    }
    // The same seed gives the same samples; sampling into `out` reuses it.
    const a = spaces[2].sample(new Random(3));
    const out = new Float32Array(4);
    expect(spaces[2].sample(new Random(3), out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(a));
    // Half-bounded dimensions stay on their side; a bool box gives both values.
    const half = spaces[2];
    const bools = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const x = half.sample(rng);
      expect(x[1]).toBeGreaterThanOrEqual(0);
      expect(x[2]).toBeLessThanOrEqual(0);
      for (const v of spaces[4].sample(rng)) bools.add(v);
    }
    expect([...bools].sort()).toEqual([0, 1]);
  });

  it('contains rejects the wrong array type, length, NaN and values out of bounds, and says why', () => {
    const s = box({ shape: [2], low: [0, -1], high: [1, 1] });
    expect(s.contains(new Float32Array([0.5, 0]))).toBe(true);
    expect(s.contains([0.5, 0])).toBe(true); // plain arrays are checked by value
    expect(s.contains(new Float64Array([0.5, 0]))).toBe(false);
    expect(spaceViolation(s, new Float64Array(2))).toContain('Float64Array');
    expect(spaceViolation(s, new Float32Array(3))).toBe('has 3 elements; shape [2] has 2');
    expect(spaceViolation(s, new Float32Array([NaN, 0]))).toBe('[0] is NaN');
    expect(spaceViolation(s, new Float32Array([0, 1.5]))).toBe('[1] is 1.5, above high 1');
    expect(spaceViolation(s, new Float32Array([-0.5, 0]))).toBe('[0] is -0.5, below low 0');
    expect(s.contains(0.5)).toBe(false);
    const bools = box({ shape: [2], low: 0, high: 1, dtype: 'bool' });
    expect(bools.contains(new Uint8Array([0, 1]))).toBe(true);
    expect(spaceViolation(bools, new Uint8Array([0, 2]))).toContain('0 or 1');
    // float32 bounds are compared as float32, as Gymnasium casts them.
    const tenth = box({ shape: [1], low: 0, high: 0.1 });
    for (let i = 0; i < 200; i++) expect(tenth.contains(tenth.sample(new Random(i)))).toBe(true);
  });

  it('discrete samples every action and contains only integers in [0, n)', () => {
    const d = discrete(3, ['left', 'stay', 'right']);
    const rng = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const a = d.sample(rng);
      expect(d.contains(a)).toBe(true);
      seen.add(a);
    }
    expect([...seen].sort()).toEqual([0, 1, 2]);
    for (const bad of [-1, 3, 0.5, NaN, '1', null]) expect(d.contains(bad), String(bad)).toBe(false);
    expect(spaceViolation(d, 3)).toBe('is 3, outside [0, 2]');
  });

  it('the free functions work on plain literal spaces, and the constructors reject malformed spaces', () => {
    const literal: BoxSpace = { kind: 'box', shape: [2], low: 0, high: 10, dtype: 'uint8' };
    const actions: DiscreteSpace = { kind: 'discrete', n: 4, actionNames: ['a', 'b', 'c', 'd'] };
    const rng = new Random(0);
    const x = sampleSpace(literal, rng);
    expect(x).toBeInstanceOf(Uint8Array);
    expect(spaceContains(literal, x)).toBe(true);
    expect(spaceContains(actions, sampleSpace(actions, rng))).toBe(true);
    expect(() => box({ shape: [2], low: 1, high: 0 })).toThrow(/low 1 is above high 0/);
    expect(() => box({ shape: [2], low: [0, 0, 0], high: 1 })).toThrow(/low has 3 elements/);
    expect(() => box({ shape: [2], low: 0, high: 300, dtype: 'uint8' })).toThrow(/uint8 box needs integer bounds/);
    expect(() => discrete(2, ['only one'])).toThrow(/1 names for n = 2/);
    // Every built-in env's spaces carry the methods too.
    const env = make('CartPole-v1');
    const space = env.observationSpace as ReturnType<typeof box>;
    expect(typeof space.sample).toBe('function');
    expect((env.actionSpace as ReturnType<typeof discrete>).contains(1)).toBe(true);
  });
});

/** A small env with one switchable fault, to see each problem named. */
type Fault = 'length' | 'dtype' | 'bounds' | 'reward' | 'nondeterministic' | 'names' | 'flags' | 'info' | 'render';
let globalDrift = 0;

class FaultyEnv implements Env {
  readonly observationSpace: BoxSpace = { kind: 'box', shape: [3], low: 0, high: 1, dtype: 'float32' };
  readonly actionSpace: DiscreteSpace;
  readonly spec: EnvSpec = { id: 'Faulty-v0', maxEpisodeSteps: null, rewardThreshold: null, family: 'observation' };
  private obs: Float32Array;
  private rng = new Random(0);
  private t = 0;

  constructor(private readonly fault: Fault | null) {
    this.actionSpace = (fault === 'names' ? { kind: 'discrete', n: 2 } : { kind: 'discrete', n: 2, actionNames: ['a', 'b'] }) as DiscreteSpace;
    this.obs = new Float32Array(fault === 'length' ? 4 : 3);
  }

  get unwrapped(): Env {
    return this;
  }

  private observe() {
    for (let i = 0; i < 3; i++) this.obs[i] = this.rng.random();
    if (this.fault === 'nondeterministic') this.obs[0] = (globalDrift++ % 10) / 10;
    if (this.fault === 'bounds' && this.t === 3) this.obs[1] = 2;
    return this.fault === 'dtype' ? Float64Array.from(this.obs) : this.obs;
  }

  reset(options: { seed?: number } = {}) {
    if (options.seed !== undefined) this.rng = new Random(options.seed);
    this.t = 0;
    return { observation: this.observe() as Float32Array, info: {} };
  }

  step(action: number) {
    this.t++;
    const observation = this.observe() as Float32Array;
    const reward = this.fault === 'reward' && this.t === 2 ? NaN : action;
    const terminated = this.t >= 10;
    return {
      observation,
      reward,
      terminated: (this.fault === 'flags' ? Number(terminated) : terminated) as boolean,
      truncated: false,
      info: (this.fault === 'info' ? null : {}) as Record<string, unknown>,
    };
  }

  render(): RenderFrame {
    const data = this.fault === 'render' ? (this.obs as unknown as number[]) : Array.from(this.obs);
    return { family: 'observation', shape: [3], data };
  }

  close() {}
}

describe('checkEnv', () => {
  it('passes every built-in env id', () => {
    for (const { id } of listEnvs()) {
      expect(envProblems(id), id).toEqual([]);
      expect(() => checkEnv(id)).not.toThrow();
    }
    expect(envProblems(new FaultyEnv(null))).toEqual([]);
  });

  const cases: [Fault, string][] = [
    ['length', "reset({ seed: 0 }): observation has 4 elements; observationSpace.shape [3] has 3"],
    ['dtype', "reset({ seed: 0 }): observation is a Float64Array; observationSpace.dtype 'float32' needs a Float32Array"],
    ['bounds', '(step 3 after reset({ seed: 0 })): observation is outside observationSpace: observation[1] is 2, above high 1'],
    ['reward', 'reward is NaN; rewards must be finite'],
    ['nondeterministic', 'not deterministic under a seed: the first observation after reset({ seed: 0 }), observation[0] was'],
    ['names', 'actionSpace.actionNames is missing; expected 2 action names'],
    ['flags', 'terminated is number 0; expected true or false'],
    ['info', 'info is null; expected an object'],
    ['render', 'render() frame is not JSON-serialisable: frame.data is a Float32Array'],
  ];
  for (const [fault, message] of cases) {
    it(`names the problem: ${fault}`, () => {
      const problems = envProblems(new FaultyEnv(fault));
      expect(problems, problems.join('\n')).toHaveLength(1);
      expect(problems[0]).toContain(message);
    });
  }

  it('checkEnv throws one EnvCheckError listing every problem', () => {
    class TwoFaults extends FaultyEnv {
      override readonly spec: EnvSpec = { id: 'Faulty-v0', maxEpisodeSteps: 0, rewardThreshold: null, family: 'observation' };
    }
    const err = (() => {
      try {
        checkEnv(new TwoFaults('names'));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(EnvCheckError);
    const e = err as EnvCheckError;
    expect(e.problems).toHaveLength(2);
    expect(e.message).toContain("Faulty-v0 does not follow Keiko's env API (2 problems)");
    expect(e.message).toContain('actionSpace.actionNames is missing');
    expect(e.message).toContain('spec.maxEpisodeSteps is number 0');
    expect(envProblems('NoSuch-v0')[0]).toContain('make("NoSuch-v0") threw: Unknown env id');
  });
});

describe('the example custom env', () => {
  it('is registered by importing its module, passes checkEnv, and DQN learns it (beats a random policy)', async () => {
    expect(await importModules([MODULE])).toEqual([MODULE_URL]);
    checkEnv('MyWalk-v0');
    const env = make('MyWalk-v0');
    const rng = new Random(1);
    let randomTotal = 0;
    for (let ep = 0; ep < 50; ep++) {
      env.reset({ seed: 100 + ep });
      for (;;) {
        const r = env.step(rng.integer(0, 2));
        randomTotal += r.reward;
        if (r.terminated || r.truncated) break;
      }
    }
    const random = randomTotal / 50;
    const result = await train({
      env: 'MyWalk-v0',
      backend: 'cpu',
      steps: 3_000,
      seed: 0,
      network: [{ type: 'dense', units: 32, activation: 'relu' }],
      learningRate: 1e-3,
      gamma: 0.95,
      batchSize: 32,
      bufferSize: 10_000,
      learningStarts: 500,
      trainFrequency: 1,
      targetUpdateInterval: 200,
      epsilonDecaySteps: 1_500,
      evalEpsilon: 0,
      evalInterval: 3_000,
      evalEpisodes: 5,
      finalEvalEpisodes: 20,
    });
    result.agent.dispose();
    const greedy = result.finalEval!.meanReturn;
    expect(random).toBeLessThan(0.3);
    // Walking straight right returns 1 − 0.01 · (steps − 1) ≈ 0.92; random about −0.05.
    expect(greedy).toBeGreaterThan(0.85);
    expect(greedy).toBeGreaterThan(random + 0.5);
  }, 120_000);
});

const run = promisify(execFile);

describe('custom envs from the CLI', () => {
  const cli = () => {
    const p = new Command('keiko').exitOverride();
    registerTrain(p);
    registerBench(p);
    return p;
  };
  const tiny = ['--steps', '400', '--learning-starts', '100', '--eval-interval', '200', '--eval-episodes', '2', '--final-eval-episodes', '2', '--checkpoint-interval', '200', '--epsilon-decay-steps', '200', '--target-update-interval', '100', '--backend', 'cpu', '--quiet'];

  it('train --import … --env MyWalk-v0 trains, records imports.json, and --resume (another cwd, no --import) loads it again', async () => {
    const out = join(root, 'walk');
    await cli().parseAsync(['node', 'keiko', 'train', '--import', `./${MODULE}`, '--env', 'MyWalk-v0', '--out', out, ...tiny]);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).env).toBe('MyWalk-v0');
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).steps).toBe(400);
    expect(readRunImports(out)).toEqual([MODULE_URL]);
    // A fresh process that has never seen the module: the run's imports.json brings it back.
    const bin = resolve('bin/keiko.js');
    const { stdout } = await run(process.execPath, [bin, 'train', '--out', out, '--resume', '--steps', '600', '--backend', 'cpu'], { cwd: root });
    expect(stdout).toContain('resuming at step 400: MyWalk-v0');
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).steps).toBe(600);
  }, 120_000);

  it('a missing module or an unknown custom id is a clear UserError', async () => {
    const err = await cli()
      .parseAsync(['node', 'keiko', 'train', '--import', './no-such-env.ts', '--env', 'MyWalk-v0', '--out', join(root, 'x')])
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/--import \.\/no-such-env\.ts: no such file/);
    const unknown = await cli()
      .parseAsync(['node', 'keiko', 'train', '--env', 'TheirWalk-v0', '--out', join(root, 'y'), ...tiny])
      .then(() => null, (e: unknown) => e);
    expect((unknown as Error).message).toContain('--import ./my-env.ts');
    expect(existsSync(join(root, 'y', 'config.json'))).toBe(false);
  });

  it('bench --import runs a one-run sweep over the custom env in a worker thread', async () => {
    const sweep = join(root, 'walk.yaml');
    writeFileSync(
      sweep,
      ['name: one MyWalk run', 'envs: [MyWalk-v0]', 'base: { learningStarts: 100, evalInterval: 200, evalEpisodes: 2, finalEvalEpisodes: 2, checkpointInterval: 200, backend: cpu }', 'steps: 400', 'seeds: [1]'].join('\n'),
    );
    const out = join(root, 'sweep');
    const log = console.log;
    const lines: string[] = [];
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    try {
      await cli().parseAsync(['node', 'keiko', 'bench', sweep, '--out', out, '--workers', '1', '--import', MODULE]);
    } finally {
      console.log = log;
    }
    expect(lines.join('\n')).toMatch(/\[1\/1\] done {3}MyWalk-v0 base seed 1/);
    const csv = readFileSync(join(out, 'results.csv'), 'utf8');
    expect(csv).toContain('MyWalk-v0');
    expect(csv).toContain(',done,');
  }, 120_000);
});
