#!/usr/bin/env node
// The `keiko` command. In a checkout (cli/main.ts present) it runs the TypeScript sources through
// tsx, so there is no build step and edits take effect at once; an installed package ships no
// sources and runs the compiled dist/ (`npm run build`, run by `npm pack`), without tsx.
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);
let entry = compiled;
if (existsSync(source) || !existsSync(compiled)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = source;
}
const { main } = await import(entry.href);
await main(process.argv);
