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
import { registerEval } from './commands/eval';
import { registerEnjoy } from './commands/enjoy';
import { RunFailure, UserError } from './errors';
import { registerNodeBackendLoader } from '../node/backend-node';
import { BackendError } from '../src/backend';

export function buildProgram(): Command {
  const program = new Command('keiko')
    .description('Keiko (稽古): deep reinforcement learning on TensorFlow.js')
    .version('0.1.0')
    // One line (with commander's "did you mean") and a pointer, not the whole help.
    .showHelpAfterError("(add --help for the command's flags)")
    // Errors become exceptions, so main() picks the exit code (subcommands inherit this).
    .exitOverride();
  for (const register of [registerDoctor, registerTrain, registerView, registerBench, registerWorker, registerSupervised, registerGan, registerEval, registerEnjoy]) {
    register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // Lets initBackend('auto') find tfjs-node(-gpu) when installed (src/ stays browser-safe).
  registerNodeBackendLoader();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    if (err instanceof UserError || err instanceof BackendError) {
      // Expected, explained failures (bad config, missing file): the message, not a stack trace.
      console.error(`keiko: ${err.message}`);
      process.exit(2);
    }
    if (err instanceof RunFailure) {
      console.error(`keiko: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
