/**
 * GAN figures: `npm run bench:gan -- ring|mnist [STEPS]`. Trains with the CLI defaults into
 * runs/bench-gan-<dataset> and prints the quality measures (ring: modes covered and high-quality
 * share of 10,000 samples; MNIST: classifier score and class histogram) and the wall time.
 */
import { runGan } from '../node/run-gan';
import { resolveGanConfig } from '../gan/config';

const dataset = process.argv[2] ?? 'ring';
if (dataset !== 'ring' && dataset !== 'mnist') {
  console.error('usage: npm run bench:gan -- ring|mnist [STEPS]');
  process.exit(2);
}
const steps = process.argv[3] ? Number(process.argv[3]) : undefined;
const cfg = resolveGanConfig({ dataset, ...(steps ? { steps } : {}) });
const s = await runGan(cfg, { outDir: `runs/bench-gan-${dataset}`, log: (l) => console.log(l) });
console.log('\n| dataset | steps | wall s | backend | result |');
console.log('|---|---|---|---|---|');
const result = s.ring
  ? `${s.ring.modesCovered}/8 modes, ${(s.ring.highQualityShare * 100).toFixed(1)}% high-quality`
  : `classifier score ${s.classifierScore?.toFixed(2)}, histogram ${s.classHistogram?.join(' ')}`;
console.log(`| ${dataset} | ${s.steps} | ${s.wallSeconds.toFixed(0)} | ${s.backend} | ${result} |`);
