/**
 * Train DQN on CartPole from a script, printing evaluations and loss lines as they come, then
 * report the final greedy evaluation.
 * Run: npx tsx examples/train-cartpole.ts [steps]   (default 50,000: a few minutes on a CPU)
 */
import { train } from '../agents/dqn';

const steps = Number(process.argv[2] ?? 50_000);
const result = await train(
  { env: 'CartPole-v1', preset: 'cartpole', steps, seed: 0 },
  {
    callbacks: [
      {
        onEvent: (e) => {
          if (e.type === 'eval') console.log(`step ${e.step}: greedy return ${e.meanReturn.toFixed(1)} ± ${e.stdReturn.toFixed(1)}`);
          if (e.type === 'train') console.log(`step ${e.step}: loss ${e.loss?.toFixed(4) ?? '–'}, ε ${e.epsilon.toFixed(3)}, ${e.sps} steps/s`);
        },
      },
    ],
  },
);
const fe = result.finalEval!;
console.log(`final greedy evaluation over ${fe.episodes} episodes: ${fe.meanReturn.toFixed(1)} ± ${fe.stdReturn.toFixed(1)} (${result.backend}, ${result.wallSeconds.toFixed(1)} s)`);
result.agent.dispose();
