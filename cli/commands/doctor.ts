import type { Command } from 'commander';

// Placeholder until the `doctor` command lands; its owner replaces this file.
export function registerDoctor(program: Command): void {
  void program;
}
