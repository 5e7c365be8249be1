import type { Command } from 'commander';

// Placeholder until the `worker` command lands; its owner replaces this file.
export function registerWorker(program: Command): void {
  void program;
}
