/**
 * `keiko eval` and `keiko enjoy` on a tiny CartPole run (cpu backend): eval reproduces the run's
 * final evaluation and records a replay; enjoy records one episode and serves it headless
 * (--no-open); a missing run or model is one line on stderr and exit code 2.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerEval } from '../cli/commands/eval';
import { browserOpener, registerEnjoy, type EnjoyHooks } from '../cli/commands/enjoy';
import { UserError } from '../cli/errors';
import { runTraining, type RunSummary } from '../node/run-training';
import { replaySchema } from '../agents/recording/replay-format';
import type { ViewerInfo } from '../viewer/src/api-types';
import { smallRun } from './helpers/tiny-run';

const KEIKO = new URL('../bin/keiko.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'keiko-eval-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = join(root, 'cartpole');
let summary: RunSummary;
const config = smallRun({ steps: 400, seed: 4, finalEvalEpisodes: 4 });

beforeAll(async () => {
  await tf.setBackend('cpu');
  summary = await runTraining(config, { outDir: run, quiet: true });
});

function program(hooks?: EnjoyHooks): Command {
  const p = new Command('keiko').exitOverride();
  registerEval(p);
  registerEnjoy(p, hooks);
  return p;
}

let logs: string[] = [];
const spy = () => vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')));
afterEach(() => {
  vi.restoreAllMocks();
  logs = [];
});

const keiko = (...args: string[]) => program().parseAsync(['node', 'keiko', ...args]);
const failure = (...args: string[]) => keiko(...args).then(() => null, (e: Error) => e);

describe('keiko eval', () => {
  it('prints mean ± std; with the defaults of the run it reproduces summary.finalEval', async () => {
    spy();
    await keiko('eval', run, '--episodes', String(config.finalEvalEpisodes), '--backend', 'cpu');
    const fe = summary.finalEval!;
    expect(logs[0]).toContain(`${fe.meanReturn.toFixed(2)} ± ${fe.stdReturn.toFixed(2)} over ${config.finalEvalEpisodes} episodes`);
    expect(logs[0]).toContain('CartPole-v1, final model (step 400)');
  });

  it('--model best --record --seed writes a replay the viewer reads, under a name training never uses', async () => {
    spy();
    await keiko('eval', run, '--model', 'best', '--record', '--seed', '7', '-n', '2', '--backend', 'cpu');
    const step = summary.bestEval!.step;
    const name = `eval-step${String(step).padStart(9, '0')}-eval-best-seed7.json`;
    expect(logs[0]).toMatch(/best model .* over 2 episodes \(ε = 0\.01, seed 7\)/);
    expect(logs[1]).toContain(name);
    const replay = replaySchema.parse(JSON.parse(readFileSync(join(run, 'replays', name), 'utf8')));
    expect(replay.trainingStep).toBe(step);
  });

  it('bad input is a UserError naming the problem', async () => {
    expect((await failure('eval', join(root, 'nope')))?.message).toMatch(/no such run directory: .*nope/);
    expect(await failure('eval', run, '--model', 'latest')).toBeInstanceOf(UserError);
    expect((await failure('eval', run, '--episodes', '0'))?.message).toMatch(/--episodes must be an integer ≥ 1/);
    const noFinal = join(root, 'no-final');
    cpSync(run, noFinal, { recursive: true });
    rmSync(join(noFinal, 'final'), { recursive: true });
    const err = await failure('eval', noFinal, '--backend', 'cpu');
    expect(err).toBeInstanceOf(UserError);
    expect(err!.message).toMatch(/has no final model yet .*try --model best/);
    rmSync(join(noFinal, 'checkpoints', 'best', 'weights.bin'));
    expect((await failure('eval', noFinal, '--model', 'best', '--backend', 'cpu'))?.message).toMatch(/keiko eval: .*best\/weights\.bin: missing/);
  });

  it('as a command: one line on stderr and exit code 2 for a missing run', () => {
    const r = spawnSync(process.execPath, [KEIKO, 'eval', join(root, 'missing-run')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`keiko: no such run directory: ${join(root, 'missing-run')}`]);
  });
});

describe('keiko enjoy', () => {
  it('--no-open records one episode and serves the viewer on it until stopped', async () => {
    spy();
    const controller = new AbortController();
    let serving: { url: string; replay: string } | null = null;
    const done = program({
      signal: controller.signal,
      onServing: (info) => {
        serving = info;
      },
    }).parseAsync(['node', 'keiko', 'enjoy', run, '--no-open', '--port', '0', '--backend', 'cpu']);
    const deadline = Date.now() + 60_000;
    while (!serving && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    try {
      expect(serving).not.toBeNull();
      const { url, replay } = serving!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const name = `eval-step${String(400).padStart(9, '0')}-enjoy-final-seed4.json`;
      expect(replay).toBe(join(run, 'replays', name));
      expect(logs.some((l) => l.includes(`open ${url}`))).toBe(true);
      const info = (await (await fetch(new URL('api/info', url))).json()) as ViewerInfo;
      expect(info.initialEpisode).toBe(`replays/${name}`);
      const res = await fetch(new URL(`files/replays/${name}`, url));
      expect(res.status).toBe(200);
      const file = replaySchema.parse(await res.json());
      expect(file.steps.length).toBe(file.length);
    } finally {
      controller.abort();
      await done;
    }
    expect(readdirSync(join(run, 'replays')).filter((n) => n.includes('-enjoy-'))).toHaveLength(1);
  });

  it('opens a browser only where there is one', () => {
    expect(browserOpener({ PATH: '/usr/bin' }, 'linux')).toBeNull();
    expect(browserOpener({}, 'darwin')).toBe('open');
  });

  it('a missing run is a UserError, and nothing is served', async () => {
    const err = await program().parseAsync(['node', 'keiko', 'enjoy', join(root, 'nope'), '--no-open']).then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(existsSync(join(root, 'nope'))).toBe(false);
  });
});
