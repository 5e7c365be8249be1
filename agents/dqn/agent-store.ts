/**
 * Where `agent.save(location)` and `DqnAgent.load(location)` put and find agents. The core stays
 * browser-safe: it only knows the hook below and the agent.json format; the files are written by
 * a store that the platform registers — in Node, importing `keiko/node` (node/agent-dir.ts)
 * registers one that writes agent directories. A browser app can register its own (IndexedDB,
 * downloads) with setAgentStore.
 *
 * An agent directory is a model directory (src/model-io.ts: spec.json, weights.json, weights.bin)
 * of the online Q-network plus agent.json: format, version, the full DqnConfig, the observation
 * shape and the number of actions. That is everything needed to rebuild the agent for acting and
 * evaluation (the target network starts as a copy of the online one; the optimiser state and the
 * replay buffer are training state, kept in checkpoints/latest of a run).
 */
import { z } from 'zod';
import { ModelLoadError, parseArtifactJson } from '../../src/model-io';
import { ConfigError, resolveConfig, type DqnConfig } from './config';
import type { DqnAgent } from './agent';

export const AGENT_FILE = 'agent.json';
export const AGENT_FORMAT = 'keiko-dqn-agent';
export const AGENT_FORMAT_VERSION = 1;

export const agentFileSchema = z.strictObject({
  format: z.literal(AGENT_FORMAT, { error: (i) => `expected "${AGENT_FORMAT}", got ${JSON.stringify(i.input)}` }),
  formatVersion: z.literal(AGENT_FORMAT_VERSION, {
    error: (i) => `agent format version ${JSON.stringify(i.input)} is not supported (this Keiko reads version ${AGENT_FORMAT_VERSION})`,
  }),
  algorithm: z.literal('dqn'),
  /** The env the agent was trained on (also in config.env). */
  env: z.string().min(1),
  obsShape: z.array(z.int().positive()).min(1),
  nActions: z.int().positive(),
  /** The training step the weights are from, when known. */
  step: z.int().nonnegative().nullable(),
  /** The resolved training config (validated again by resolveConfig on load). */
  config: z.record(z.string(), z.unknown()),
  savedAt: z.string(),
});
export type AgentFile = z.infer<typeof agentFileSchema>;

/** An agent file is missing, malformed or does not match its weights; `file` names it. */
export class AgentLoadError extends ModelLoadError {
  override name = 'AgentLoadError';
}

/** agent.save / DqnAgent.load with no store registered. */
export class NoAgentStoreError extends Error {
  override name = 'NoAgentStoreError';
  constructor(what: string) {
    super(
      `${what}: no agent store is registered. In Node, import 'keiko/node' (node/agent-dir.ts), which registers one that writes agent directories ` +
        `(or call saveAgentDir/loadAgent from it directly); in a browser, register your own with setAgentStore().`,
    );
  }
}

export interface SaveAgentInfo {
  /** The training step the weights are from (recorded in agent.json). */
  step?: number | null;
}

export interface AgentStore {
  save(agent: DqnAgent, location: string, info?: SaveAgentInfo): void | Promise<void>;
  load(location: string): DqnAgent | Promise<DqnAgent>;
}

let store: AgentStore | undefined;

/** Register where agents are saved and loaded from (node/agent-dir.ts does this on import). */
export function setAgentStore(s: AgentStore | undefined): void {
  store = s;
}

export function getAgentStore(): AgentStore | undefined {
  return store;
}

/** The agent.json of an agent. */
export function agentFileOf(agent: DqnAgent, info: SaveAgentInfo = {}): AgentFile {
  return {
    format: AGENT_FORMAT,
    formatVersion: AGENT_FORMAT_VERSION,
    algorithm: 'dqn',
    env: agent.config.env,
    obsShape: [...agent.obsShape],
    nActions: agent.nActions,
    step: info.step ?? null,
    config: { ...agent.config },
    savedAt: new Date().toISOString(),
  };
}

/**
 * Parse and validate agent.json; every problem is an AgentLoadError naming `file` and the field.
 * The config goes through resolveConfig, so keys added to Keiko after the save take their defaults.
 */
export function parseAgentFile(file: string, text: string): { agent: AgentFile; config: DqnConfig } {
  let agent: AgentFile;
  try {
    agent = parseArtifactJson(file, text, agentFileSchema);
  } catch (err) {
    if (err instanceof ModelLoadError) throw new AgentLoadError(file, err.message.slice(file.length + 2));
    throw err;
  }
  let config: DqnConfig;
  try {
    config = resolveConfig(agent.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new AgentLoadError(file, `unexpected content: ${err.problems.map((p) => `config.${p.path}: ${p.message}`).join('; ')}`);
    }
    throw err;
  }
  if (config.env !== agent.env) throw new AgentLoadError(file, `env: "${agent.env}" differs from config.env "${config.env}"`);
  return { agent, config };
}
