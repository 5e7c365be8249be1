/**
 * Your own env, end to end from a script: the "walk to the goal" env of custom-env-module.ts
 * (written against the public Env interface, registered as MyWalk-v0 when the module is
 * imported), checked with checkEnv, trained with train(), and compared with a random policy.
 * Run: npx tsx examples/custom-env.ts [steps]   (default 4,000: a few seconds on a CPU)
 */
import './custom-env-module';
import { checkEnv, make } from '../envs/index';
import { train } from '../agents/dqn';
import { Random } from '../src/random';

// 1. Check the env against Keiko's env API: throws one error listing every problem.
checkEnv('MyWalk-v0');
console.log('checkEnv: MyWalk-v0 follows the env API');

// 2. What a random policy scores (100 episodes).
function randomReturn(episodes: number): number {
  const env = make('MyWalk-v0');
  const rng = new Random(1);
  let total = 0;
  for (let ep = 0; ep < episodes; ep++) {
    env.reset({ seed: 1000 + ep });
    for (;;) {
      const r = env.step(rng.integer(0, env.actionSpace.n));
      total += r.reward;
      if (r.terminated || r.truncated) break;
    }
  }
  env.close();
  return total / episodes;
}
const random = randomReturn(100);
console.log(`random policy: mean return ${random.toFixed(2)} over 100 episodes`);

// 3. Train DQN on it: a small net and a short schedule suit a 10-cell corridor.
const steps = Number(process.argv[2] ?? 4_000);
const result = await train(
  {
    env: 'MyWalk-v0',
    steps,
    seed: 0,
    network: [{ type: 'dense', units: 32, activation: 'relu' }],
    learningRate: 1e-3,
    gamma: 0.95,
    batchSize: 32,
    bufferSize: 10_000,
    learningStarts: 500,
    trainFrequency: 1,
    targetUpdateInterval: 200,
    epsilonDecaySteps: Math.floor(steps / 2),
    epsilonEnd: 0.05,
    evalEpsilon: 0,
    evalInterval: 1_000,
    evalEpisodes: 10,
    finalEvalEpisodes: 20,
  },
  {
    callbacks: [
      {
        onEvent: (e) => {
          if (e.type === 'eval') console.log(`step ${e.step}: greedy return ${e.meanReturn.toFixed(2)}`);
        },
      },
    ],
  },
);
const fe = result.finalEval!;
console.log(`greedy return ${fe.meanReturn.toFixed(2)} ± ${fe.stdReturn.toFixed(2)} over ${fe.episodes} episodes (random ${random.toFixed(2)}; ${result.wallSeconds.toFixed(1)} s, ${result.backend})`);
result.agent.dispose();
