/**
 * `keiko enjoy RUN_DIR` (named after rl-zoo's enjoy): play one greedy (ε = evalEpsilon) episode
 * with the run's trained agent, record it into RUN_DIR/replays/, and serve the viewer on it
 * (127.0.0.1, the server of `keiko view`), opening a browser when one is available.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { buildViewer } from '../../viewer/build';
import { DEFAULT_VIEWER_HOST, DEFAULT_VIEWER_PORT, startViewerServer, type ViewerServer } from '../../viewer/server';
import { RUN_FILES } from '../../node/run-dir';
import { UserError } from '../errors';
import { commandReplayName, openRunAgent, parseCount, parseModel } from './eval';

export interface EnjoyHooks {
  /** Stop serving when this aborts (default: on SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Called once the viewer serves the episode. */
  onServing?: (info: { url: string; replay: string; viewer: ViewerServer }) => void;
}

/** The command that opens a URL here, or null when there is no browser to open (no display, no opener). */
export function browserOpener(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'darwin') return 'open';
  if (platform === 'win32') return 'explorer';
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null;
  const onPath = (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'xdg-open')));
  return onPath ? 'xdg-open' : null;
}

function openBrowser(opener: string, url: string): void {
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => console.log(`keiko enjoy: could not open a browser (${opener}); open ${url} yourself.`));
    child.unref();
  } catch {
    console.log(`keiko enjoy: could not open a browser; open ${url} yourself.`);
  }
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolveStop) => {
    if (signal) {
      if (signal.aborted) resolveStop();
      else signal.addEventListener('abort', () => resolveStop(), { once: true });
      return;
    }
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function registerEnjoy(program: Command, hooks: EnjoyHooks = {}): void {
  program
    .command('enjoy')
    .description("Watch a trained run's agent play one greedy episode in the viewer")
    .argument('<run-dir>', 'a run directory written by keiko train')
    .option('--model <which>', 'final or best', 'final')
    .option('--seed <seed>', "seed of the episode (default: the run's seed)")
    .option('-p, --port <port>', `viewer port (default ${DEFAULT_VIEWER_PORT}; 0 = any free port)`)
    .option('--no-open', 'do not open a browser')
    .option('--backend <name>', 'auto, tensorflow-gpu, tensorflow, wasm or cpu (default auto, or KEIKO_BACKEND)')
    .action(async (path: string, opts: { model?: string; seed?: string; port?: string; open: boolean; backend?: string }) => {
      const model = parseModel(opts.model);
      const seedArg = parseCount(opts.seed, '--seed', -1, 0);
      const port = parseCount(opts.port, '--port', DEFAULT_VIEWER_PORT, 0);
      if (port > 65535) throw new UserError(`--port must be an integer from 0 to 65535 (0 = any free port), got ${port}`);
      const run = await openRunAgent(path, model, opts.backend, 'enjoy');
      const seed = seedArg >= 0 ? seedArg : run.config.seed;
      let replayPath: string;
      try {
        const r = run.agent.evaluate(run.env, 1, { seed, stream: 'enjoy', epsilon: run.config.evalEpsilon, record: true, trainingStep: run.step });
        const name = commandReplayName('enjoy', run.step, model, seed);
        run.runDir.writeReplay(name, r.replay);
        replayPath = join(path, RUN_FILES.replays, name);
        console.log(`keiko enjoy: ${run.config.env}, ${model} model (step ${run.step}): return ${r.meanReturn} in ${r.replay?.length ?? 0} steps (ε = ${run.config.evalEpsilon}, seed ${seed}) → ${replayPath}`);
      } finally {
        run.dispose();
      }
      const build = await buildViewer({ log: (line) => console.log(line) });
      if (build.built) console.log(`keiko enjoy: built the viewer in ${(build.ms / 1000).toFixed(1)} s`);
      let viewer: ViewerServer;
      try {
        viewer = await startViewerServer({ target: replayPath, port, host: DEFAULT_VIEWER_HOST });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') throw new UserError(`port ${port} is in use: pass --port <another> (or --port 0 for any free port)`);
        if (e.code === undefined) throw new UserError(`keiko enjoy ${path}: ${e.message}`);
        throw err;
      }
      console.log(`keiko enjoy: open ${viewer.url}   (Ctrl+C to stop)`);
      if (opts.open) {
        const opener = browserOpener();
        if (opener) openBrowser(opener, viewer.url);
        else console.log('keiko enjoy: no browser found here (no display); open the URL yourself.');
      }
      hooks.onServing?.({ url: viewer.url, replay: replayPath, viewer });
      await waitForStop(hooks.signal);
      await viewer.close();
    });
}
