/**
 * The package as a user gets it: build dist/, `npm pack`, install the tarball into a fresh
 * project (offline from the npm cache where it can), then plain `node` imports and trains, tsc
 * type-checks with `moduleResolution: NodeNext`, and esbuild bundles the core for a browser.
 *
 * Speed (about 45 s of CPU time, most of it the build and the install): the build skips type
 * checking (tsc --noEmit does that), the install skips install scripts (better-sqlite3 would
 * compile SQLite for minutes; it is only needed by sweeps) and optional dependencies (tfjs-node
 * cannot install offline), and the checks run concurrently.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build as esbuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const tmp = mkdtempSync(join(tmpdir(), 'keiko-package-'));
const project = join(tmp, 'project');
const times: Record<string, number> = {};

// npm run from `npm test` exports npm_config_* of the repo (e.g. its lockfile settings): a user's
// fresh project has none of them.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    times[label] = Math.round(performance.now() - t0);
  }
}

beforeAll(async () => {
  await timed('build', () => run(process.execPath, [join(REPO, 'scripts', 'build.mjs'), '--no-check'], { cwd: REPO, env }));
  const packed = await timed('pack', () =>
    run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: REPO, env, maxBuffer: 1 << 26 }),
  );
  const tarball = join(tmp, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename);
  expect(tarball.endsWith(`${pkg.name}-${pkg.version}.tgz`)).toBe(true);
  await run('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh-project', version: '1.0.0', private: true, type: 'module' }, null, 2));
  await timed('install', () =>
    run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', '--loglevel=error'], {
      cwd: project,
      env,
      maxBuffer: 1 << 26,
    }),
  );
}, 300_000);

afterAll(() => {
  console.log(`package test timings (ms): ${JSON.stringify(times)}`);
  rmSync(tmp, { recursive: true, force: true });
});

describe.concurrent('the installed package', () => {
  test('ships compiled JavaScript and declarations, not sources', () => {
    const installed = join(project, 'node_modules', pkg.name);
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/envs/index.js', 'dist/node/index.d.ts', 'dist/cli/main.js', 'bin/keiko.js', 'dist/viewer/dist/app.js', 'dist/viewer/dist/index.html', 'dist/viewer/dist/play.js', 'dist/viewer/dist/play.html', 'dist/viewer/dist/lab.html', 'dist/viewer/dist/common.css']) {
      expect(existsSync(join(installed, f)), f).toBe(true);
    }
    for (const f of ['index.ts', 'cli/main.ts', 'envs/registry.ts', 'tests']) expect(existsSync(join(installed, f)), f).toBe(false);
  });

  test('plain node imports keiko and trains DQN on CartPole', async () => {
    writeFileSync(
      join(project, 'train.mjs'),
      `import { make, train, listEnvs } from 'keiko';
import { VectorEnv } from 'keiko/envs';
import { DqnAgent } from 'keiko/agents';
import { buildModel } from 'keiko/layers';
import { runTraining, RunDir } from 'keiko/node';
for (const f of [VectorEnv, DqnAgent, buildModel, runTraining, RunDir]) if (typeof f !== 'function') throw new Error('missing export');
const env = make('CartPole-v1');
env.reset({ seed: 0 });
const result = await train({
  env: 'CartPole-v1', preset: 'default', backend: 'wasm', seed: 0, steps: 4000,
  network: [{ type: 'dense', units: 64, activation: 'relu' }], learningRate: 2e-3,
  learningStarts: 500, trainFrequency: 1, targetUpdateInterval: 250, epsilonDecaySteps: 2000,
  evalInterval: 0, finalEvalEpisodes: 10,
});
result.agent.dispose();
console.log(JSON.stringify({ envs: listEnvs().length, backend: result.backend, steps: result.steps, meanReturn: result.finalEval.meanReturn }));
`,
    );
    const { stdout } = await timed('node', () => run(process.execPath, ['train.mjs'], { cwd: project, env }));
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as { envs: number; backend: string; steps: number; meanReturn: number };
    expect(out.envs).toBeGreaterThan(3);
    expect(out.backend).toBe('wasm');
    expect(out.steps).toBe(4000);
    // A random policy lasts about 22 steps; 4,000 steps of DQN balance several times longer.
    expect(out.meanReturn).toBeGreaterThan(50);
  });

  test('the keiko command runs from dist/ with plain node', async () => {
    const { stdout } = await run(process.execPath, [join(project, 'node_modules', '.bin', 'keiko'), '--version'], { cwd: project, env });
    expect(stdout.trim()).toBe(pkg.version);
  });

  test('tsc type-checks imports of keiko with moduleResolution NodeNext', async () => {
    writeFileSync(
      join(project, 'check.ts'),
      `import { make, train, BaseCallback, StopOnRewardThreshold, type TrainEvent, type TrainResult } from 'keiko';
import { listEnvs, makeVector, ClipReward, type Env } from 'keiko/envs';
import { DqnAgent } from 'keiko/agents';
import { buildModel, type LayerSpec } from 'keiko/layers';
import { runTraining, type RunSummary } from 'keiko/node';

const env: Env = new ClipReward(make('CartPole-v1'), 1);
env.reset({ seed: 0 });
const step = env.step(1);
const reward: number = step.reward;
const over: boolean = step.terminated || step.truncated;
const ids: string[] = listEnvs().map((e) => e.id);
// @ts-expect-error: ids are strings (proves make is typed, not any)
make(42);
class PrintEvals extends BaseCallback {
  onEvent(e: TrainEvent): void {
    if (e.type === 'eval') console.log(e.meanReturn.toFixed(1));
  }
}
export async function go(): Promise<number> {
  const r: TrainResult = await train({ env: 'CartPole-v1', steps: 100 }, { callbacks: [new PrintEvals(), new StopOnRewardThreshold(200)] });
  // @ts-expect-error: steps is a number
  await train({ env: 'CartPole-v1', steps: '100' });
  const agent: DqnAgent = r.agent;
  agent.dispose();
  const s: RunSummary = await runTraining({ env: 'CartPole-v1', steps: 100 }, { outDir: 'runs/x' });
  return (r.finalEval?.meanReturn ?? 0) + s.steps;
}
const spec: LayerSpec[] = [{ type: 'dense', units: 8, activation: 'relu' }];
export const used = [reward, over, ids, spec, makeVector, buildModel];
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          // As users set it (tfjs 4.22's own declarations fail strict checks). An import in keiko's
          // .d.ts that NodeNext cannot resolve is still reported.
          skipLibCheck: true,
          lib: ['ES2022', 'DOM'],
          // keiko/node's declarations use Node's types; the fresh project borrows the repo's.
          typeRoots: [join(REPO, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['check.ts'],
      }),
    );
    const result = await timed('tsc', () =>
      run(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: project, env, maxBuffer: 1 << 26 }).then(
        (r) => r.stdout,
        (err: { stdout?: string }) => err.stdout ?? String(err),
      ),
    );
    expect(result.split('\n').filter((line) => line.trim() && !/^\s/.test(line))).toEqual([]);
  });

  test('esbuild bundles the core for a browser, without Node built-ins', async () => {
    writeFileSync(
      join(project, 'browser.js'),
      `import { make, train } from 'keiko';
import { makeVector } from 'keiko/envs';
const env = make('MinAtar/Breakout-v1');
env.reset({ seed: 1 });
globalThis.keiko = { env, train, makeVector };
`,
    );
    const result = await timed('esbuild', () =>
      esbuild({
        absWorkingDir: project,
        entryPoints: ['browser.js'],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        logLevel: 'silent',
        metafile: true,
      }),
    );
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((f) => f.includes('node_modules/keiko/dist/envs/registry.js'))).toBe(true);
    expect(inputs.some((f) => f.includes('node_modules/keiko/dist/node/'))).toBe(false);
    // platform 'browser' fails on any Node built-in the code imports; nothing is left external either.
    const external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    expect(external).toEqual([]);
  });
});
