/**
 * The sweep report: DIR/report.md and DIR/report.html (same tables, plus inline-SVG learning
 * curves in the HTML). Everything comes from the results store rows, so a report can be rebuilt
 * from results.db alone (e.g. when runs were executed on other machines).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { atomicWriteFile } from '../atomic';
import { normalisedScore, paperCurveFor, paperValueAt, referenceFor, type EnvReference } from './references';
import type { Sweep } from './schema';
import { curveBand, mean, meanCi, type Curve, type MeanCi } from './stats';
import type { RunRow } from './store';

export interface ConfigSummary {
  env: string;
  configHash: string;
  label: string;
  paramsKey: string;
  seeds: number;
  /** Seeds planned (done + failed + unfinished). */
  planned: number;
  failed: number;
  final: MeanCi;
  auc: number | null;
  /** Mean steps to threshold over the seeds that reached it; `reached` of `seeds` did. */
  stepsToThreshold: number | null;
  reached: number;
  wallSeconds: number | null;
  sps: number | null;
  band: { step: number; mean: number; low: number; high: number }[];
  best: boolean;
  /** Training return (recentReturn: mean of the last 100 training episodes) over seeds, when run dirs were read. */
  trainBand?: { step: number; mean: number; low: number; high: number }[];
  /** Training return at the report's checkpoints (`ReportData.trainingAt`), mean and 95% CI over seeds. */
  trainingAt?: MeanCi[];
}

export interface OverallRank {
  label: string;
  paramsKey: string;
  /** Mean normalised final return over the envs with a reference. */
  score: number;
  envs: number;
  perEnv: Record<string, number>;
}

export interface ReportData {
  title: string;
  counts: { done: number; failed: number; unfinished: number; total: number };
  envs: string[];
  configs: ConfigSummary[];
  overall: OverallRank[];
  references: Record<string, EnvReference | null>;
  failures: { key: string; error: string }[];
  /** Env steps at which the training-return table reads every run (¼, ½ and all of the sweep's steps). */
  trainingAt: number[];
  /** Published learning curves per env (node/sweep/references.ts paperCurveFor), drawn into the plots. */
  paper: Record<string, { points: [number, number][]; source: string } | null>;
}

/**
 * The training-return curve of a run directory: `recentReturn` (mean return of the last 100
 * training episodes) of metrics.jsonl's 'train' lines. [] when the directory or file is absent
 * (e.g. runs executed on other machines; the rest of the report needs only results.db).
 */
export function readTrainingCurve(runDir: string): Curve {
  const path = join(runDir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const byStep = new Map<number, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.includes('"train"')) continue;
    let obj: { type?: string; step?: number; recentReturn?: number | null };
    try {
      obj = JSON.parse(line);
    } catch {
      continue; // partial last line
    }
    if (obj.type === 'train' && typeof obj.step === 'number' && typeof obj.recentReturn === 'number') byStep.set(obj.step, obj.recentReturn);
  }
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * A curve's value at `step`: its last point at or before `step`, provided the run got that far
 * (a point at or after `step`, or `finished` for a run that ended there); else null.
 */
export function curveAt(curve: Curve, step: number, finished = false): number | null {
  if (curve.length === 0) return null;
  if (!finished && curve[curve.length - 1]![0] < step) return null;
  let value: number | null = null;
  for (const [s, v] of curve) {
    if (s > step) break;
    value = v;
  }
  return value;
}

/** A run's curve value at `step`: a finished run (status 'done') counts as having got to its own steps. */
export function runCurveAt(curve: Curve, step: number, run: { status: string; steps: number }): number | null {
  return curveAt(curve, step, run.status === 'done' && step >= run.steps);
}

/** The training-return checkpoints of a sweep: ¼, ½ and all of its steps. */
export function trainingCheckpoints(steps: number): number[] {
  return [...new Set([Math.round(steps / 4), Math.round(steps / 2), steps])];
}

function nums(xs: (number | null)[]): number[] {
  return xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
}

/**
 * `trainingCurves` (run key → recentReturn curve, from readTrainingCurve) adds the training-return
 * table and plots; without it the report comes from the rows alone.
 */
