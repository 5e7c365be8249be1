/**
 * Bad input, property-based: supervised and GAN configs (resolveSupervisedConfig,
 * resolveGanConfig) and sweep files (parseSweep, loadSweepFile). Every bad value is the module's
 * own error naming the field; valid inputs from the same arbitraries are accepted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { SupervisedConfigError, resolveSupervisedConfig } from '../supervised/config';
import { GanConfigError, resolveGanConfig } from '../gan/config';
import { SweepError, loadSweepFile, parseSweep } from '../node/sweep/schema';
import { expectClean, hostile, nastyKeys, own, runProperty } from './fixtures/fuzz/helpers';

const root = mkdtempSync(join(tmpdir(), 'keiko-fuzz-runs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const posInt = fc.integer({ min: 1, max: 10_000 });
const fraction = fc.double({ min: 0, max: 0.99, noNaN: true });
const notPosInt = fc.oneof(fc.integer({ max: 0 }), fc.constantFrom(0.5, NaN, Infinity, '3', null, [1], true));
const dense = fc.record({ type: fc.constant('dense'), units: fc.integer({ min: 1, max: 32 }) });

type Table = Record<string, { ok: fc.Arbitrary<unknown>; bad: fc.Arbitrary<unknown>; allowed?: readonly string[] }>;

/** Valid subsets of a table plus 1–3 bad keys or unknown keys; the names the error must contain. */
function inputs(table: Table, base: fc.Arbitrary<Record<string, unknown>>, known: readonly string[]) {
  const keys = Object.keys(table);
  const valid = fc
    .tuple(base, fc.subarray(keys, { maxLength: 6 }).chain((ks) => fc.tuple(...ks.map((k) => table[k]!.ok.map((v) => [k, v] as const)))))
    .map(([b, entries]) => ({ ...b, ...Object.fromEntries(entries) }));
  const invalid = fc
    .tuple(
      valid,
      fc.uniqueArray(fc.constantFrom(...keys), { maxLength: 3 }).chain((ks) => fc.tuple(...ks.map((k) => table[k]!.bad.map((v) => [k, v] as const)))),
      fc.uniqueArray(fc.oneof(nastyKeys, fc.string({ minLength: 1, maxLength: 10 })).filter((k) => !known.includes(k)), { maxLength: 2 }),
    )
    .filter(([, bad, unknown]) => bad.length + unknown.length > 0)
    .map(([v, bad, unknown]) => ({ input: own([...Object.entries(v), ...bad, ...unknown.map((k) => [k, 1] as const)]), bad: bad.map(([k]) => k), unknown }));
  return { valid, invalid };
}

