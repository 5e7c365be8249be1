/**
 * Agent directories on disk (Node): a model directory (node/model-dir.ts: spec.json,
 * weights.json, weights.bin — the online Q-network, checksummed) plus agent.json (format
 * version, the DqnConfig, observation shape, number of actions; agents/dqn/agent-store.ts).
 *   saveAgentDir(dir, agent)   what `agent.save(dir)` does once this module is imported
 *   loadAgent(dir)             the agent back, on the current backend or the one asked for
 * Importing this module registers it as the agent store, so `agent.save(dir)` and
 * `DqnAgent.load(dir)` work. Every file is written atomically, agent.json last; a missing or
 * corrupted file is an AgentLoadError / ModelLoadError naming its path (and the field).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DqnAgent } from '../agents/dqn/agent';
import {
  AGENT_FILE,
  AgentLoadError,
  agentFileOf,
  parseAgentFile,
  setAgentStore,
  type AgentFile,
  type AgentStore,
  type SaveAgentInfo,
} from '../agents/dqn/agent-store';
import type { DqnConfig } from '../agents/dqn/config';
import { MODEL_FILES } from '../src/model-io';
import type { BackendPreference } from '../src/backend';
import { atomicWriteJson } from './atomic';
import { initNodeBackend } from './backend-node';
import { loadModelDir, saveModelDir } from './model-dir';

export { AGENT_FILE };

/** Files of an agent directory. */
export const AGENT_DIR_FILES = [AGENT_FILE, MODEL_FILES.spec, MODEL_FILES.weightsManifest, MODEL_FILES.weights] as const;

/** Write `agent` into `dir` (created if needed): weights, manifest and spec first, agent.json last. */
export function saveAgentDir(dir: string, agent: DqnAgent, info: SaveAgentInfo = {}): void {
  saveModelDir(dir, agent.online);
  atomicWriteJson(join(dir, AGENT_FILE), agentFileOf(agent, info));
}

/** Whether `dir` holds an agent directory (its agent.json is there). */
export function isAgentDir(dir: string): boolean {
  return existsSync(join(dir, AGENT_FILE));
}

/** Read and validate `dir`/agent.json alone (what an agent was trained on, without building it). */
export function readAgentFile(dir: string): { agent: AgentFile; config: DqnConfig } {
  if (!existsSync(dir)) throw new AgentLoadError(dir, 'agent directory does not exist');
  if (!statSync(dir).isDirectory()) throw new AgentLoadError(dir, 'not a directory (an agent is a directory holding agent.json and its weights)');
  const path = join(dir, AGENT_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new AgentLoadError(path, `cannot read (${code ?? (err as Error).message})`);
    const hint = existsSync(join(dir, MODEL_FILES.spec)) ? ' (this is a model directory without agent.json: written by an older Keiko, or a network that is not an agent)' : '';
    throw new AgentLoadError(path, `missing${hint}`);
  }
  return parseAgentFile(path, text);
}

export interface LoadAgentOptions {
  /** Start this backend first (as `initBackend`); default: whatever backend is current. */
  backend?: BackendPreference;
}

/**
 * The agent saved in `dir` (by agent.save, saveAgentDir, or a run directory's final/ and
 * checkpoints/best/). Weights are float32 bytes, so any backend (cpu, wasm, tensorflow) loads
 * any save. Call `agent.dispose()` when done.
 */
export async function loadAgent(dir: string, options: LoadAgentOptions = {}): Promise<DqnAgent> {
  const { agent: file, config } = readAgentFile(dir);
  if (options.backend) await initNodeBackend(options.backend, { quiet: true });
  else await tf.ready();
  return DqnAgent.fromSaved({ agent: file, config }, loadModelDir(dir), join(dir, MODEL_FILES.spec));
}

/** The Node agent store: locations are directories. */
export const nodeAgentStore: AgentStore = {
  save: (agent, dir, info) => saveAgentDir(dir, agent, info),
  load: (dir) => loadAgent(dir),
};

setAgentStore(nodeAgentStore);

/** The agent directories of a run directory (docs/run-directory.md). */
export const RUN_AGENTS = {
  final: 'final',
  best: join('checkpoints', 'best'),
} as const;
export type RunAgentName = keyof typeof RUN_AGENTS;
