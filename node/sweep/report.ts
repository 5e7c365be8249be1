/**
 * The sweep report: DIR/report.md and DIR/report.html (same tables, plus inline-SVG learning
 * curves in the HTML). Everything comes from the results store rows, so a report can be rebuilt
 * from results.db alone (e.g. when runs were executed on other machines).
 */
import { join } from 'node:path';
import { atomicWriteFile } from '../atomic';
import { normalisedScore, referenceFor, type EnvReference } from './references';
import type { Sweep } from './schema';
import { curveBand, mean, meanCi, type MeanCi } from './stats';
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
}

function nums(xs: (number | null)[]): number[] {
  return xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
}

export function summarizeRows(sweep: Sweep, rows: readonly RunRow[]): ReportData {
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
  };
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

/** Learning curves of one env: mean evaluation return per config with its 95% band over seeds. */
export function curvesSvg(configs: readonly ConfigSummary[], title: string): string {
  const W = 720;
  const H = 320;
  const m = { l: 60, r: 16, t: 28, b: 40 };
  const series = configs.filter((c) => c.band.length > 0);
  if (series.length === 0) return `<p>No evaluation curves for ${escapeHtml(title)}.</p>`;
  const xs = series.flatMap((c) => c.band.map((p) => p.step));
  const ys = series.flatMap((c) => c.band.flatMap((p) => [p.low, p.high]));
  const x0 = Math.min(0, ...xs);
  const x1 = Math.max(...xs) || 1;
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (y1 - y0 < 1e-9) {
    y0 -= 1;
    y1 += 1;
  }
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 18 * series.length}" viewBox="0 0 ${W} ${H + 18 * series.length}" font-family="sans-serif" font-size="11">`,
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
      `<text x="${px(xv).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${Math.round(xv)}</text>`,
    );
  }
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">env steps</text>`);
  parts.push(`<text x="14" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(m.t + H - m.b) / 2})">eval return</text>`);
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

/** Write DIR/report.md and DIR/report.html; returns the path of report.md. */
export function writeReport(outDir: string, sweep: Sweep, rows: readonly RunRow[]): string {
  const data = summarizeRows(sweep, rows);
  const md = join(outDir, 'report.md');
  atomicWriteFile(md, renderMarkdown(data));
  atomicWriteFile(join(outDir, 'report.html'), renderHtml(data));
  return md;
}
