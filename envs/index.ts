/** Keiko's env API: the contract, the registry, the classic-control envs, wrappers and VectorEnv. */
export * from './core';
export { Box, Discrete, box, discrete, sampleSpace, spaceContains, spaceViolation, spaceProblems, spaceSize } from './spaces';
export type { BoxOptions, BoxDtype, Space } from './spaces';
export { checkEnv, envProblems, EnvCheckError } from './check-env';
export type { CheckEnvOptions } from './check-env';
export { make, listEnvs, register, envSpec, closestId } from './registry';
export { editDistance } from '../src/did-you-mean';
export type { EnvEntry, MakeOptions } from './registry';
export { EMPTY_INFO, EnvOrderError, isValidAction, invalidActionError } from './errors';
export { ClassicControlEnv, DEFAULT_ENV_SEED, classicControl } from './classic/base';
export { stickyAction } from './sticky-action';
export { CartPoleEnv, CARTPOLE, CARTPOLE_SPEC } from './classic/cartpole';
export { MountainCarEnv, MOUNTAIN_CAR, MOUNTAIN_CAR_SPEC } from './classic/mountain-car';
export { AcrobotEnv, ACROBOT, ACROBOT_SPEC } from './classic/acrobot';
export * from './wrappers/index';
export { VectorEnv, makeVector } from './vector';
export type { VectorStepResult, VectorResetResult, VectorInfo } from './vector';
