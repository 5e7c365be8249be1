export * from './types';
export * from './toy';
export * from './split';
export * from './normalize';
export * from './csv';

