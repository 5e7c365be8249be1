/**
 * The trained agent's lifecycle (cpu backend, tiny CartPole runs): a run directory ends with a
 * loadable final/ and checkpoints/best/ agent; loaded agents act and evaluate exactly like the
 * originals; save → load is bitwise; bad agent directories are errors naming the file and field;
 * without a registered store, agent.save says how to get one.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTraining, type RunSummary } from '../node/run-training';
import { loadAgent, nodeAgentStore, RUN_AGENTS } from '../node/agent-dir';
import { setAgentStore, NoAgentStoreError, AgentLoadError } from '../agents/dqn/agent-store';
import { DqnAgent } from '../agents/dqn/agent';
import { resolveConfig } from '../agents/dqn/config';
import { BaseCallback } from '../agents/dqn/callbacks';
import type { TrainEvent } from '../agents/dqn/events';
import { argmax } from '../agents/dqn/policy';
import { make } from '../envs/registry';
import { Random } from '../src/random';
import { ModelLoadError } from '../src/model-io';
import { smallRun } from './helpers/tiny-run';

const root = mkdtempSync(join(tmpdir(), 'keiko-agent-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const small = smallRun({ seed: 5 });

/** Observations to compare actions on: random CartPole-like states. */
const observations: Float32Array[] = (() => {
  const rng = new Random(11);
  return Array.from({ length: 64 }, () => Float32Array.from({ length: 4 }, () => (rng.random() - 0.5) * 0.8));
})();

const greedy = (q: (o: Float32Array) => Float32Array) => observations.map((o) => argmax(q(o)));

/** Records the original agent's greedy actions at the last new best and at the end. */
class CaptureActions extends BaseCallback {
  best: number[] | null = null;
  final: number[] | null = null;
  onEvent(e: TrainEvent): void {
    if (e.type === 'best') this.best = greedy((o) => this.trainer.agent.qValues(o));
    if (e.type === 'end') this.final = greedy((o) => this.trainer.agent.qValues(o));
  }
}

const weightBytes = (agent: DqnAgent) => agent.online.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).buffer).toString('hex'));

