/**
 * Bad input, property-based: replay files as the viewer page validates them (checkReplay, the zod
 * replay schema) and as the server lists them (/api/episodes). A mutated, truncated or corrupted
 * replay is refused with a message naming the file and the field; the server answers with the
 * file's error instead of failing; valid replays (and valid edits) are accepted.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkReplay } from '../viewer/src/validate';
import { startViewerServer } from '../viewer/server';
import { hostile, runAsyncProperty, runProperty } from './fixtures/fuzz/helpers';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'runs');
const root = mkdtempSync(join(tmpdir(), 'keiko-fuzz-replay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SOURCES = ['cartpole/replays/train-ep000003-step000002000.json', 'breakout/replays/eval-step000040000.json', 'mountaincar/replays', 'acrobot/replays'].map((p) => {
  const full = join(FIXTURES, p);
  return p.endsWith('.json') ? full : join(full, readdirSync(full).sort()[0]!);
});
/** The recorded fixtures, cut to their first 12 steps (still valid) to keep each case cheap. */
const replays = SOURCES.map((f) => {
  const r = JSON.parse(readFileSync(f, 'utf8')) as { steps: unknown[]; length: number };
  r.steps = r.steps.slice(0, 12);
  r.length = r.steps.length;
  return r as unknown as Record<string, unknown>;
});

/** Every path into a JSON value (arrays sampled: first, second, last element). */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(v)) {
    for (const i of new Set([0, 1, v.length - 1])) if (i >= 0 && i < v.length) paths(v[i], [...prefix, i], out);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  }
  return out;
}
const PATHS = replays.map((r) => paths(r));

function setAt(obj: unknown, path: (string | number)[], value: unknown, remove: boolean): void {
  let o = obj as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) o = o[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(o)) o.splice(last as number, 1);
    else delete o[last];
  } else o[last] = value;
}

const mutation = fc.integer({ min: 0, max: replays.length - 1 }).chain((r) =>
  fc.record({ r: fc.constant(r), path: fc.constantFrom(...PATHS[r]!), value: hostile, remove: fc.boolean() }),
);

/** JSON-expressible hostile values (what a file on disk can hold). */
const jsonable = (v: unknown) => JSON.parse(JSON.stringify(v ?? null, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x)) ?? 'null') as unknown;

describe('fuzz: replay files in the page (checkReplay)', () => {
  it('accepts the valid fixtures and valid edits (reward, epsilon, actions) (1,000 cases)', () => {
    const edit = fc.record({ r: fc.integer({ min: 0, max: replays.length - 1 }), reward: fc.double({ min: -1e6, max: 1e6, noNaN: true }), eps: fc.double({ min: 0, max: 1, noNaN: true }), action: fc.nat(1000) });
    runProperty('replay (valid)', edit, ({ r, reward, eps, action }) => {
      const rep = structuredClone(replays[r]!) as { steps: { reward: number; epsilon: number; action: number }[] };
      for (const s of rep.steps.slice(0, 3)) Object.assign(s, { reward, epsilon: eps, action });
      const check = checkReplay('r.json', JSON.stringify(rep));
      expect(check.ok, !check.ok ? check.message : '').toBe(true);
    }, 1000);
  });

  it('a mutated field is accepted only if still valid, else named with the file (1,200 cases)', () => {
    runProperty('replay (mutated field)', mutation, ({ r, path, value, remove }) => {
      const rep = structuredClone(replays[r]!);
      setAt(rep, path, jsonable(value), remove);
      const check = checkReplay('bad.json', JSON.stringify(rep));
      if (check.ok) return;
      expect(check.message.startsWith('bad.json: ')).toBe(true);
      // The field or one of its parents is named (a removed array item may shift the "length" check).
      const prefixes = path.map((_, i) => path.slice(0, i + 1).join('.'));
      expect(prefixes.some((p) => check.message.includes(p)) || /length|\(root\)|finalFrame|steps/.test(check.message), check.message).toBe(true);
    }, 1200);
  });

  it('truncated or corrupted bytes never throw; they are refused naming the file (1,000 cases)', () => {
    const text = SOURCES.map((f) => readFileSync(f, 'utf8'));
    const damage = fc.record({ r: fc.integer({ min: 0, max: text.length - 1 }), cut: fc.double({ min: 0, max: 0.999, noNaN: true }), flips: fc.array(fc.tuple(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }) });
    runProperty('replay (bytes)', damage, ({ r, cut, flips }) => {
      const bytes = Buffer.from(text[r]!, 'utf8');
      for (const [at, b] of flips) bytes[Math.floor(at * bytes.length)] = b;
      const damaged = flips.length === 0 ? bytes.subarray(0, Math.floor(cut * bytes.length)) : bytes;
      const check = checkReplay('x.json', damaged.toString('utf8'));
      if (!check.ok) expect(check.message.startsWith('x.json: ')).toBe(true);
    }, 1000);
  });
});

describe('fuzz: replay files on the server (/api/episodes)', () => {
  it('lists every replay, good or bad, with its error, and never fails (40 rounds of 5 files)', async () => {
    const target = join(root, 'run');
    mkdirSync(join(target, 'replays'), { recursive: true });
    writeFileSync(join(target, 'config.json'), JSON.stringify({ env: 'CartPole-v1' }));
    const dist = join(root, 'dist');
    mkdirSync(dist, { recursive: true });
    const server = await startViewerServer({ target, port: 0, distDir: dist });
    try {
      const file = fc.oneof(
        mutation.map(({ r, path, value, remove }) => {
          const rep = structuredClone(replays[r]!);
          setAt(rep, path, jsonable(value), remove);
          return JSON.stringify(rep);
        }),
        fc.tuple(fc.integer({ min: 0, max: SOURCES.length - 1 }), fc.double({ min: 0, max: 0.999, noNaN: true })).map(([r, cut]) => {
          const t = readFileSync(SOURCES[r]!, 'utf8');
          return t.slice(0, Math.floor(cut * t.length));
        }),
        fc.string({ maxLength: 30 }),
        fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      );
      let round = 0;
      await runAsyncProperty('replay (server)', fc.array(file, { minLength: 1, maxLength: 5 }), async (files) => {
        const dir = join(target, 'replays');
        for (const f of readdirSync(dir)) rmSync(join(dir, f));
        const names = files.map((_, i) => `train-ep${String(i).padStart(6, '0')}-step${String(round * 10 + i).padStart(9, '0')}.json`);
        round++;
        files.forEach((t, i) => writeFileSync(join(dir, names[i]!), t));
        const res = await fetch(`${server.url}api/episodes?run=.`);
        const body = res.status === 200 ? ((await res.json()) as { episodes: { name: string; error: string | null }[] }) : null;
        if (body === null) {
          // The run id of a single run directory may differ; find it.
          const runs = (await (await fetch(`${server.url}api/runs`)).json()) as { runs: { id: string }[] };
          const again = await fetch(`${server.url}api/episodes?run=${encodeURIComponent(runs.runs[0]!.id)}`);
          expect(again.status).toBe(200);
          const b = (await again.json()) as { episodes: { name: string }[] };
          expect(b.episodes.map((e) => e.name).sort()).toEqual([...names].sort());
          return;
        }
        expect(body.episodes.map((e) => e.name).sort()).toEqual([...names].sort());
      }, 40);
    } finally {
      await server.close();
    }
  });
});
