/**
 * A custom callback: stop CartPole training as soon as a periodic greedy evaluation reaches a
 * reward threshold, and count the episodes seen on the way.
 * Run: npx tsx examples/stop-at-threshold.ts [threshold]   (default 200)
 */
import { BaseCallback, train, type TrainEvent } from '../agents/dqn';

class StopWhenGoodEnough extends BaseCallback {
  episodes = 0;

  constructor(readonly threshold: number) {
    super();
  }

  onEvent(e: TrainEvent): void {
    if (e.type === 'episode') this.episodes++;
    if (e.type === 'eval') {
      console.log(`step ${e.step}: greedy return ${e.meanReturn.toFixed(1)}`);
      if (e.meanReturn >= this.threshold) this.trainer.requestStop(`reached ${this.threshold}`);
    }
  }
}

const threshold = Number(process.argv[2] ?? 200);
const stopper = new StopWhenGoodEnough(threshold);
const result = await train({ env: 'CartPole-v1', preset: 'cartpole', evalInterval: 2_500, seed: 0 }, { callbacks: [stopper] });
console.log(
  result.stoppedBy
    ? `stopped at step ${result.steps} after ${stopper.episodes} episodes (${result.stoppedBy}); final greedy return ${result.finalEval!.meanReturn.toFixed(1)}`
    : `never reached ${threshold} in ${result.steps} steps`,
);
result.agent.dispose();
process.exitCode = result.stoppedBy ? 0 : 1;
