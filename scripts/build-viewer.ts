// Builds the viewer app into viewer/dist (esbuild). Run: npx tsx scripts/build-viewer.ts [--force]
import { buildViewer } from '../viewer/build';

const result = await buildViewer({ force: process.argv.includes('--force'), log: console.log });
console.log(result.built ? `built ${result.distDir} (${(result.bytes / 1024).toFixed(0)} KiB, ${result.ms.toFixed(0)} ms)` : `${result.distDir} is up to date`);
