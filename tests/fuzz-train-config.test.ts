/**
 * Bad input, property-based: `keiko train` configs (resolveConfig, JSON/YAML config files, the
 * train command's flags). Invalid values are one ConfigError/UserError naming every bad key (and
 * the allowed values where the schema lists them), and nothing is written; valid configs from the
 * same arbitraries are accepted.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import fc from 'fast-check';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, ConfigError, OPTIMIZERS, PRESETS, configShape, resolveConfig } from '../agents/dqn/config';
import { parseFlagValue, readConfigFile, registerTrain } from '../cli/commands/train';
import { UserError } from '../cli/errors';
import { expectClean, expectCleanAsync, hostile, nastyKeys, own, runAsyncProperty, runProperty } from './fixtures/fuzz/helpers';

const root = mkdtempSync(join(tmpdir(), 'keiko-fuzz-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Key = keyof typeof configShape;
const KEYS = Object.keys(configShape) as Key[];

const posInt = fc.integer({ min: 1, max: 1_000_000 });
const nonNegInt = fc.integer({ min: 0, max: 1_000_000 });
const prob = fc.double({ min: 0, max: 1, noNaN: true });
const positive = fc.double({ min: 1e-9, max: 1e6, noNaN: true });
const notInt = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => !Number.isInteger(x)), fc.constantFrom(NaN, Infinity, -Infinity));
const notNumber = fc.oneof(fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const notBool = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.array(fc.boolean(), { maxLength: 2 }));
const notIn = (allowed: readonly string[]) => fc.oneof(fc.string({ maxLength: 12 }).filter((s) => !allowed.includes(s)), fc.integer(), fc.constant(null), fc.constant(allowed[0]!.toUpperCase() + ' '));
const layer = fc.record({ type: fc.constantFrom('dense', 'conv2d', 'flatten'), units: fc.integer({ min: 1, max: 64 }) });

/** Per key: values resolveConfig accepts, values it must refuse, and the allowed names it must list. */
const TABLE: Record<Exclude<Key, 'batchSize' | 'bufferSize'>, { ok: fc.Arbitrary<unknown>; bad: fc.Arbitrary<unknown>; allowed?: readonly string[] }> = {
  env: { ok: fc.oneof(fc.constantFrom('CartPole-v1', 'Acrobot-v1', 'MountainCar-v0', 'MinAtar/Breakout-v1'), fc.string({ minLength: 1, maxLength: 20 })), bad: fc.oneof(fc.constant(''), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })) },
  envOptions: { ok: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), bad: fc.oneof(fc.array(fc.integer(), { maxLength: 3 }), fc.string(), fc.integer(), fc.constant(null)) },
  preset: { ok: fc.constantFrom(...PRESETS), bad: notIn(PRESETS), allowed: PRESETS },
  steps: { ok: posInt, bad: fc.oneof(fc.integer({ max: 0 }), notInt, notNumber, fc.constant(2 ** 53)) },
  seed: { ok: nonNegInt, bad: fc.oneof(fc.integer({ max: -1 }), notInt, notNumber) },
  backend: { ok: fc.constantFrom(...BACKENDS), bad: notIn(BACKENDS), allowed: BACKENDS },
  learningRate: { ok: positive, bad: fc.oneof(fc.double({ max: 0, noNaN: true }), fc.constant(NaN), fc.constant(Infinity), notNumber) },
  learningRateEnd: { ok: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true })), bad: fc.oneof(fc.double({ max: -1e-9, noNaN: true }), fc.constant(NaN), fc.string({ maxLength: 5 })) },
  optimizer: {
    ok: fc.oneof(fc.constantFrom(...OPTIMIZERS), fc.record({ type: fc.constantFrom(...OPTIMIZERS), learningRate: positive }, { requiredKeys: ['type'] })),
    bad: fc.oneof(notIn(OPTIMIZERS), fc.record({ type: notIn(OPTIMIZERS) })),
    allowed: OPTIMIZERS,
  },
  gamma: { ok: fc.double({ min: 1e-6, max: 1, noNaN: true }), bad: fc.oneof(fc.constant(0), fc.double({ min: 1.000001, max: 1e9, noNaN: true }), fc.double({ max: -1e-9, noNaN: true }), notNumber) },
  learningStarts: { ok: nonNegInt, bad: fc.oneof(fc.integer({ max: -1 }), notInt, notNumber) },
  trainFrequency: { ok: posInt, bad: fc.oneof(fc.integer({ max: 0 }), notInt, notNumber) },
  gradientSteps: { ok: posInt, bad: fc.oneof(fc.integer({ max: 0 }), notInt, notNumber) },
  targetUpdateInterval: { ok: posInt, bad: fc.oneof(fc.integer({ max: 0 }), notInt, notNumber) },
  tau: { ok: fc.double({ min: 1e-6, max: 1, noNaN: true }), bad: fc.oneof(fc.constant(0), fc.double({ min: 1.0001, max: 10, noNaN: true }), notNumber) },
  epsilonStart: { ok: prob, bad: fc.oneof(fc.double({ min: 1.0001, max: 1e3, noNaN: true }), fc.double({ max: -1e-9, noNaN: true }), notNumber) },
  epsilonEnd: { ok: prob, bad: fc.oneof(fc.double({ min: 1.0001, max: 1e3, noNaN: true }), fc.double({ max: -1e-9, noNaN: true }), notNumber) },
  epsilonDecaySteps: { ok: nonNegInt, bad: fc.oneof(fc.integer({ max: -1 }), notInt, notNumber) },
  epsilonSchedule: { ok: fc.constantFrom('linear', 'exponential'), bad: notIn(['linear', 'exponential']), allowed: ['linear', 'exponential'] },
  evalEpsilon: { ok: prob, bad: fc.oneof(fc.double({ min: 1.0001, max: 1e3, noNaN: true }), notNumber) },
  rewardClip: { ok: fc.oneof(fc.constant(null), positive), bad: fc.oneof(fc.double({ max: 0, noNaN: true }), fc.string({ maxLength: 4 })) },
  loss: { ok: fc.constantFrom('huber', 'mse'), bad: notIn(['huber', 'mse']), allowed: ['huber', 'mse'] },
  huberDelta: { ok: positive, bad: fc.oneof(fc.double({ max: 0, noNaN: true }), notNumber) },
  maxGradNorm: { ok: fc.oneof(fc.constant(null), positive), bad: fc.oneof(fc.double({ max: 0, noNaN: true }), fc.string({ maxLength: 4 })) },
  doubleDqn: { ok: fc.boolean(), bad: notBool },
  dueling: { ok: fc.boolean(), bad: notBool },
  prioritized: { ok: fc.boolean(), bad: notBool },
  priorityAlpha: { ok: fc.double({ min: 0, max: 10, noNaN: true }), bad: fc.oneof(fc.double({ max: -1e-9, noNaN: true }), notNumber) },
  priorityBeta0: { ok: prob, bad: fc.oneof(fc.double({ min: 1.0001, max: 1e3, noNaN: true }), notNumber) },
  priorityEpsilon: { ok: positive, bad: fc.oneof(fc.double({ max: 0, noNaN: true }), notNumber) },
  nStep: { ok: fc.integer({ min: 1, max: 20 }), bad: fc.oneof(fc.integer({ max: 0 }), notInt, notNumber) },
  network: {
    ok: fc.oneof(fc.constant(null), fc.array(layer, { minLength: 1, maxLength: 3 })),
    bad: fc.oneof(fc.constant([]), fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.record({ units: fc.integer() }), fc.record({ type: fc.integer() })), { minLength: 1, maxLength: 3 }), fc.string(), fc.object({ maxDepth: 1 })),
  },
  networkInit: { ok: fc.constantFrom('keras', 'pytorch'), bad: notIn(['keras', 'pytorch']), allowed: ['keras', 'pytorch'] },
  evalInterval: { ok: nonNegInt, bad: fc.oneof(fc.integer({ max: -1 }), notInt, notNumber) },
  evalEpisodes: { ok: posInt, bad: fc.oneof(fc.integer({ max: 0 }), notInt, notNumber) },
  finalEvalEpisodes: { ok: posInt, bad: fc.oneof(fc.integer({ max: 0 }), notInt, notNumber) },
  checkpointInterval: { ok: nonNegInt, bad: fc.oneof(fc.integer({ max: -1 }), notInt, notNumber) },
  recordEvery: { ok: nonNegInt, bad: fc.oneof(fc.integer({ max: -1 }), notInt, notNumber) },
  logInterval: { ok: posInt, bad: fc.oneof(fc.integer({ max: 0 }), notInt, notNumber) },
};
const TABLE_KEYS = Object.keys(TABLE) as (keyof typeof TABLE)[];

