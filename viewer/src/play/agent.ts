/**
 * A trained agent in the page: an agent directory (a run's final/, docs/run-directory.md) fetched
 * from the viewer server and rebuilt as node/agent-dir.ts loadAgent does — agent.json validated by
 * the same parser, the network by deserializeModel — then one greedy episode on the played seed.
 * tfjs runs on its cpu backend here: the nets are small and act on one observation per step (the
 * fast forward pass does the work), and the page needs no WebAssembly permission for tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { DqnAgent } from '../../../agents/dqn/agent';
import { AGENT_FILE, parseAgentFile } from '../../../agents/dqn/agent-store';
import {
  MODEL_FILES,
  ModelLoadError,
  deserializeModel,
  parseArtifactJson,
  specFileSchema,
  weightsManifestSchema,
} from '../../../src/model-io';
import { make, type MakeOptions } from '../../../envs/registry';

/** Reads a file of the agent directory: text or bytes. */
export interface AgentFiles {
  text(name: string): Promise<string>;
  bytes(name: string): Promise<Uint8Array>;
}

/** The files of the agent directory `dir` (root-relative) through the server's /files/ route. */
export function serverAgentFiles(dir: string): AgentFiles {
  const url = (name: string): string => `/files/${[...dir.split('/'), name].map(encodeURIComponent).join('/')}`;
  const get = async (name: string): Promise<Response> => {
    const res = await fetch(url(name), { cache: 'no-store' });
    if (!res.ok) throw new ModelLoadError(`${dir}/${name}`, res.status === 404 ? 'missing' : `HTTP ${res.status}`);
    return res;
  };
  return {
    text: async (name) => (await get(name)).text(),
    bytes: async (name) => new Uint8Array(await (await get(name)).arrayBuffer()),
  };
}

let backendReady: Promise<void> | null = null;

/** tfjs's cpu backend, once. */
function useCpuBackend(): Promise<void> {
  backendReady ??= tf.setBackend('cpu').then((ok) => {
    if (!ok) throw new Error('tfjs: the cpu backend did not start');
  });
  return backendReady;
}

/** The agent saved in the agent directory behind `files` (`dir` names it in errors). */
export async function loadAgentFrom(dir: string, files: AgentFiles): Promise<DqnAgent> {
  await useCpuBackend();
  const { agent: file, config } = parseAgentFile(`${dir}/${AGENT_FILE}`, await files.text(AGENT_FILE));
  // Errors name the file with its directory, as loadAgent's do.
  const inDir = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ModelLoadError && !err.file.includes('/')) throw new ModelLoadError(`${dir}/${err.file}`, err.message.slice(err.file.length + 2));
      throw err;
    }
  };
  const [specText, manifestText, weights] = await Promise.all([
    files.text(MODEL_FILES.spec),
    files.text(MODEL_FILES.weightsManifest),
    files.bytes(MODEL_FILES.weights),
  ]);
  const loaded = inDir(() =>
    deserializeModel({
      spec: parseArtifactJson(MODEL_FILES.spec, specText, specFileSchema),
      weightsManifest: parseArtifactJson(MODEL_FILES.weightsManifest, manifestText, weightsManifestSchema),
      weights,
    }),
  );
  return DqnAgent.fromSaved({ agent: file, config }, loaded, `${dir}/${MODEL_FILES.spec}`);
}

export interface GreedyEpisode {
  return: number;
  length: number;
  actions: number[];
  terminated: boolean;
}

/** Safety cap for envs without a time limit (MinAtar games all end by themselves well before). */
const MAX_AGENT_STEPS = 100_000;

/** One greedy (argmax Q) episode of `agent` on its env, reset with `seed`. */
export function greedyEpisode(agent: DqnAgent, seed: number, envOptions: MakeOptions = agent.config.envOptions as MakeOptions): GreedyEpisode {
  const env = make(agent.config.env, envOptions);
  try {
    let obs = env.reset({ seed }).observation;
    let ret = 0;
    const actions: number[] = [];
    for (let t = 0; t < MAX_AGENT_STEPS; t++) {
      const action = agent.predict(obs);
      const r = env.step(action);
      actions.push(action);
      ret += r.reward;
      obs = r.observation;
      if (r.terminated || r.truncated) return { return: ret, length: actions.length, actions, terminated: r.terminated };
    }
    return { return: ret, length: actions.length, actions, terminated: false };
  } finally {
    env.close();
  }
}