const SUPERVISED: Table = {
  model: { ok: fc.oneof(fc.constant('mlp'), fc.array(dense, { minLength: 1, maxLength: 3 })), bad: fc.oneof(fc.constantFrom('MLP', 'rnn', ''), fc.array(fc.record({ type: fc.constantFrom('dense', 'lstm') , units: fc.integer({ max: 0 }) }), { minLength: 1, maxLength: 2 })), allowed: ['mlp', 'cnn'] },
  hidden: { ok: fc.array(posInt, { maxLength: 3 }), bad: fc.oneof(fc.array(fc.integer({ max: 0 }), { minLength: 1, maxLength: 2 }), fc.constantFrom('64', 64, null)) },
  epochs: { ok: posInt, bad: notPosInt },
  batchSize: { ok: posInt, bad: notPosInt },
  optimizer: { ok: fc.constantFrom('sgd', 'adam', 'rmsprop'), bad: fc.constantFrom('Adam', 'lbfgs', '', 3), allowed: ['sgd', 'adam', 'adadelta'] },
  learningRate: { ok: fc.double({ min: 1e-6, max: 1, noNaN: true }), bad: fc.constantFrom(0, -1, NaN, Infinity, '1e-3') },
  seed: { ok: fc.integer(), bad: fc.constantFrom(0.5, NaN, '0', null) },
  validationSplit: { ok: fraction, bad: fc.constantFrom(1, -0.1, 2, NaN, '0.1') },
  dropout: { ok: fraction, bad: fc.constantFrom(1, -0.5, NaN) },
  batchNorm: { ok: fc.boolean(), bad: fc.constantFrom('true', 1, null) },
  l1: { ok: fc.double({ min: 0, max: 1, noNaN: true }), bad: fc.constantFrom(-1, NaN, 'x') },
  l2: { ok: fc.double({ min: 0, max: 1, noNaN: true }), bad: fc.constantFrom(-1, NaN, 'x') },
  init: { ok: fc.constantFrom('glorotUniform', 'heNormal', 'zeros'), bad: fc.constantFrom('he', 'ones', 7), allowed: ['glorotUniform', 'heNormal', 'normal001'] },
  augment: { ok: fc.record({ maxShift: fc.integer({ min: 0, max: 8 }), noiseStd: fc.double({ min: 0, max: 1, noNaN: true }) }), bad: fc.oneof(fc.record({ maxShift: fc.integer({ min: 9, max: 100 }) }), fc.constant({ rotate: 1 }), fc.constant('yes')) },
  trainLimit: { ok: posInt, bad: notPosInt },
  task: { ok: fc.constantFrom('classification', 'regression'), bad: fc.constantFrom('ranking', ''), allowed: ['classification', 'regression'] },
  testSplit: { ok: fraction, bad: fc.constantFrom(1, -1, NaN) },
  optimizerParams: { ok: fc.constant({}), bad: fc.constantFrom({ beta1: 'a' }, { momentum: -1, foo: 1 }, [], 'x') },
};
const GAN: Table = {
  steps: { ok: posInt, bad: notPosInt },
  latentDim: { ok: posInt, bad: notPosInt },
  learningRate: { ok: fc.double({ min: 1e-6, max: 1, noNaN: true }), bad: fc.constantFrom(0, -1, NaN, 'x') },
  learningRateEnd: { ok: fc.double({ min: 0, max: 1, noNaN: true }), bad: fc.constantFrom(-1, NaN, 'x') },
  beta1: { ok: fc.double({ min: 0, max: 0.99, noNaN: true }), bad: fc.constantFrom(1, -0.1, NaN) },
  labelSmoothing: { ok: fc.double({ min: 0, max: 0.49, noNaN: true }), bad: fc.constantFrom(0.5, -1, NaN) },
  dSteps: { ok: posInt, bad: notPosInt },
  emaDecay: { ok: fc.double({ min: 0, max: 0.99, noNaN: true }), bad: fc.constantFrom(1, -1, NaN) },
  seed: { ok: fc.integer(), bad: fc.constantFrom(0.5, '1', null) },
  sampleEvery: { ok: posInt, bad: notPosInt },
  logEvery: { ok: posInt, bad: notPosInt },
  rgb: { ok: fc.boolean(), bad: fc.constantFrom('false', 0) },
  evalSamples: { ok: posInt, bad: notPosInt },
  maxMinutes: { ok: fc.double({ min: 1e-3, max: 1e3, noNaN: true }), bad: fc.constantFrom(0, -5, NaN, Infinity) },
  scoreEvery: { ok: fc.integer({ min: 0, max: 100 }), bad: fc.constantFrom(-1, 0.5, 'x') },
  generator: { ok: fc.array(dense, { minLength: 1, maxLength: 3 }), bad: fc.oneof(fc.constant([]), fc.constant([{ type: 'dense' }]), fc.constant([{ type: 'gru', units: 3 }]), fc.constant({ type: 'dense' })) },
  discriminator: { ok: fc.array(dense, { minLength: 1, maxLength: 3 }), bad: fc.oneof(fc.constant([]), fc.constant([{ type: 'dense', units: -1 }]), fc.constant(7)) },
};

