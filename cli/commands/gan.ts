import type { Command } from 'commander';

// Placeholder until the `gan` command lands; its owner replaces this file.
export function registerGan(program: Command): void {
  void program;
}