/** A valid input: any subset of keys with valid values; batchSize ≤ bufferSize when either is given. */
const validInput: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.subarray(TABLE_KEYS, { maxLength: 12 }).chain((keys) => fc.tuple(...keys.map((k) => TABLE[k].ok.map((v) => [k, v] as const)))),
    fc.option(fc.integer({ min: 1, max: 4096 }).chain((batch) => fc.integer({ min: batch, max: 200_000 }).map((buffer) => ({ batchSize: batch, bufferSize: buffer }))), { nil: undefined }),
  )
  .map(([entries, sizes]) => ({ ...Object.fromEntries(entries), ...(sizes ?? {}) }));

/** A valid input with 1–3 keys made bad (or unknown keys added); returns the names the error must contain. */
const invalidInput = fc
  .tuple(
    validInput,
    fc.uniqueArray(fc.constantFrom(...TABLE_KEYS), { minLength: 0, maxLength: 3 }).chain((keys) => fc.tuple(...keys.map((k) => TABLE[k].bad.map((v) => [k, v] as const)))),
    fc.uniqueArray(fc.oneof(nastyKeys, fc.string({ minLength: 1, maxLength: 12 })).filter((k) => !(k in configShape)), { maxLength: 2 }),
  )
  .filter(([, bad, unknown]) => bad.length + unknown.length > 0)
  .map(([valid, bad, unknown]) => ({
    input: own([...Object.entries(valid), ...bad, ...unknown.map((k) => [k, 1] as const)]),
    badKeys: bad.map(([k]) => k),
    unknownKeys: unknown,
  }));