const supervisedKnown = [...Object.keys(SUPERVISED), 'dataset', 'earlyStopping', 'label'];
const ganKnown = [...Object.keys(GAN), 'dataset', 'batchSize', 'pack'];
const sup = inputs(SUPERVISED, fc.record({ dataset: fc.constantFrom('xor', 'spiral', 'circles', 'csv:data/x.csv') }), supervisedKnown);
// batchSize and pack come together so that pack divides batchSize (checked across keys).
const gan = inputs(
  GAN,
  fc.record({ dataset: fc.constantFrom('mnist', 'ring', 'replays:runs/x') }).chain((d) => fc.integer({ min: 1, max: 8 }).chain((pack) => fc.integer({ min: 1, max: 64 }).map((k) => ({ ...d, pack, batchSize: pack * k })))),
  ganKnown,
);

function mentions(bad: readonly string[], unknown: readonly string[]): string[] {
  // optimizerParams are checked as part of the optimiser: their problems are config.optimizer.<param>.
  return [...bad.map((k) => (k === 'optimizerParams' ? 'config.optimizer' : `config.${k}`)), ...unknown.map((k) => `"${k}"`)];
}

describe('fuzz: supervised config', () => {
  it('accepts valid configs (1,500 cases)', () => {
    runProperty('supervised config (valid)', sup.valid, (input) => {
      const c = resolveSupervisedConfig(input);
      expect(c.dataset).toBe(input.dataset);
    }, 1500);
  });
  it('rejects bad keys with a SupervisedConfigError naming each (1,500 cases)', () => {
    runProperty('supervised config (invalid)', sup.invalid, ({ input, bad, unknown }) => {
      // The optimiser and a layer list are checked once the rest is valid: with other problems
      // present, only those are listed.
      const op = input.optimizerParams;
      const later = (k: string) => (k === 'optimizerParams' && typeof op === 'object' && op !== null && !Array.isArray(op)) || (k === 'model' && Array.isArray(input.model));
      const first = bad.filter((k) => !later(k));
      const named = first.length + unknown.length > 0 ? first : bad;
      const err = expectClean(() => resolveSupervisedConfig(input), SupervisedConfigError, mentions(named, unknown));
      for (const k of bad) {
        const allowed = SUPERVISED[k]!.allowed;
        if (allowed && typeof input[k] === 'string') for (const a of allowed) expect(err.message).toContain(a);
      }
    }, 1500);
  });
  it('rejects hostile values and datasets (500 cases)', () => {
    runProperty('supervised config (hostile)', fc.tuple(fc.constantFrom(...supervisedKnown), hostile), ([key, v]) => {
      const input = own([['dataset', 'xor'], [key, v]]);
      try {
        resolveSupervisedConfig(input);
      } catch (err) {
        expectClean(() => { throw err; }, SupervisedConfigError, [`config.${key}`]);
      }
    }, 500);
  });
});

describe('fuzz: gan config', () => {
  it('accepts valid configs (1,500 cases)', () => {
    runProperty('gan config (valid)', gan.valid, (input) => {
      const c = resolveGanConfig(input);
      expect(c.batchSize % c.pack).toBe(0);
    }, 1500);
  });
  it('rejects bad keys with a GanConfigError naming each (1,500 cases)', () => {
    runProperty('gan config (invalid)', gan.invalid, ({ input, bad, unknown }) => {
      expectClean(() => resolveGanConfig(input), GanConfigError, mentions(bad, unknown));
    }, 1500);
  });
  it('rejects a pack that does not divide the batch, and hostile values (500 cases)', () => {
    runProperty('gan config (hostile)', fc.tuple(fc.constantFrom(...ganKnown), hostile), ([key, v]) => {
      try {
        resolveGanConfig(own([['dataset', 'ring'], [key, v]]));
      } catch (err) {
        expectClean(() => { throw err; }, GanConfigError, [`config.${key}`]);
      }
    }, 500);
  });
});