describe('trained agents', () => {
  const long = join(root, 'long');
  const short = join(root, 'short');
  let longSummary: RunSummary;
  let shortSummary: RunSummary;
  const capture = new CaptureActions();
  const captureShort = new CaptureActions();

  beforeAll(async () => {
    await tf.setBackend('cpu');
    longSummary = await runTraining({ ...small, steps: 600 }, { outDir: long, quiet: true, callbacks: [capture] });
    shortSummary = await runTraining({ ...small, steps: 150 }, { outDir: short, quiet: true, callbacks: [captureShort] });
  });

  it('a run ends with loadable final/ and checkpoints/best/ agents that act like the originals', async () => {
    expect(longSummary.bestEval).not.toBeNull();
    expect(existsSync(join(long, 'checkpoints', 'best', 'weights.bin'))).toBe(true);
    const final = await loadAgent(join(long, RUN_AGENTS.final));
    const best = await loadAgent(join(long, RUN_AGENTS.best));
    try {
      expect(observations.map((o) => final.predict(o))).toEqual(capture.final);
      expect(observations.map((o) => best.predict(o))).toEqual(capture.best);
      expect(final.config).toEqual(resolveConfig(JSON.parse(readFileSync(join(long, 'config.json'), 'utf8'))));
      const bestEval = JSON.parse(readFileSync(join(long, RUN_AGENTS.best, 'eval.json'), 'utf8'));
      expect(bestEval).toMatchObject({ step: longSummary.bestEval!.step, meanReturn: longSummary.bestEval!.meanReturn, evaluation: 'periodic' });
      const agentJson = JSON.parse(readFileSync(join(long, RUN_AGENTS.final, 'agent.json'), 'utf8'));
      expect(agentJson).toMatchObject({ format: 'keiko-dqn-agent', formatVersion: 1, env: 'CartPole-v1', obsShape: [4], nActions: 2, step: 600 });
    } finally {
      final.dispose();
      best.dispose();
    }
  });

  it('evaluate reproduces the final evaluation of the run', async () => {
    const final = await loadAgent(join(long, RUN_AGENTS.final));
    const env = make('CartPole-v1');
    try {
      const r = final.evaluate(env, small.finalEvalEpisodes);
      expect({ meanReturn: r.meanReturn, stdReturn: r.stdReturn, episodes: r.episodes }).toEqual(longSummary.finalEval);
      expect(final.evaluate(env).meanReturn).toBe(longSummary.finalEval!.meanReturn); // defaults: finalEvalEpisodes, seed, 'final-eval'
      const recorded = final.evaluate(env, 2, { seed: 9, record: true, epsilon: 0 });
      expect(recorded.replay?.return).toBe(recorded.returns[0]);
      expect(() => final.evaluate(make('Acrobot-v1'), 1)).toThrow(/observations have shape \[6\].*expects \[4\]/);
      expect(() => final.predict(new Float32Array(3))).toThrow(/3 values, the agent expects 4/);
    } finally {
      env.close();
      final.dispose();
    }
  });

  it('predict with deterministic: false is ε-greedy with evalEpsilon on its own generator', async () => {
    const final = await loadAgent(join(long, RUN_AGENTS.final));
    try {
      const greedyActions = observations.map((o) => final.predict(o));
      const sampled = observations.map((o) => final.predict(o, { deterministic: false }));
      // evalEpsilon is 0.01: nearly all actions are the greedy ones.
      expect(sampled.filter((a, i) => a !== greedyActions[i]).length).toBeLessThan(8);
      expect(observations.map((o) => final.act(o, 0))).toEqual(greedyActions);
    } finally {
      final.dispose();
    }
  });

  it('a run shorter than evalInterval still leaves final/ and best/ (the final evaluation)', async () => {
    expect(shortSummary.bestEval).toBeNull();
    for (const sub of Object.values(RUN_AGENTS)) {
      const agent = await loadAgent(join(short, sub));
      try {
        expect(observations.map((o) => agent.predict(o))).toEqual(captureShort.final);
      } finally {
        agent.dispose();
      }
      const ev = JSON.parse(readFileSync(join(short, sub, 'eval.json'), 'utf8'));
      expect(ev).toEqual({ step: 150, ...shortSummary.finalEval, evaluation: 'final' });
    }
  });

  it('save → load round-trips the weights bitwise (agent.save through the Node store)', async () => {
    const original = await loadAgent(join(long, RUN_AGENTS.final));
    const dir = join(root, 'saved');
    try {
      await original.save(dir);
      const back = await DqnAgent.load(dir);
      try {
        expect(weightBytes(back)).toEqual(weightBytes(original));
        expect(weightBytes(back)).toEqual(weightBytes(original).map((_, i) => Buffer.from((back.target.getWeights()[i].dataSync() as Float32Array).buffer).toString('hex')));
        expect(readFileSync(join(dir, 'weights.bin')).equals(readFileSync(join(long, RUN_AGENTS.final, 'weights.bin')))).toBe(true);
      } finally {
        back.dispose();
      }
    } finally {
      original.dispose();
    }
  });

  it('without a registered store, save and load say how to get one', async () => {
    const agent = await loadAgent(join(long, RUN_AGENTS.final));
    setAgentStore(undefined);
    try {
      await expect(agent.save(join(root, 'nowhere'))).rejects.toThrow(NoAgentStoreError);
      await expect(agent.save(join(root, 'nowhere'))).rejects.toThrow(/import 'keiko\/node'/);
      await expect(DqnAgent.load(join(root, 'nowhere'))).rejects.toThrow(/no agent store is registered/);
      expect(existsSync(join(root, 'nowhere'))).toBe(false);
    } finally {
      setAgentStore(nodeAgentStore);
      agent.dispose();
    }
  });

  describe('bad agent directories are errors naming the file and field', () => {
    const copy = (name: string) => {
      const dir = join(root, name);
      cpSync(join(long, RUN_AGENTS.final), dir, { recursive: true });
      return dir;
    };
    const editAgentJson = (dir: string, edit: (j: Record<string, unknown>) => void) => {
      const path = join(dir, 'agent.json');
      const j = JSON.parse(readFileSync(path, 'utf8'));
      edit(j);
      writeFileSync(path, JSON.stringify(j));
    };
    const failure = (dir: string) => loadAgent(dir).then(() => null, (e: Error) => e);

    it('missing directory', async () => {
      const err = await failure(join(root, 'absent'));
      expect(err).toBeInstanceOf(AgentLoadError);
      expect(err!.message).toMatch(/absent: agent directory does not exist/);
    });

    it('agent.json: not JSON, wrong field types, bad config, another format version', async () => {
      const a = copy('bad-json');
      writeFileSync(join(a, 'agent.json'), '{"format": "keiko-dqn-agent", ');
      expect((await failure(a))!.message).toMatch(/bad-json\/agent\.json: not valid JSON/);

      const b = copy('bad-field');
      editAgentJson(b, (j) => (j.nActions = 'two'));
      const eb = await failure(b);
      expect(eb).toBeInstanceOf(AgentLoadError);
      expect(eb!.message).toMatch(/bad-field\/agent\.json: .*nActions/);

      const c = copy('bad-config');
      editAgentJson(c, (j) => ((j.config as Record<string, unknown>).gamma = 2));
      expect((await failure(c))!.message).toMatch(/bad-config\/agent\.json: .*config\.gamma/);

      const d = copy('bad-version');
      editAgentJson(d, (j) => (j.formatVersion = 99));
      expect((await failure(d))!.message).toMatch(/agent\.json: .*formatVersion: agent format version 99 is not supported/);

      const e = copy('bad-shape');
      editAgentJson(e, (j) => (j.nActions = 3));
      expect((await failure(e))!.message).toMatch(/bad-shape\/spec\.json: spec: the network does not match the one agent\.json describes/);
    });

    it('missing or corrupted weights, missing agent.json', async () => {
      const a = copy('no-weights');
      rmSync(join(a, 'weights.bin'));
      const ea = await failure(a);
      expect(ea).toBeInstanceOf(ModelLoadError);
      expect(ea!.message).toMatch(/no-weights\/weights\.bin: missing/);

      const b = copy('corrupt-weights');
      const bytes = readFileSync(join(b, 'weights.bin'));
      bytes[10] ^= 0xff;
      writeFileSync(join(b, 'weights.bin'), bytes);
      expect((await failure(b))!.message).toMatch(/corrupt-weights\/weights\.bin: checksum mismatch/);

      const c = copy('no-agent-json');
      rmSync(join(c, 'agent.json'));
      expect((await failure(c))!.message).toMatch(/no-agent-json\/agent\.json: missing \(this is a model directory without agent\.json/);
    });
  });

  it('loads on the wasm backend with the same actions', async () => {
    try {
      const agent = await loadAgent(join(long, RUN_AGENTS.final), { backend: 'wasm' });
      try {
        expect(tf.getBackend()).toBe('wasm');
        expect(observations.map((o) => agent.predict(o))).toEqual(capture.final);
        expect(agent.evaluate(make('CartPole-v1'), small.finalEvalEpisodes).meanReturn).toBe(longSummary.finalEval!.meanReturn);
      } finally {
        agent.dispose();
      }
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
