/**
 * bench:envs — steps per second of every registered env under a random policy (actions drawn in
 * advance, so the policy's RNG is not measured), through make() with its TimeLimit, single env and
 * VectorEnv of 16, plus heap bytes allocated per step.
 *
 *   npm run bench:envs [-- --seconds 1 --only CartPole]
 *
 * Each env is measured in its own child process, so every call site is as monomorphic as in a
 * real training run (one env type per process) and one env's JIT state cannot slow another's.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PerformanceObserver } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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
 * Heap bytes allocated per step: the smallest heap growth over short windows in which no
 * scavenge ran (a scavenge would hide the growth; the minimum drops one-off noise such as a
 * re-optimisation's code objects); null when every window saw a GC.
 */
async function bytesPerStep(run: (steps: number) => void, steps = 20_000, windows = 8): Promise<{ bytes: number | null; scavenges: number }> {
  run(steps); // warm
  let growth = Infinity;
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
      growth = Math.min(growth, heap1 - heap0);
      clean++;
    }
  }
  return { bytes: clean ? Math.max(0, growth) / steps : null, scavenges: seen };
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
const alloc = (a: { bytes: number | null; scavenges: number }) =>
  a.bytes === null ? `allocates (${a.scavenges} GCs)` : `${a.bytes < 0.5 ? 0 : a.bytes.toFixed(1)} B`;

async function measure(id: string): Promise<string[]> {
  const single = singleRunner(id);
  const singleRate = timeIt(() => single.run(100_000));
  const singleAlloc = await bytesPerStep((n) => single.run(n));
  const vector = vectorRunner(id);
  const vectorRate = timeIt(() => vector.run(100_000));
  const vectorAlloc = await bytesPerStep((n) => vector.run(n), 32_000);
  if (!Number.isFinite(single.checksum + vector.checksum)) throw new Error(`${id}: non-finite observations`);
  return [id, fmt(singleRate), alloc(singleAlloc), fmt(vectorRate), alloc(vectorAlloc)];
}

const childId = arg('id');
if (childId) {
  // Child: measure one env, print one JSON row.
  console.log(JSON.stringify(await measure(childId)));
} else {
  const rows: string[][] = [['env', 'single steps/s', 'single B/step', `vector×${VEC} steps/s`, 'vector B/step']];
  const script = fileURLToPath(import.meta.url);
  for (const { id } of listEnvs()) {
    if (only && !id.includes(only)) continue;
    const child = spawnSync(process.execPath, [...process.execArgv, script, '--id', id, '--seconds', String(seconds)], { encoding: 'utf8' });
    const line = child.stdout.trim().split('\n').at(-1) ?? '';
    if (child.status !== 0 || !line.startsWith('[')) {
      console.error(`${id}: measurement failed\n${child.stderr}`);
      process.exitCode = 1;
      continue;
    }
    rows.push(JSON.parse(line) as string[]);
    console.log(rows.at(-1)!.join('  |  '));
  }
  console.log(`\nnode ${process.version}, ${seconds}s per measurement, one process per env, random policy from a pre-drawn action table, make(id) with TimeLimit`);
  console.log(['', `| ${rows[0].join(' | ')} |`, `|${rows[0].map(() => '---').join('|')}|`, ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`)].join('\n'));
}
