/**
 * Read what a finished run measured from its run directory (docs/run-directory.md): the eval
 * lines of metrics.jsonl give the curve, AUC and steps to threshold; summary.json gives the final
 * evaluation, wall time and throughput.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from './store';
import { curveAuc, stepsToThreshold, type Curve } from './stats';

interface SummaryJson {
  finalEval?: { meanReturn?: number; stdReturn?: number } | null;
  bestEval?: { meanReturn?: number } | null;
  wallSeconds?: number;
  sps?: number;
}

/** The evaluation curve from metrics.jsonl (a trailing partial line is ignored; later duplicates of a step win). */
export function readEvalCurve(runDir: string): Curve {
  const path = join(runDir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const byStep = new Map<number, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let obj: { type?: string; step?: number; meanReturn?: number };
    try {
      obj = JSON.parse(line);
    } catch {
      continue; // partial last line of a killed run
    }
    if (obj.type === 'eval' && typeof obj.step === 'number' && typeof obj.meanReturn === 'number') {
      byStep.set(obj.step, obj.meanReturn);
    }
  }
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]);
}

export function readSummary(runDir: string): SummaryJson | null {
  const path = join(runDir, 'summary.json');
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as SummaryJson;
}

/**
 * Summarise a finished run. `summary` is what runTraining returned (preferred) or null to read
 * summary.json; `measuredSeconds` is the wall time the sweep saw, used when the summary has none.
 */
export function summarizeRunDir(
  runDir: string,
  threshold: number | null,
  summary: SummaryJson | null,
  measuredSeconds: number,
): RunResult {
  const s = summary ?? readSummary(runDir) ?? {};
  const curve = readEvalCurve(runDir);
  const last = curve.length > 0 ? curve[curve.length - 1]![1] : null;
  const finalMean = num(s.finalEval?.meanReturn) ?? last;
  const best = curve.length > 0 ? Math.max(...curve.map(([, v]) => v)) : null;
  return {
    finalMean,
    finalStd: num(s.finalEval?.stdReturn),
    bestMean: num(s.bestEval?.meanReturn) ?? best,
    auc: curveAuc(curve),
    stepsToThreshold: stepsToThreshold(curve, threshold),
    wallSeconds: num(s.wallSeconds) ?? measuredSeconds,
    sps: num(s.sps),
    curve,
  };
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
