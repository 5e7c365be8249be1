/**
 * `keiko`: the package's main entry, browser-safe (no Node imports). Envs and the env registry
 * (`make`), the DQN agent and its script API (`train`), callbacks, the layer stack and the
 * backend. Subpaths: `keiko/envs`, `keiko/agents`, `keiko/layers`, and `keiko/node` (Node only:
 * run directories, checkpoints, `runTraining`).
 */
export * from './envs/index';
export * from './agents/index';
export * from './src/layers/index';
export {
  initBackend,
  currentBackend,
  describeBackend,
  setWasmBinaryPaths,
  BackendError,
  BACKEND_PREFERENCES,
  type BackendPreference,
  type BackendName,
  type BackendInfo,
} from './src/backend';