// ---------------------------------------------------------------------------------------------
// Sweep files

const envEntry = fc.oneof(fc.constantFrom('CartPole-v1', 'Acrobot-v1', 'MinAtar/Breakout-v1'), fc.record({ id: fc.constantFrom('MountainCar-v0', 'MinAtar/Asterix-v1'), preset: fc.constantFrom('default', 'minatar') }, { requiredKeys: ['id'] }));
const distribution = fc.oneof(
  fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true })).map(([lo, d]) => ({ uniform: [lo, lo + d] })),
  fc.tuple(fc.double({ min: 1e-6, max: 1, noNaN: true }), fc.double({ min: 1.01, max: 100, noNaN: true })).map(([lo, f]) => ({ logUniform: [lo, lo * f] })),
  fc.tuple(fc.integer({ min: -5, max: 5 }), fc.nat(10)).map(([lo, d]) => ({ intUniform: [lo, lo + d] })),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 1, maxLength: 3 }).map((c) => ({ choice: c })),
);
const configKey = fc.constantFrom('learningRate', 'batchSize', 'gamma', 'doubleDqn', 'preset');
const validSweep = fc.record(
  {
    name: fc.string({ maxLength: 10 }),
    envs: fc.uniqueArray(envEntry, { minLength: 1, maxLength: 3, selector: (e) => (typeof e === 'string' ? e : e.id) }),
    base: fc.dictionary(configKey, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
    steps: fc.integer({ min: 1, max: 1e7 }),
    seeds: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.uniqueArray(fc.nat(100), { minLength: 1, maxLength: 4 })),
    grid: fc.dictionary(configKey, fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 1, maxLength: 3 }), { maxKeys: 2 }),
    random: fc.record({ samples: fc.integer({ min: 1, max: 20 }), space: fc.dictionary(configKey, distribution, { maxKeys: 2 }) }),
    seed: fc.nat(1000),
  },
  { requiredKeys: ['envs', 'steps', 'seeds'] },
);
/** [path the error must name, the bad value] */
const sweepBreaks: fc.Arbitrary<[string, (s: Record<string, unknown>) => void]> = fc.oneof(
  fc.constantFrom<[string, (s: Record<string, unknown>) => void]>(
    ['envs', (s) => (s.envs = [])],
    ['envs', (s) => (s.envs = 'CartPole-v1')],
    ['envs[0]', (s) => ((s.envs as unknown[])[0] = 7)],
    ['envs[0]', (s) => ((s.envs as unknown[])[0] = { id: 'CartPole-v1', extra: 1 })],
    ['envs', (s) => (s.envs = ['CartPole-v1', 'CartPole-v1'])],
    ['steps', (s) => (s.steps = 0)],
    ['steps', (s) => (s.steps = 1.5)],
    ['steps', (s) => delete s.steps],
    ['seeds', (s) => (s.seeds = [])],
    ['seeds', (s) => (s.seeds = [1, 1])],
    ['seeds', (s) => (s.seeds = -3)],
    ['seeds[0]', (s) => (s.seeds = [-1])],
    ['base.seed', (s) => (s.base = { seed: 3 })],
    ['base.env', (s) => (s.base = { env: 'x' })],
    ['grid.steps', (s) => (s.grid = { steps: [1, 2] })],
    ['grid.gamma', (s) => (s.grid = { gamma: [] })],
    ['grid.gamma', (s) => (s.grid = { gamma: 0.9 })],
    ['random.space.gamma.uniform', (s) => (s.random = { samples: 2, space: { gamma: { uniform: [1, 0] } } })],
    ['random.space.gamma.logUniform', (s) => (s.random = { samples: 2, space: { gamma: { logUniform: [0, 1] } } })],
    ['random.space.gamma.intUniform', (s) => (s.random = { samples: 2, space: { gamma: { intUniform: [3, 1] } } })],
    ['random.space.gamma.normal', (s) => (s.random = { samples: 2, space: { gamma: { normal: [0, 1] } } })],
    ['random.space.gamma', (s) => (s.random = { samples: 2, space: { gamma: { uniform: [0, 1], choice: [1] } } })],
    ['random.space.gamma.choice', (s) => (s.random = { samples: 2, space: { gamma: { choice: [] } } })],
    ['random.samples', (s) => (s.random = { samples: 0, space: {} })],
    ['seed', (s) => (s.seed = -1)],
    ['references.CartPole-v1.reference', (s) => (s.references = { 'CartPole-v1': { reference: 'high' } })],
    ['name', (s) => (s.name = 42)],
  ),
  fc.tuple(fc.oneof(nastyKeys, fc.string({ minLength: 1, maxLength: 8 })).filter((k) => !['name', 'envs', 'base', 'steps', 'seeds', 'grid', 'random', 'seed', 'references'].includes(k)), hostile).map(
    ([k, v]): [string, (s: Record<string, unknown>) => void] => [`(root): Unrecognized key: "${k}"`, (s) => Object.defineProperty(s, k, { value: v, enumerable: true, configurable: true, writable: true })],
  ),
  fc.tuple(fc.constantFrom('envs', 'steps', 'seeds', 'base', 'grid', 'random', 'references', 'seed'), hostile).map(([k, v]): [string, (s: Record<string, unknown>) => void] => [k, (s) => (s[k] = v)]),
);

