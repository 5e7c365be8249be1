import type { Command } from 'commander';

// Placeholder until the `view` command lands; its owner replaces this file.
export function registerView(program: Command): void {
  void program;
}
