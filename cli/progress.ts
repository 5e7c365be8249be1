/**
 * Training progress for the terminal, as a training callback: a cli-progress bar (steps/s, recent
 * return, ε, loss) on a TTY; plain log lines (one per metrics 'train'/'eval' line) when stdout is
 * not a TTY or CI is set.
 */
import cliProgress from 'cli-progress';
import { BaseCallback, type StepContext } from '../agents/dqn/callbacks';
import type { TrainEvent } from '../agents/dqn/events';
import type { UpdateResult } from '../agents/dqn/learner';

const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
/** Redraw the bar every this many env steps. */
const REDRAW_STEPS = 256;

export class TrainProgress extends BaseCallback {
  private readonly tty: boolean;
  private readonly log: (line: string) => void;
  private bar: cliProgress.SingleBar | null = null;
  private loss: number | null = null;
  private startStep = 0;
  private startTime = 0;

  constructor(readonly totalSteps: number, options: { tty?: boolean; log?: (line: string) => void } = {}) {
    super();
    this.tty = options.tty ?? (Boolean(process.stdout.isTTY) && !process.env.CI);
    this.log = options.log ?? ((line: string) => console.log(line));
  }

  onUpdate(r: UpdateResult): void {
    this.loss = r.loss;
  }

  onStep(s: StepContext): void {
    if (!this.bar || s.step % REDRAW_STEPS !== 0) return;
    const seconds = (performance.now() - this.startTime) / 1000;
    const sps = seconds > 0 ? (s.step - this.startStep) / seconds : 0;
    this.bar.update(s.step, { sps: Math.round(sps), ret: fmt(this.trainer.recentReturn), eps: s.epsilon.toFixed(3), loss: fmt(this.loss, 4) });
  }

  onEvent(e: TrainEvent): void {
    if (e.type === 'start') {
      this.startStep = e.step;
      this.startTime = performance.now();
      if (this.tty) {
        this.bar = new cliProgress.SingleBar(
          { format: '{bar} {percentage}% | {value}/{total} steps | ETA {eta_formatted} | {sps} steps/s | return {ret} | ε {eps} | loss {loss}', hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(this.totalSteps, e.step, { sps: '–', ret: '–', eps: '–', loss: '–' });
      }
    } else if (e.type === 'train' && !this.tty) {
      this.log(`step ${e.step}/${this.totalSteps}  ${e.sps} steps/s  return ${fmt(this.trainer.recentReturn)}  ε ${e.epsilon.toFixed(3)}  loss ${fmt(e.loss, 4)}`);
    } else if (e.type === 'eval') {
      if (this.bar) process.stdout.write(`\neval @ ${e.step}: mean return ${fmt(e.meanReturn)} ± ${fmt(e.stdReturn)}\n`);
      else this.log(`eval @ ${e.step}: mean return ${fmt(e.meanReturn)} ± ${fmt(e.stdReturn)} over ${e.episodes} episodes`);
    } else if (e.type === 'checkpoint' && e.reason === 'interrupt' && !this.tty) {
      this.log(`interrupted at step ${e.step}: checkpoint written`);
    } else if (e.type === 'end') {
      this.stop();
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

export function createTrainProgress(totalSteps: number, options: { tty?: boolean; log?: (line: string) => void } = {}): TrainProgress {
  return new TrainProgress(totalSteps, options);
}