describe('fuzz: sweep files', () => {
  it('accepts valid sweeps (1,500 cases)', () => {
    runProperty('sweep (valid)', validSweep, (s) => {
      expect(parseSweep(structuredClone(s)).envs.length).toBe(s.envs.length);
    }, 1500);
  });
  it('rejects broken sweeps with a SweepError naming the path (2,000 cases)', () => {
    runProperty('sweep (invalid)', fc.tuple(validSweep, sweepBreaks), ([s, [path, breakIt]]) => {
      const copy = structuredClone(s) as Record<string, unknown>;
      breakIt(copy);
      let result: unknown;
      try {
        result = parseSweep(copy, 'f.yaml');
      } catch (err) {
        const e = expectClean(() => { throw err; }, SweepError, ['f.yaml:']);
        // The path (or its parent, for a value of the wrong type) is named.
        if (path.startsWith('(root)')) return void expect(e.message).toContain(path);
        const parent = path.replace(/(\[\d+\]|\.[^.[]+)$/, '');
        const at = (p: string) => [`${p}:`, `${p}.`, `${p}[`].some((m) => e.message.includes(`- ${m}`));
        expect(at(path) || at(parent), e.message).toBe(true);
        return;
      }
      // Only a hostile value that happens to be valid may pass (e.g. seed 3, a list of seeds).
      expect(result).toBeDefined();
      expect(['envs', 'steps', 'seeds', 'base', 'grid', 'random', 'references', 'seed', 'name'].includes(path)).toBe(true);
    }, 2000);
  });
  it('sweep files: unparsable or wrongly named files are a SweepError naming the file (300 cases)', () => {
    let n = 0;
    const file = fc.tuple(fc.constantFrom('.json', '.yaml', '.yml', '.txt', ''), fc.oneof(validSweep.map((s) => JSON.stringify(s)), validSweep.map((s) => YAML.stringify(s)), fc.string({ maxLength: 30 }), fc.constantFrom('{', 'a: [', '- x\n y: 1', '\u0000', 'envs: *a')));
    runProperty('sweep file', file, ([ext, text]) => {
      const path = join(root, `s${n++}${ext}`);
      writeFileSync(path, text);
      try {
        loadSweepFile(path);
      } catch (err) {
        expectClean(() => { throw err; }, SweepError, [path]);
      }
    }, 300);
  });
});
