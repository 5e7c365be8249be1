// Bootstrap of a sweep worker thread: register tsx's TypeScript loader in this thread (loader
// hooks are per thread, so `execArgv: ['--import', 'tsx']` is not enough for the entry file on
// Node 20), then load the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./worker-entry.ts', import.meta.url).href);
