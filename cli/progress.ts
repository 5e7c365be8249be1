/**
 * Training progress for the terminal: a cli-progress bar (steps/s, recent return, ε, loss) on a
 * TTY; plain log lines (one per metrics 'train'/'eval' line) when stdout is not a TTY or CI is set.
 */
import cliProgress from 'cli-progress';
import type { TrainEvent } from '../agents/dqn/loop';

export interface TrainProgress {
  onEvent(e: TrainEvent): void;
  stop(): void;
}

const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

export function createTrainProgress(totalSteps: number, options: { tty?: boolean; log?: (line: string) => void } = {}): TrainProgress {
  const tty = options.tty ?? (Boolean(process.stdout.isTTY) && !process.env.CI);
  const log = options.log ?? ((line: string) => console.log(line));
  let recentReturn: number | null = null;
  let loss: number | null = null;
  if (!tty) {
    return {
      onEvent(e) {
        if (e.type === 'train') {
          log(`step ${e.step}/${totalSteps}  ${e.sps} steps/s  return ${fmt(recentReturn)}  ε ${e.epsilon.toFixed(3)}  loss ${fmt(e.loss, 4)}`);
        } else if (e.type === 'eval') {
          log(`eval @ ${e.step}: mean return ${fmt(e.meanReturn)} ± ${fmt(e.stdReturn)} over ${e.episodes} episodes`);
        } else if (e.type === 'progress') {
          recentReturn = e.recentReturn;
        } else if (e.type === 'checkpoint' && e.reason === 'interrupt') {
          log(`interrupted at step ${e.step}: checkpoint written`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: '{bar} {percentage}% | {value}/{total} steps | {sps} steps/s | return {ret} | ε {eps} | loss {loss}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalSteps, 0, { sps: '–', ret: '–', eps: '–', loss: '–' });
  return {
    onEvent(e) {
      if (e.type === 'progress') {
        recentReturn = e.recentReturn;
        loss = e.loss;
        bar.update(e.step, { sps: Math.round(e.sps), ret: fmt(recentReturn), eps: e.epsilon.toFixed(3), loss: fmt(loss, 4) });
      } else if (e.type === 'eval') {
        bar.update(e.step, {});
        process.stdout.write(`\neval @ ${e.step}: mean return ${fmt(e.meanReturn)} ± ${fmt(e.stdReturn)}\n`);
      }
    },
    stop() {
      bar.stop();
    },
  };
}
