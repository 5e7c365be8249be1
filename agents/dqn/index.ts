/** The DQN agent's public API. */
export { resolveConfig, ConfigError, configSchema, DEFAULTS, PRESET_VALUES, PRESETS, type DqnConfig, type TrainInput, type PresetName } from './config';
export { train, type TrainCallbacks, type TrainResult } from './train';
export { DqnTrainer, NonFiniteLossError, type TrainEvent, type MetricLine, type TrainSink, type TrainingSnapshot, type LoopSummary } from './loop';
export { DqnAgent } from './agent';
export { evaluate, type EvalResult } from './evaluate';
export { ReplayBuffer, type ReplayBatch } from './replay-buffer';
export { PrioritizedReplayBuffer } from './prioritized-replay';
export { NStepAccumulator } from './n-step';
export { SumTree, MinTree } from './sum-tree';
export { tdTargets, nStepReturn, clipReward, huber } from './targets';
export { epsilonAt, betaAt, linearAt } from '../../src/schedules';
export { epsilonGreedy, argmax } from './policy';
export { encodeSnapshot, decodeSnapshot } from './snapshot-codec';
