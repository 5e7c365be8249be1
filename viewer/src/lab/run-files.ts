/**
 * The run directory (docs/run-directory.md) of a training run in the page, built in memory from
 * the same event stream node/run-dir-writer.ts writes to disk: config.json, metrics.jsonl,
 * summary.json, replays/*.json, final/ and checkpoints/best/ (agent directories). Zipped with
 * fflate, it unzips to a folder `keiko view`, the sweep reader and `keiko eval` open like any
 * other run. JSON files are formatted as node/atomic.ts atomicWriteJson formats them.
 */
import { zipSync } from 'fflate';
import type { DqnAgent } from '../../../agents/dqn/agent';
import { agentFileOf, AGENT_FILE } from '../../../agents/dqn/agent-store';
import { BaseCallback } from '../../../agents/dqn/callbacks';
import { isMetricLine, type LoopSummary, type TrainEvent } from '../../../agents/dqn/events';
import { MODEL_FILES, serializeModel } from '../../../src/model-io';

export interface RunInfo {
  seed: number;
  backend: string;
  /** The run's folder name (summary.json's outDir: where the zip unpacks it). */
  outDir: string;
}

/** File path (inside the run) → bytes. */
export type FileMap = Record<string, Uint8Array>;

const utf8 = new TextEncoder();
const jsonFile = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value, null, 2) + '\n');

/**
 * The files of an agent directory (node/agent-dir.ts saveAgentDir): the online network as a
 * model directory (spec.json, weights.json with its CRC-32, weights.bin) plus agent.json, under
 * `prefix`. node/model-dir.ts loadModelDir and node/agent-dir.ts loadAgent open them.
 */
export function agentDirFiles(agent: DqnAgent, step: number, prefix = ''): FileMap {
  const a = serializeModel(agent.online);
  return {
    [prefix + MODEL_FILES.spec]: jsonFile(a.spec),
    [prefix + MODEL_FILES.weightsManifest]: jsonFile(a.weightsManifest),
    [prefix + MODEL_FILES.weights]: a.weights,
    [prefix + AGENT_FILE]: jsonFile(agentFileOf(agent, { step })),
  };
}

/** Files under one top-level folder, zipped (stored, not compressed: weights hardly shrink, and it is fast). */
export function zipFolder(folder: string, files: FileMap): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [path, bytes] of Object.entries(files)) entries[`${folder}/${path}`] = bytes;
  return zipSync(entries, { level: 0 });
}

export class RunFiles extends BaseCallback {
  private readonly metrics: string[] = [];
  private readonly replays = new Map<string, Uint8Array>();
  private best: FileMap = {};
  private final: FileMap = {};
  private finalSummary: (LoopSummary & RunInfo) | null = null;

  constructor(
    readonly config: Record<string, unknown>,
    readonly info: RunInfo,
  ) {
    super();
  }

  onEvent(e: TrainEvent): void {
    if (isMetricLine(e)) {
      this.metrics.push(JSON.stringify(e) + '\n');
    } else if (e.type === 'replay') {
      this.replays.set(e.name, jsonFile(e.file));
    } else if (e.type === 'best') {
      const { type: _type, ...result } = e;
      this.best = this.agentWithEval('checkpoints/best/', e.step, { ...result, evaluation: 'periodic' });
    } else if (e.type === 'end') {
      const fe = e.summary.finalEval;
      this.final = this.agentWithEval('final/', e.step, fe ? { step: e.step, ...fe, evaluation: 'final' } : null);
      if (fe && e.summary.bestEval === null) this.best = this.agentWithEval('checkpoints/best/', e.step, { step: e.step, ...fe, evaluation: 'final' });
      this.finalSummary = { ...e.summary, ...this.info };
    }
  }

  /** summary.json: the final one once the run ended, else the run so far (finalEval null). */
  summary(): LoopSummary & RunInfo {
    return this.finalSummary ?? { ...this.trainer.summary(), ...this.info };
  }

  /** Every file of the run directory as it stands. */
  files(): FileMap {
    const files: FileMap = {
      'config.json': jsonFile(this.config),
      'metrics.jsonl': utf8.encode(this.metrics.join('')),
      'summary.json': jsonFile(this.summary()),
      ...this.best,
      ...this.final,
    };
    for (const [name, bytes] of this.replays) files[`replays/${name}`] = bytes;
    return files;
  }

  zip(): Uint8Array {
    return zipFolder(this.info.outDir, this.files());
  }

  private agentWithEval(prefix: string, step: number, evaluation: Record<string, unknown> | null): FileMap {
    const files = agentDirFiles(this.trainer.agent, step, prefix);
    if (evaluation) files[`${prefix}eval.json`] = jsonFile(evaluation);
    return files;
  }
}
