/** The sweep report's statistics live in src/stats.ts, so the viewer page computes the same bands. */
export * from '../../src/stats';
