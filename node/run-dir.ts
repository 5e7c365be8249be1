/**
 * The run-directory writer (docs/run-directory.md): config.json, metrics.jsonl (append-only,
 * one complete line per write), summary.json, replays/*.json. JSON files are written atomically.
 */
import { appendFileSync, existsSync, mkdirSync, openSync, closeSync, statSync, truncateSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteJson } from './atomic';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  resumes: 'resumes.jsonl',
  checkpoints: 'checkpoints',
  latest: join('checkpoints', 'latest'),
  best: join('checkpoints', 'best'),
  replays: 'replays',
} as const;

export class RunDir {
  readonly metricsPath: string;
  /** Bytes in metrics.jsonl (recorded in checkpoints so a resume can drop lines written after). */
  metricsBytes = 0;

  constructor(readonly dir: string) {
    this.metricsPath = join(dir, RUN_FILES.metrics);
  }

  /** Whether the directory already holds a run (config.json or metrics.jsonl). */
  hasRun(): boolean {
    return existsSync(join(this.dir, RUN_FILES.config)) || existsSync(this.metricsPath);
  }

  /** Start a fresh run directory (metrics.jsonl empty). */
  create(config: unknown): void {
    mkdirSync(join(this.dir, RUN_FILES.replays), { recursive: true });
    mkdirSync(join(this.dir, RUN_FILES.checkpoints), { recursive: true });
    atomicWriteJson(join(this.dir, RUN_FILES.config), config);
    closeSync(openSync(this.metricsPath, 'w'));
    this.metricsBytes = 0;
  }

  /**
   * Start a fresh run directory for a run without checkpoints or replays (supervised, GAN):
   * config.json, an empty metrics.jsonl and the given subdirectories. A run already there is
   * overwritten, file by file.
   */
  createWith(config: unknown, subdirs: readonly string[] = []): void {
    for (const d of ['', ...subdirs]) mkdirSync(join(this.dir, d), { recursive: true });
    atomicWriteJson(join(this.dir, RUN_FILES.config), config);
    closeSync(openSync(this.metricsPath, 'w'));
    this.metricsBytes = 0;
  }

  /** Continue a run: drop metrics lines written after the checkpoint being resumed. */
  reopen(metricsBytes: number): void {
    mkdirSync(join(this.dir, RUN_FILES.replays), { recursive: true });
    if (!existsSync(this.metricsPath)) closeSync(openSync(this.metricsPath, 'w'));
    if (statSync(this.metricsPath).size > metricsBytes) truncateSync(this.metricsPath, metricsBytes);
    this.metricsBytes = statSync(this.metricsPath).size;
  }

  /** Replace config.json (a resume that raised `steps` or overrode keys). */
  writeConfig(config: unknown): void {
    atomicWriteJson(join(this.dir, RUN_FILES.config), config);
  }

  /** Append one line to resumes.jsonl: when a resume changed the config, and how. */
  recordResume(entry: object): void {
    appendFileSync(join(this.dir, RUN_FILES.resumes), JSON.stringify(entry) + '\n');
  }

  readConfig(): unknown {
    return JSON.parse(readFileSync(join(this.dir, RUN_FILES.config), 'utf8'));
  }

  appendMetric(line: object): void {
    const text = JSON.stringify(line) + '\n';
    appendFileSync(this.metricsPath, text);
    this.metricsBytes += Buffer.byteLength(text);
  }

  writeReplay(name: string, file: unknown): void {
    atomicWriteJson(join(this.dir, RUN_FILES.replays, name), file);
  }

  writeSummary(summary: unknown): void {
    atomicWriteJson(join(this.dir, RUN_FILES.summary), summary);
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }
}
