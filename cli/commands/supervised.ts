import type { Command } from 'commander';

// Placeholder until the `supervised` command lands; its owner replaces this file.
export function registerSupervised(program: Command): void {
  void program;
}
