/**
 * Train DQN on CartPole from a script, then evaluate the trained agent greedily.
 * Run: npx tsx examples/train-cartpole.ts [steps]   (default 50,000: a few minutes on a CPU)
 */
import { train } from '../agents/dqn';

const steps = Number(process.argv[2] ?? 50_000);
const result = await train(
  { env: 'CartPole-v1', preset: 'cartpole', steps, seed: 0 },
  {
    onEval: (e) => console.log(`step ${e.step}: greedy return ${e.meanReturn.toFixed(1)} ± ${e.stdReturn.toFixed(1)}`),
    onLog: (l) => console.log(`step ${l.step}: loss ${l.loss?.toFixed(4) ?? '–'}, ε ${l.epsilon.toFixed(3)}, ${l.sps} steps/s`),
  },
);
const fe = result.finalEval!;
console.log(`final greedy evaluation over ${fe.episodes} episodes: ${fe.meanReturn.toFixed(1)} ± ${fe.stdReturn.toFixed(1)} (${result.backend}, ${result.wallSeconds.toFixed(1)} s)`);
