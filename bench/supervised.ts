/**
 * Supervised-learning lessons with numbers: `npm run bench:supervised -- init|optimizers|dropout|transfer|all`.
 * Each prints a table. Budgets are small (subsets of MNIST, few epochs) so each runs in minutes
 * on a 2-core CPU; the lessons show at these budgets, the absolute accuracies are not the best
 * reachable. Environment: KEIKO_BACKEND (default auto → wasm here).
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../node/backend-node';
import { loadMnist } from '../node/datasets/mnist';
import { buildModel } from '../src/layers';
import { createOptimizer } from '../src/optimizers';
import { filterClasses, type ClassificationDataset } from '../supervised/datasets';
import { fit, evaluate } from '../supervised/fit';
import { cnnSpec, mlpSpec, featureIndex } from '../supervised/models';
import { replaceHead, freezeFirst, bodyLayers } from '../supervised/transfer';
import type { OptimizerConfigInput } from '../src/optimizers';
import type { InitializerSpec } from '../src/layers';

const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);

function table(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

function firstN(ds: ClassificationDataset, n: number): ClassificationDataset {
  const m = Math.min(n, ds.size);
  return { ...ds, size: m, x: ds.x.subarray(0, m * 784), labels: ds.labels.subarray(0, m) };
}

async function train(
  spec: ReturnType<typeof mlpSpec>,
  trainSet: ClassificationDataset,
  test: ClassificationDataset,
  opt: OptimizerConfigInput,
  epochs: number,
  batchSize = 128,
  validation?: ClassificationDataset,
) {
  const model = buildModel(spec, [28, 28, 1], { seed: 1 });
  const optimizer = createOptimizer(opt);
  const t0 = performance.now();
  const r = await fit(model, trainSet, { epochs, batchSize, optimizer, seed: 2, ...(validation ? { validationData: validation } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  const ev = evaluate(model, test);
  const tr = evaluate(model, trainSet);
  model.dispose();
  optimizer.dispose();
  return { history: r.history, test: ev, train: tr, seconds };
}

async function initLesson(): Promise<void> {
  console.log('\n## Weight initialisation: 5-layer ReLU MLP (4×128 hidden), SGD lr 0.05, 10k MNIST samples, 3 epochs');
  const trainSet = loadMnist('train', { limit: 10000 });
  const test = loadMnist('test');
  const rows: (string | number)[][] = [];
  const inits: [string, InitializerSpec][] = [['normal(0, 0.01)', { type: 'normal', std: 0.01 }], ['Xavier (glorotNormal)', 'glorotNormal'], ['He (heNormal)', 'heNormal']];
  for (const [name, init] of inits) {
    const r = await train(mlpSpec([128, 128, 128, 128], 10, { init }, 3), trainSet, test, { type: 'sgd', learningRate: 0.05 }, 3);
    rows.push([name, r.history.map((h) => h.loss.toFixed(3)).join(' → '), pct(r.test.accuracy), r.seconds.toFixed(0)]);
  }
  table(['init', 'train loss per epoch', 'test acc', 's'], rows);
}

async function optimizerLesson(): Promise<void> {
  console.log('\n## Optimisers: MLP 128-128 (He init), batch 128, 10k MNIST samples, 2 epochs, same seed');
  const trainSet = loadMnist('train', { limit: 10000 });
  const test = loadMnist('test');
  const opts: [string, OptimizerConfigInput][] = [
    ['SGD lr 0.01', { type: 'sgd', learningRate: 0.01 }],
    ['Momentum lr 0.01 m 0.9', { type: 'momentum', learningRate: 0.01, momentum: 0.9 }],
    ['AdaGrad lr 0.05', { type: 'adagrad', learningRate: 0.05 }],
    ['RMSProp lr 1e-3', { type: 'rmsprop', learningRate: 1e-3 }],
    ['Adam lr 1e-3', { type: 'adam', learningRate: 1e-3 }],
  ];
  const rows: (string | number)[][] = [];
  for (const [name, opt] of opts) {
    const r = await train(mlpSpec([128, 128], 10, {}, 3), trainSet, test, opt, 2);
    rows.push([name, r.history.map((h) => h.loss.toFixed(3)).join(' → '), pct(r.test.accuracy), r.seconds.toFixed(0)]);
  }
  table(['optimiser', 'train loss per epoch', 'test acc', 's'], rows);
}

async function dropoutLesson(): Promise<void> {
  console.log('\n## Dropout: 4-layer MLP 512-512-512 on 1,000 MNIST samples (easy to overfit), momentum SGD lr 0.01, 60 epochs; validation = 5k test images');
  const trainSet = loadMnist('train', { limit: 1000 });
  const all = loadMnist('test');
  const validation = firstN(all, 5000);
  const rows: (string | number)[][] = [];
  for (const rate of [0, 0.5]) {
    const r = await train(mlpSpec([512, 512, 512], 10, { dropout: rate }, 3), trainSet, validation, { type: 'momentum', learningRate: 0.01, momentum: 0.9 }, 60, 50);
    const gap = (r.train.accuracy ?? 0) - (r.test.accuracy ?? 0);
    rows.push([rate === 0 ? 'off' : `rate ${rate}`, pct(r.train.accuracy), pct(r.test.accuracy), `${(gap * 100).toFixed(2)} pts`, r.train.loss.toFixed(4), r.test.loss.toFixed(4), r.seconds.toFixed(0)]);
  }
  table(['dropout', 'train acc', 'val acc', 'gap', 'train loss', 'val loss', 's'], rows);
}

async function transferLesson(): Promise<void> {
  console.log('\n## Transfer: CNN trained on digits 0–4 (10k samples, 2 epochs), then digits 5–9 from 1,000 samples (15 epochs)');
  const low = filterClasses(loadMnist('train', { limit: 20000 }), (l) => l < 5, (l) => l, 5);
  const base0 = firstN(low, 10000);
  const high = filterClasses(loadMnist('train'), (l) => l >= 5, (l) => l - 5, 5);
  const high1k = firstN(high, 1000);
  const highTest = filterClasses(loadMnist('test'), (l) => l >= 5, (l) => l - 5, 5);
  const spec = cnnSpec(5);
  const base = buildModel(spec, [28, 28, 1], { seed: 1 });
  let opt = createOptimizer({ type: 'adam', learningRate: 1e-3 });
  let t0 = performance.now();
  await fit(base, base0, { epochs: 2, batchSize: 64, optimizer: opt, seed: 1 });
  console.log(`base on 0–4: test acc ${pct(evaluate(base, filterClasses(loadMnist('test'), (l) => l < 5, (l) => l, 5)).accuracy)} (${((performance.now() - t0) / 1000).toFixed(0)}s)`);
  opt.dispose();
  const head = spec.slice(featureIndex(spec) + 1);
  const rows: (string | number)[][] = [];
  // (a) frozen conv features + new head
  const { model: transfer, baseLayers } = replaceHead(base, { cutAfter: featureIndex(spec), head, seed: 5 });
  freezeFirst(transfer, baseLayers);
  const frozenCount = bodyLayers(transfer).filter((l) => !l.trainable).length;
  opt = createOptimizer({ type: 'adam', learningRate: 1e-3 });
  t0 = performance.now();
  await fit(transfer, high1k, { epochs: 15, batchSize: 32, optimizer: opt, seed: 3 });
  rows.push([`frozen conv layers (${frozenCount} layers) + new head`, pct(evaluate(transfer, highTest).accuracy), ((performance.now() - t0) / 1000).toFixed(0)]);
  opt.dispose();
  // (b) fine-tune everything at a 10× lower learning rate
  for (const l of transfer.layers) l.trainable = true;
  opt = createOptimizer({ type: 'adam', learningRate: 1e-4 });
  t0 = performance.now();
  await fit(transfer, high1k, { epochs: 5, batchSize: 32, optimizer: opt, seed: 4 });
  rows.push(['  then fine-tuned all layers at lr 1e-4 (+5 epochs)', pct(evaluate(transfer, highTest).accuracy), ((performance.now() - t0) / 1000).toFixed(0)]);
  opt.dispose();
  // (c) from scratch, same budget
  const scratch = buildModel(spec, [28, 28, 1], { seed: 5 });
  opt = createOptimizer({ type: 'adam', learningRate: 1e-3 });
  t0 = performance.now();
  await fit(scratch, high1k, { epochs: 15, batchSize: 32, optimizer: opt, seed: 3 });
  rows.push(['from scratch (same CNN, 15 epochs)', pct(evaluate(scratch, highTest).accuracy), ((performance.now() - t0) / 1000).toFixed(0)]);
  table(['digits 5–9 from 1,000 samples', 'test acc (5–9)', 's'], rows);
}

const LESSONS: Record<string, () => Promise<void>> = { init: initLesson, optimizers: optimizerLesson, dropout: dropoutLesson, transfer: transferLesson };

const which = process.argv[2] ?? 'all';
if (which !== 'all' && !LESSONS[which]) {
  console.error(`usage: npm run bench:supervised -- ${Object.keys(LESSONS).join('|')}|all`);
  process.exit(2);
}
const info = await initNodeBackend(undefined, { quiet: true });
console.log(`backend ${info.name}, tfjs ${tf.version.tfjs}`);
for (const [name, fn] of Object.entries(LESSONS)) if (which === 'all' || which === name) await fn();
