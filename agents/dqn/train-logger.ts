/**
 * Metric logging as a listener: every `logInterval` env steps it emits a 'train' line with the
 * mean loss and mean Q of the updates since the previous line, ε, the mean return of the last
 * 100 training episodes, steps/s and the run's wall-clock seconds.
 */
import { z } from 'zod';
import { BaseCallback, type StepContext } from './callbacks';
import type { UpdateResult } from './learner';
import { parseState, type PartState } from './state';

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class TrainLogger extends BaseCallback {
  readonly stateKey = 'logger';
  private lossSum = 0;
  private qSum = 0;
  private count = 0;
  private lastTime = now();
  private lastStep = -1;

  constructor(readonly every: number) {
    super();
  }

  onUpdate(r: UpdateResult): void {
    this.lossSum += r.loss;
    this.qSum += r.qMean;
    this.count++;
  }

  onStep(s: StepContext): void {
    if (s.step % this.every !== 0) return;
    const t = now();
    // After a resume the first interval has no start time: report its rate from the line's own span.
    const sps = this.lastStep >= 0 && t > this.lastTime ? ((s.step - this.lastStep) * 1000) / (t - this.lastTime) : 0;
    const line = {
      type: 'train' as const,
      step: s.step,
      loss: this.count ? this.lossSum / this.count : null,
      qMean: this.count ? this.qSum / this.count : null,
      epsilon: s.epsilon,
      recentReturn: this.trainer.recentReturn,
      sps: Math.round(sps),
      wallSeconds: Math.round(this.trainer.wallSeconds() * 100) / 100,
    };
    this.lossSum = this.qSum = this.count = 0;
    this.lastTime = t;
    this.lastStep = s.step;
    void this.trainer.emit(line);
  }

  exportState(): PartState {
    return { json: { lossSum: this.lossSum, qSum: this.qSum, count: this.count }, arrays: {} };
  }

  importState(state: PartState): void {
    const j = parseState(z.object({ lossSum: z.number(), qSum: z.number(), count: z.number().int().nonnegative() }), state.json);
    this.lossSum = j.lossSum;
    this.qSum = j.qSum;
    this.count = j.count;
  }
}
