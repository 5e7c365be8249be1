/**
 * bench:envs — steps per second of every registered env under a random policy (actions drawn in
 * advance, so the policy's RNG is not measured), through make() with its TimeLimit, single env and
 * VectorEnv of 16, plus heap bytes allocated per step.
 *
 *   npm run bench:envs [-- --seconds 1 --only CartPole]
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PerformanceObserver } from 'node:perf_hooks';
import { listEnvs, make, makeVector } from '../envs/index';
import { Random } from '../src/random';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 1);
const only = arg('only');
const VEC = 16;
const ACTIONS = 1 << 16;

let scavenges = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) scavenges++;
}).observe({ entryTypes: ['gc'] });

function actionTable(n: number, seed: number): Int32Array {
  const rng = new Random(seed);
  const a = new Int32Array(ACTIONS);
  for (let i = 0; i < ACTIONS; i++) a[i] = rng.integer(0, n);
  return a;
}

/** Runs `chunk` repeatedly for ~`seconds`; returns steps/s. */
function timeIt(chunk: () => number): number {
  for (let i = 0; i < 3; i++) chunk(); // warm up the JIT
  let steps = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    steps += chunk();
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < seconds);
  return steps / elapsed;
}

/**
 * Heap bytes allocated per step: heap growth over short windows in which no scavenge ran (a
 * scavenge would hide the growth), averaged; null when every window saw a GC.
 */
async function bytesPerStep(run: (steps: number) => void, steps = 20_000, windows = 8): Promise<{ bytes: number | null; scavenges: number }> {
  run(steps); // warm
  let growth = 0;
  let clean = 0;
  let seen = 0;
  for (let w = 0; w < windows; w++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
    const before = scavenges;
    const heap0 = process.memoryUsage().heapUsed;
    run(steps);
    const heap1 = process.memoryUsage().heapUsed;
    await new Promise((r) => setTimeout(r, 5));
    seen += scavenges - before;
    if (scavenges === before) {
      growth += heap1 - heap0;
      clean++;
    }
  }
  return { bytes: clean ? Math.max(0, growth) / (clean * steps) : null, scavenges: seen };
}

function singleRunner(id: string) {
  const env = make(id);
  const actions = actionTable(env.actionSpace.n, 1);
  env.reset({ seed: 1 });
  let k = 0;
  let checksum = 0;
  return {
    run(steps: number): number {
      // A local accumulator: a float stored into a closure variable every step would be boxed.
      let sum = 0;
      for (let i = 0; i < steps; i++) {
        const r = env.step(actions[k++ & (ACTIONS - 1)]);
        sum += r.observation[0];
        if (r.terminated || r.truncated) env.reset();
      }
      checksum += sum;
      return steps;
    },
    get checksum() {
      return checksum;
    },
  };
}

function vectorRunner(id: string) {
  const venv = makeVector(id, VEC);
  const table = actionTable(venv.actionSpace.n, 2);
  // Views made in advance: subarray() per step would allocate.
  const batchActions = Array.from({ length: ACTIONS / VEC }, (_, b) => table.subarray(b * VEC, (b + 1) * VEC));
  venv.reset({ seed: 1 });
  let k = 0;
  let checksum = 0;
  return {
    run(steps: number): number {
      const batches = Math.max(1, Math.floor(steps / VEC));
      let sum = 0;
      for (let b = 0; b < batches; b++) {
        const off = (k++ * VEC) & (ACTIONS - 1);
        const r = venv.step(batchActions[off / VEC]);
        sum += r.observations[0];
      }
      checksum += sum;
      return batches * VEC;
    },
    get checksum() {
      return checksum;
    },
  };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const rows: string[][] = [['env', 'single steps/s', 'single B/step', `vector×${VEC} steps/s`, 'vector B/step']];
for (const { id } of listEnvs()) {
  if (only && !id.includes(only)) continue;
  const single = singleRunner(id);
  const singleRate = timeIt(() => single.run(100_000));
  const singleAlloc = await bytesPerStep((n) => single.run(n));
  const vector = vectorRunner(id);
  const vectorRate = timeIt(() => vector.run(100_000));
  const vectorAlloc = await bytesPerStep((n) => vector.run(n), 32_000);
  const alloc = (a: { bytes: number | null; scavenges: number }) =>
    a.bytes === null ? `allocates (${a.scavenges} GCs)` : `${a.bytes < 0.5 ? 0 : a.bytes.toFixed(1)} B`;
  rows.push([id, fmt(singleRate), alloc(singleAlloc), fmt(vectorRate), alloc(vectorAlloc)]);
  console.log(rows.at(-1)!.join('  |  '), `   (checksum ${(single.checksum + vector.checksum).toFixed(1)})`);
}
console.log(`\nnode ${process.version}, ${seconds}s per measurement, random policy from a pre-drawn action table, make(id) with TimeLimit`);
console.log(['', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n'));
