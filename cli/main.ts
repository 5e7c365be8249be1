/**
 * The `keiko` command line. Each command lives in its own module under cli/commands/ and
 * registers itself on the program; this file only wires them together.
 */
import { Command, CommanderError } from 'commander';
import { registerDoctor } from './commands/doctor';
import { registerTrain } from './commands/train';
import { registerView } from './commands/view';
import { registerBench } from './commands/bench';
import { registerWorker } from './commands/worker';
import { registerSupervised } from './commands/supervised';
import { registerGan } from './commands/gan';
import { UserError } from './errors';
import { registerNodeBackendLoader } from '../node/backend-node';
import { BackendError } from '../src/backend';

export function buildProgram(): Command {
  const program = new Command('keiko')
    .description('Keiko (稽古): deep reinforcement learning on TensorFlow.js')
    .version('0.1.0')
    .showHelpAfterError();
  for (const register of [registerDoctor, registerTrain, registerView, registerBench, registerWorker, registerSupervised, registerGan]) {
    register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // Lets initBackend('auto') find tfjs-node(-gpu) when installed (src/ stays browser-safe).
  registerNodeBackendLoader();
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (err instanceof UserError || err instanceof BackendError) {
      // Expected, explained failures (bad config, missing file): the message, not a stack trace.
      console.error(`keiko: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}
