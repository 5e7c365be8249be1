/** The shared layer stack: specs → tfjs models. */
export * from './spec';
export { buildModel, getModelSpec, type BuildOptions, type ModelSpecInfo } from './build';
export { makeInitializer, TRUNCATED_NORMAL_STD } from './initializers';
export { makeRegularizer, regularizationLoss } from './regularizers';
export { DuelingMerge, SeededDropout } from './custom-layers';
