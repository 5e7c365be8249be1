import type { Command } from 'commander';

// Placeholder until the `bench` command lands; its owner replaces this file.
export function registerBench(program: Command): void {
  void program;
}
