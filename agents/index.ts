/** `keiko/agents`: the DQN agent, its trainer and callbacks, and the recorded-episode format. */
export * from './dqn/index';
export { EpisodeRecorder, replayFileName, type RecorderInfo } from './recording/recorder';
export { REPLAY_FORMAT, REPLAY_VERSION, replaySchema, replayStepSchema, renderFrameSchema, type ReplayFile, type ReplayStep } from './recording/replay-format';
