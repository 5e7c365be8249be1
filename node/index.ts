/**
 * `keiko/node`: the Node-only edge. `runTraining` (a DQN run into a run directory, with resume),
 * run directories, checkpoint files, model directories and the tfjs-node backend loader.
 */
export { runTraining, type RunTrainingOptions, type RunSummary } from './run-training';
export { RunDir, RUN_FILES } from './run-dir';
export { RunDirWriter, type RunInfo } from './run-dir-writer';
export { CHECKPOINT_FILE, CheckpointError, hasCheckpoint, readCheckpoint, writeCheckpoint, writeBestModel, type CheckpointExtra } from './checkpoint';
export { saveModelDir, loadModelDir, type SaveModelOptions } from './model-dir';
export { atomicWriteFile, atomicWriteJson } from './atomic';
export { registerNodeBackendLoader, initNodeBackend, probeNative, probeCuda, nodeBackendLoader, type CudaStatus } from './backend-node';