const named = (key: string) => (key === '' ? '""' : key);

describe('fuzz: resolveConfig', () => {
  it('accepts every valid config (1,200 cases)', () => {
    runProperty('train config (valid)', validInput, (input) => {
      const c = resolveConfig(input);
      for (const [k, v] of Object.entries(input)) expect((c as Record<string, unknown>)[k]).toEqual(v);
    }, 1200);
  });

  it('rejects bad values and unknown keys with one ConfigError naming each, listing allowed values (2,000 cases)', () => {
    runProperty('train config (invalid)', invalidInput, ({ input, badKeys, unknownKeys }) => {
      const err = expectClean(() => resolveConfig(input), ConfigError, [...badKeys, ...unknownKeys.map(named)]) as ConfigError;
      for (const k of badKeys) {
        const p = err.problems.filter((q) => q.path === k || q.path.startsWith(`${k}.`));
        expect(p.length, `a problem at ${k}`).toBeGreaterThan(0);
        const allowed = TABLE[k as keyof typeof TABLE].allowed;
        const v = input[k];
        // A wrong name (a string, or a type field that is one) must be answered with the names.
        const wrongName = typeof v === 'string' || (typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string');
        if (allowed && wrongName) for (const a of allowed) expect(p.map((q) => q.message).join(' '), `${k} lists ${a}`).toContain(a);
      }
      for (const k of unknownKeys) expect(err.problems.some((q) => q.path === named(k) && q.message.startsWith('unknown key'))).toBe(true);
    }, 2000);
  });

  it('rejects anything that is not an object of keys (500 cases)', () => {
    runProperty('train config (not an object)', hostile.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)), (v) => {
      expectClean(() => resolveConfig(v), ConfigError, ['(root)']);
    }, 500);
  });
});

