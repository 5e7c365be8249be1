/**
 * The DQN agent's public API.
 *
 * Read this first — one training step, file by file, in the order it happens:
 *   1. act          agent.ts         DqnAgent.act(obs, ε): ε-greedy on the online net (JS forward: src/fast-forward.ts)
 *   2. env step     loop.ts          make(id) → RecordEpisodeStatistics → ClipReward (envs/wrappers)
 *   3. store        n-step.ts        n-step transitions into replay-buffer.ts (prioritized-replay.ts, sum-tree.ts)
 *   4. sample       replay-buffer.ts ReplayBuffer.sample → a ReplayBatch
 *   5. target       targets.ts       tdTargetTensor: y = r + discount · Q⁻(s′, a*)  (tdTargets is its pure oracle)
 *   6. loss         learner.ts       Huber(y − Q(s, a)) weighted by importance weights, clipped gradients, optimiser
 *   7. target update agent.ts        DqnAgent.updateTarget(): θ⁻ ← θ (or Polyak)
 * loop.ts runs these in order with the evaluation schedule (evaluate.ts); everything else listens
 * to its event stream (events.ts) through callbacks (callbacks.ts): the metric logger
 * (train-logger.ts), the episode recorder (record-episodes.ts), checkpoints (CheckpointCallback,
 * state.ts, snapshot-codec.ts), early stopping (StopOnRewardThreshold). config.ts holds every
 * setting with its default and the presets; train.ts is the script API.
 */
export { resolveConfig, ConfigError, configSchema, DEFAULTS, PRESET_VALUES, PRESETS, type DqnConfig, type TrainInput, type PresetName } from './config';
export { train, type TrainOptions, type TrainResult } from './train';
export { DqnTrainer, NonFiniteLossError, SNAPSHOT_VERSION, type TrainerOptions, type MakeEnv } from './loop';
export { BaseCallback, CallbackList, CheckpointCallback, StopOnRewardThreshold, fromFunctions, type Callback, type StepContext } from './callbacks';
export { isMetricLine, type TrainEvent, type MetricLine, type EpisodeLine, type EvalLine, type TrainLine, type TrainingSnapshot, type LoopSummary, type CheckpointReason } from './events';
export { RecordEpisodes } from './record-episodes';
export { TrainLogger } from './train-logger';
export { SnapshotError, type PartState, type Stateful } from './state';
export { DqnAgent, type PredictOptions, type AgentEvaluateOptions } from './agent';
export { setAgentStore, getAgentStore, agentFileOf, parseAgentFile, agentFileSchema, AgentLoadError, NoAgentStoreError, AGENT_FILE, AGENT_FORMAT, AGENT_FORMAT_VERSION, type AgentStore, type AgentFile, type SaveAgentInfo } from './agent-store';
export { evaluate, type EvalResult } from './evaluate';
export { ReplayBuffer, type ReplayBatch } from './replay-buffer';
export { PrioritizedReplayBuffer } from './prioritized-replay';
export { NStepAccumulator } from './n-step';
export { SumTree } from './sum-tree';
export { tdTargets, tdTargetTensor, nStepReturn, clipReward, huber } from './targets';
export { epsilonAt, betaAt, linearAt } from '../../src/schedules';
export { epsilonGreedy, argmax } from './policy';
export { encodeSnapshot, decodeSnapshot } from './snapshot-codec';
