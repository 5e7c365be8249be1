import type { RegisterFn } from '../core';

// Placeholder until the MinAtar games land: registers the MinAtar ids with the env registry.
export function registerMinAtar(register: RegisterFn): void {
  void register;
}