describe('fuzz: config files and flags', () => {
  it('JSON and YAML files: valid ones read back as given, bad ones are a UserError naming the file (600 cases)', () => {
    const file = fc.oneof(
      fc.tuple(validInput, fc.constantFrom('.json', '.yaml', '.yml')).map(([value, ext]) => ({ kind: 'valid' as const, ext, value })),
      fc.tuple(fc.constantFrom('.json', '.yaml'), fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('{', '[1,', 'a: [', 'a: *x', '- 1\n- 2', '"s"', '42', 'null', '', '{"a":1}{', 'a:\n  - b\n c: d', '\u0000\u0001'))).map(([ext, text]) => ({ kind: 'text' as const, ext, text })),
    );
    let n = 0;
    runProperty('train config file', file, (f) => {
      const path = join(root, `c${n++}${f.ext}`);
      if (f.kind === 'valid') {
        writeFileSync(path, f.ext === '.json' ? JSON.stringify(f.value) : YAML.stringify(f.value));
        expect(resolveConfig(readConfigFile(path))).toMatchObject(f.value);
        return;
      }
      writeFileSync(path, f.text);
      let data: Record<string, unknown>;
      try {
        data = readConfigFile(path);
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        expect((err as Error).message).toContain(path);
        return;
      }
      // It parsed as an object: whatever it holds, resolveConfig decides cleanly.
      try {
        resolveConfig(data);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
      }
    }, 600);
  });

  it('flag values: every bad one is a UserError or ConfigError naming the flag or key (2,000 cases)', () => {
    const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const flagText = fc.oneof(
      fc.string({ maxLength: 16 }),
      fc.constantFrom('{', '[', '{"a":', '[1,', '{bad}', '[nope', 'NaN', 'Infinity', '-Infinity', '1e999', '0x1f', '  7 ', 'null', 'true', 'undefined', '__proto__'),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    );
    runProperty('train flag value', fc.tuple(fc.constantFrom(...KEYS), flagText), ([key, text]) => {
      let value: unknown;
      try {
        value = parseFlagValue(text, `--${kebab(key)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        expect((err as Error).message).toContain(`--${kebab(key)}`);
        return;
      }
      try {
        resolveConfig({ [key]: value });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).problems.some((p) => p.path === key || p.path.startsWith(`${key}.`) || p.path === 'batchSize')).toBe(true);
      }
    }, 2000);
  });

  it('the train command: bad flags are one UserError and nothing is written (100 cases)', async () => {
    const program = () => {
      const p = new Command('keiko').exitOverride();
      registerTrain(p);
      return p;
    };
    const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    // Only values every flag refuses (the command must never start training here).
    const badFlag = fc.tuple(
      fc.constantFrom(...TABLE_KEYS.filter((k) => k !== 'env' && k !== 'envOptions' && k !== 'network' && k !== 'optimizer')),
      fc.constantFrom('{', '[1,', '{"x":1}', '[]', 'nope', '-1e999', 'NaN'),
    );
    let n = 0;
    const before = readdirSync(root).length;
    await runAsyncProperty('train command flags', fc.uniqueArray(badFlag, { minLength: 1, maxLength: 3, selector: ([k]) => k }), async (flags) => {
      const out = join(root, `run${n++}`);
      const argv = ['node', 'keiko', 'train', '--out', out, '--quiet', ...flags.flatMap(([k, v]) => [`--${kebab(k)}`, v])];
      const err = await expectCleanAsync(() => program().parseAsync(argv), UserError);
      expect(flags.some(([k]) => err.message.includes(k) || err.message.includes(`--${kebab(k)}`))).toBe(true);
      expect(existsSync(out)).toBe(false);
    }, 100);
    expect(readdirSync(root).length).toBe(before);
  });
});
