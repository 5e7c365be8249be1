/**
 * `keiko/node`: the Node-only edge. `runTraining` (a DQN run into a run directory, with resume),
 * run directories, checkpoint files, model directories and the tfjs-node backend loader.
 */
export { runTraining, resolveRun, type RunTrainingOptions, type RunSummary, type ResolvedRun } from './run-training';
// Importing keiko/node registers the Node agent store, so agent.save(dir) works (side effect on purpose).
export { loadAgent, saveAgentDir, readAgentFile, isAgentDir, nodeAgentStore, RUN_AGENTS, type LoadAgentOptions } from './agent-dir';
export { RunDir, RUN_FILES } from './run-dir';
export { RunDirWriter, type RunInfo } from './run-dir-writer';
export { CHECKPOINT_FILE, PREVIOUS_CHECKPOINT_FILE, checkpointFiles, CheckpointError, hasCheckpoint, readCheckpoint, writeCheckpoint, writeBestModel, type CheckpointExtra } from './checkpoint';
export { saveModelDir, loadModelDir, type SaveModelOptions } from './model-dir';
export { atomicWriteFile, atomicWriteJson } from './atomic';
export { registerNodeBackendLoader, initNodeBackend, probeNative, probeCuda, nodeBackendLoader, type CudaStatus } from './backend-node';