export function summarizeRows(sweep: Sweep, rows: readonly RunRow[], trainingCurves?: ReadonlyMap<string, Curve>): ReportData {
  const trainingAt = trainingCheckpoints(sweep.steps);
  const envs = [...new Set(rows.map((r) => r.env))];
  const groups = new Map<string, RunRow[]>();
  for (const r of rows) {
    const k = `${r.env}\u0000${r.configHash}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const configs: ConfigSummary[] = [];
  for (const group of groups.values()) {
    const done = group.filter((r) => r.status === 'done');
    const finals = nums(done.map((r) => r.finalMean));
    const reachedSteps = nums(done.map((r) => r.stepsToThreshold));
    const first = group[0]!;
    configs.push({
      env: first.env,
      configHash: first.configHash,
      label: first.configLabel,
      paramsKey: JSON.stringify(first.hyperparams, Object.keys(first.hyperparams).sort()),
      seeds: done.length,
      planned: group.length,
      failed: group.filter((r) => r.status === 'failed').length,
      final: meanCi(finals),
      auc: done.length ? mean(nums(done.map((r) => r.auc))) : null,
      stepsToThreshold: reachedSteps.length ? mean(reachedSteps) : null,
      reached: reachedSteps.length,
      wallSeconds: done.length ? mean(nums(done.map((r) => r.wallSeconds))) : null,
      sps: nums(done.map((r) => r.sps)).length ? mean(nums(done.map((r) => r.sps))) : null,
      band: curveBand(done.map((r) => r.curve).filter((c) => c.length > 0)),
      best: false,
    });
    const summary = configs[configs.length - 1]!;
    const training = group.map((r) => ({ row: r, curve: trainingCurves?.get(r.key) ?? [] })).filter((t) => t.curve.length > 0);
    if (training.length > 0) {
      const finishedCurves = training.filter((t) => t.row.status === 'done').map((t) => t.curve);
      summary.trainBand = curveBand(finishedCurves);
      summary.trainingAt = trainingAt.map((step) =>
        meanCi(nums(training.map((t) => runCurveAt(t.curve, step, t.row)))),
      );
    }
  }
  // Best config per env: highest mean final evaluation, then highest AUC.
  for (const env of envs) {
    const candidates = configs.filter((c) => c.env === env && c.final.n > 0);
    candidates.sort((a, b) => b.final.mean - a.final.mean || (b.auc ?? -Infinity) - (a.auc ?? -Infinity));
    if (candidates[0]) candidates[0].best = true;
  }
  const references: Record<string, EnvReference | null> = {};
  for (const env of envs) references[env] = referenceFor(env, sweep.references);
  // Rank configs across games by their mean normalised final return.
  const byParams = new Map<string, ConfigSummary[]>();
  for (const c of configs) {
    if (!byParams.has(c.paramsKey)) byParams.set(c.paramsKey, []);
    byParams.get(c.paramsKey)!.push(c);
  }
  const overall: OverallRank[] = [];
  for (const [paramsKey, cs] of byParams) {
    const perEnv: Record<string, number> = {};
    for (const c of cs) {
      const ref = references[c.env];
      if (ref && c.final.n > 0) perEnv[c.env] = normalisedScore(c.final.mean, ref);
    }
    const scores = Object.values(perEnv);
    if (scores.length > 0) overall.push({ label: cs[0]!.label, paramsKey, score: mean(scores), envs: scores.length, perEnv });
  }
  overall.sort((a, b) => b.score - a.score);
  const done = rows.filter((r) => r.status === 'done').length;
  const failed = rows.filter((r) => r.status === 'failed').length;
  return {
    title: sweep.name ?? 'Sweep report',
    counts: { done, failed, unfinished: rows.length - done - failed, total: rows.length },
    envs,
    configs,
    overall,
    references,
    failures: rows.filter((r) => r.status === 'failed').map((r) => ({ key: r.key, error: r.error ?? '' })),
    trainingAt,
    paper: Object.fromEntries(envs.map((e) => [e, paperCurveFor(e)])),
  };
}

/** The paper's value at exactly `step` frames, or null. */
function paperAt(data: ReportData, env: string, step: number): number | null {
  return paperValueAt(data.paper[env], step);
}

/** Rows of the training-return table of one env (empty when no run directory was read). */
export function trainingTable(data: ReportData, env: string): string[][] {
  const rows = data.configs
    .filter((c) => c.env === env && c.trainingAt)
    .map((c) => [c.label, c.configHash, String(c.trainingAt![0]?.n ?? 0), ...c.trainingAt!.map(ciText)]);
  if (rows.length > 0 && data.paper[env]) {
    rows.push(['paper (Young & Tian 2019, DQN)', '', '30', ...data.trainingAt.map((s) => fmt(paperAt(data, env, s)))]);
  }
  return rows;
}

export function trainingHeader(data: ReportData): string[] {
  return ['config', 'hash', 'seeds', ...data.trainingAt.map((s) => `training return at ${s} steps: mean ± 95% CI`)];
}

function paperText(data: ReportData, env: string): string | null {
  const p = data.paper[env];
  if (!p) return null;
  const frames = (s: number) => (s >= 1e6 ? `${s / 1e6}M` : `${s / 1e3}k`);
  return `Paper: ${p.points.map(([s, v]) => `${v} at ${frames(s)}`).join(', ')} frames (${p.source}).`;
}

const fmt = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);

function ciText(ci: MeanCi): string {
  if (ci.n === 0) return '–';
  if (ci.n === 1) return `${fmt(ci.mean)} (1 seed)`;
  return `${fmt(ci.mean)} ± ${fmt(ci.halfWidth)} [${fmt(ci.low)}, ${fmt(ci.high)}]`;
}

function thresholdText(c: ConfigSummary, ref: EnvReference | null): string {
  if (!ref || ref.threshold === null) return 'n/a';
  if (c.seeds === 0) return '–';
  return c.reached === 0 ? `never (0/${c.seeds})` : `${Math.round(c.stepsToThreshold!)} (${c.reached}/${c.seeds})`;
}

export function envTable(data: ReportData, env: string): string[][] {
  const ref = data.references[env] ?? null;
  return data.configs
    .filter((c) => c.env === env)
    .map((c) => [
      `${c.best ? '**best** ' : ''}${c.label}`,
      c.configHash,
      `${c.seeds}/${c.planned}${c.failed ? ` (${c.failed} failed)` : ''}`,
      ciText(c.final),
      fmt(c.auc),
      thresholdText(c, ref),
      fmt(c.wallSeconds),
      fmt(c.sps, 0),
    ]);
}

export const ENV_TABLE_HEADER = [
  'config',
  'hash',
  'seeds',
  'final eval: mean ± 95% CI [low, high]',
  'AUC',
  'steps to threshold (seeds)',
  'wall s',
  'steps/s',
];

function mdTable(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

const NOTES = [
  'Final eval: the greedy evaluation of the final network (summary.json finalEval), mean over seeds with a two-sided 95% Student-t confidence interval.',
  'AUC: mean evaluation return over the evaluation points of each run (area under the evaluation curve divided by its length), averaged over seeds.',
  "Steps to threshold: env steps at the first evaluation whose mean return reached the env's reward threshold, averaged over the seeds that reached it.",
  'Normalised score: (return − random) / (reference − random), 0 = uniform random policy, 1 = reference return (node/sweep/references.ts).',
];

export function renderMarkdown(data: ReportData): string {
  const out: string[] = [`# ${data.title}`, ''];
  const c = data.counts;
  out.push(`${c.total} runs: ${c.done} done, ${c.failed} failed, ${c.unfinished} unfinished.`, '');
  for (const env of data.envs) {
    out.push(`## ${env}`, '', mdTable(ENV_TABLE_HEADER, envTable(data, env)), '');
    const best = data.configs.find((x) => x.env === env && x.best);
    if (best) out.push(`Best config on ${env}: \`${best.label}\` (${best.configHash}), final eval ${ciText(best.final)}.`, '');
    const training = trainingTable(data, env);
    if (training.length > 0) {
      out.push(`Training return (recentReturn: mean of the last 100 training episodes) on ${env}:`, '', mdTable(trainingHeader(data), training), '');
      const paper = paperText(data, env);
      if (paper) out.push(paper, '');
    }
  }
  if (data.overall.length > 0) {
    out.push('## Normalised score across games', '');
    out.push(
      mdTable(
        ['rank', 'config', 'mean normalised final return', ...data.envs],
        data.overall.map((o, i) => [String(i + 1), o.label, fmt(o.score, 3), ...data.envs.map((e) => fmt(o.perEnv[e], 3))]),
      ),
      '',
    );
    out.push(
      mdTable(
        ['env', 'random', 'reference', 'threshold', 'source'],
        data.envs.map((e) => {
          const r = data.references[e];
          return r ? [e, String(r.random), String(r.reference), r.threshold === null ? 'n/a' : String(r.threshold), r.source] : [e, '–', '–', '–', 'no reference'];
        }),
      ),
      '',
    );
  }
  if (data.failures.length > 0) {
    out.push('## Failed runs', '');
    for (const f of data.failures) out.push(`- \`${f.key}\`: ${f.error.split('\n')[0]}`);
    out.push('');
  }
  out.push('## Notes', '', ...NOTES.map((n) => `- ${n}`), '');
  return out.join('\n');
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface CurvesSvgOptions {
  /** Which band to draw (default: the evaluation curve). */
  band?: (c: ConfigSummary) => ConfigSummary['band'] | undefined;
  yLabel?: string;
  /** Reference points drawn as black diamonds (those within the curves' step range), e.g. a paper's curve. */
  points?: { points: [number, number][]; label: string };
}

/** Learning curves of one env: mean evaluation return per config with its 95% band over seeds. */
export function curvesSvg(configs: readonly ConfigSummary[], title: string, options: CurvesSvgOptions = {}): string {
  const W = 720;
  const H = 320;
  const m = { l: 60, r: 16, t: 28, b: 40 };
  const bandOf = options.band ?? ((c: ConfigSummary) => c.band);
  const series = configs.filter((c) => (bandOf(c)?.length ?? 0) > 0).map((c) => ({ ...c, band: bandOf(c)! }));
  if (series.length === 0) return `<p>No curves for ${escapeHtml(title)}.</p>`;
  const xs = series.flatMap((c) => c.band.map((p) => p.step));
  const maxStep = Math.max(...xs);
  const refPoints = (options.points?.points ?? []).filter(([s]) => s <= maxStep);
  const ys = [...series.flatMap((c) => c.band.flatMap((p) => [p.low, p.high])), ...refPoints.map(([, v]) => v)];
  const x0 = Math.min(0, ...xs);
  const x1 = Math.max(...xs) || 1;
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (y1 - y0 < 1e-9) {
    y0 -= 1;
    y1 += 1;
  }
  const legendLines = series.length + (refPoints.length > 0 ? 1 : 0);
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 18 * legendLines}" viewBox="0 0 ${W} ${H + 18 * legendLines}" font-family="sans-serif" font-size="11">`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${escapeHtml(title)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#444"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#444"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const yv = y0 + ((y1 - y0) * i) / 4;
    const xv = x0 + ((x1 - x0) * i) / 4;
    parts.push(
      `<line x1="${m.l}" y1="${py(yv).toFixed(1)}" x2="${W - m.r}" y2="${py(yv).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${m.l - 6}" y="${(py(yv) + 4).toFixed(1)}" text-anchor="end">${Number(yv.toPrecision(3))}</text>`,
      // The last tick label ends at the axis end instead of running off the right edge.
      `<text x="${px(xv).toFixed(1)}" y="${H - m.b + 16}" text-anchor="${i === 4 ? 'end' : 'middle'}">${Math.round(xv)}</text>`,
    );
  }
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">env steps</text>`);
  parts.push(`<text x="14" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(m.t + H - m.b) / 2})">${escapeHtml(options.yLabel ?? 'eval return')}</text>`);
  series.forEach((c, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const upper = c.band.map((p) => `${px(p.step).toFixed(1)},${py(p.high).toFixed(1)}`);
    const lower = [...c.band].reverse().map((p) => `${px(p.step).toFixed(1)},${py(p.low).toFixed(1)}`);
    parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.18" stroke="none"/>`);
    parts.push(
      `<polyline points="${c.band.map((p) => `${px(p.step).toFixed(1)},${py(p.mean).toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    const ly = H + 12 + 18 * i;
    parts.push(`<rect x="${m.l}" y="${ly - 9}" width="14" height="10" fill="${color}"/>`);
    parts.push(`<text x="${m.l + 20}" y="${ly}">${escapeHtml(`${c.label} (${c.configHash}, ${c.seeds} seeds)`)}</text>`);
  });
  if (refPoints.length > 0) {
    const diamond = (x: number, y: number) => `${x},${y - 5} ${x + 5},${y} ${x},${y + 5} ${x - 5},${y}`;
    for (const [s, v] of refPoints) {
      parts.push(`<polygon points="${diamond(Number(px(s).toFixed(1)), Number(py(v).toFixed(1)))}" fill="#000"><title>${escapeHtml(`${options.points!.label}: ${v} at ${s}`)}</title></polygon>`);
    }
    const ly = H + 12 + 18 * series.length;
    parts.push(`<polygon points="${diamond(m.l + 7, ly - 4)}" fill="#000"/>`);
    parts.push(`<text x="${m.l + 20}" y="${ly}">${escapeHtml(options.points!.label)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function htmlTable(header: string[], rows: string[][]): string {
  const cell = (s: string) => escapeHtml(s).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
  return [
    '<table>',
    `<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

export function renderHtml(data: ReportData): string {
  const c = data.counts;
  const body: string[] = [
    `<h1>${escapeHtml(data.title)}</h1>`,
    `<p>${c.total} runs: ${c.done} done, ${c.failed} failed, ${c.unfinished} unfinished.</p>`,
  ];
  for (const env of data.envs) {
    body.push(`<h2>${escapeHtml(env)}</h2>`, htmlTable(ENV_TABLE_HEADER, envTable(data, env)));
    body.push(curvesSvg(data.configs.filter((x) => x.env === env), `${env}: evaluation return (mean and 95% band over seeds)`));
    const training = trainingTable(data, env);
    if (training.length > 0) {
      body.push(`<h3>Training return (mean of the last 100 training episodes)</h3>`, htmlTable(trainingHeader(data), training));
      const paper = data.paper[env];
      body.push(
        curvesSvg(data.configs.filter((x) => x.env === env), `${env}: training return (recentReturn; mean and 95% band over seeds)`, {
          band: (x) => x.trainBand,
          yLabel: 'training return (last 100 episodes)',
          points: paper ? { points: paper.points, label: 'Young & Tian 2019, DQN (training return, 30 runs)' } : undefined,
        }),
      );
      const text = paperText(data, env);
      if (text) body.push(`<p>${escapeHtml(text)}</p>`);
    }
  }
  if (data.overall.length > 0) {
    body.push('<h2>Normalised score across games</h2>');
    body.push(
      htmlTable(
        ['rank', 'config', 'mean normalised final return', ...data.envs],
        data.overall.map((o, i) => [String(i + 1), o.label, fmt(o.score, 3), ...data.envs.map((e) => fmt(o.perEnv[e], 3))]),
      ),
    );
  }
  if (data.failures.length > 0) {
    body.push('<h2>Failed runs</h2><ul>');
    for (const f of data.failures) body.push(`<li><code>${escapeHtml(f.key)}</code>: ${escapeHtml(f.error.split('\n')[0] ?? '')}</li>`);
    body.push('</ul>');
  }
  body.push('<h2>Notes</h2><ul>', ...NOTES.map((n) => `<li>${escapeHtml(n)}</li>`), '</ul>');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(data.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
th { background: #f3f3f3; }
svg { display: block; margin: 0.5em 0 1.5em; }
</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

/** summarizeRows with each run's training curve read from its directory under DIR. */
export function summarizeSweepDir(outDir: string, sweep: Sweep, rows: readonly RunRow[]): ReportData {
  const trainingCurves = new Map<string, Curve>();
  for (const r of rows) {
    const curve = readTrainingCurve(isAbsolute(r.runDir) ? r.runDir : join(outDir, r.runDir));
    if (curve.length > 0) trainingCurves.set(r.key, curve);
  }
  return summarizeRows(sweep, rows, trainingCurves);
}

/** Write DIR/report.md and DIR/report.html; returns the path of report.md. */
export function writeReport(outDir: string, sweep: Sweep, rows: readonly RunRow[]): string {
  const data = summarizeSweepDir(outDir, sweep, rows);
  const md = join(outDir, 'report.md');
  atomicWriteFile(md, renderMarkdown(data));
  atomicWriteFile(join(outDir, 'report.html'), renderHtml(data));
  return md;
}
