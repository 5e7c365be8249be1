/**
 * `keiko view [PATH]`: serve the replay viewer for a run directory, a folder of runs (searched
 * recursively, e.g. a sweep) or a single replay file, on 127.0.0.1 unless told otherwise.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { buildViewer } from '../../viewer/build';
import { DEFAULT_VIEWER_HOST, DEFAULT_VIEWER_PORT, isLoopbackHost, startViewerServer } from '../../viewer/server';
import { UserError } from '../errors';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('--port must be an integer from 0 to 65535 (0 = any free port).');
  return port;
}

/** Open the URL in a browser when one exists; never fails the command. */
function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => console.log(`keiko view: could not open a browser (${opener} not found); open ${url} yourself.`));
    child.unref();
  } catch {
    console.log(`keiko view: could not open a browser; open ${url} yourself.`);
  }
}

/** The warning for a --host that is not loopback (the run files become readable from the network), or null. */
export function exposureWarning(host: string, root: string): string | null {
  if (isLoopbackHost(host)) return null;
  return `keiko view: warning: listening on ${host}, not loopback: other machines on the network can read the run files under ${root}`;
}

/** The lab page of a viewer server (viewer/lab.html). */
export function labUrl(viewerUrl: string): string {
  return new URL('lab.html', viewerUrl).href;
}

export function registerView(program: Command): void {
  program
    .command('view')
    .description('Watch recorded episodes and learning curves in the browser (a run dir, a folder of runs, or a replay file)')
    .argument('[path]', 'run directory, folder of runs (searched recursively) or replay .json file', 'runs')
    .option('-p, --port <port>', `port to listen on (0 = any free port)`, parsePort, DEFAULT_VIEWER_PORT)
    .option('--host <host>', 'address to bind (only loopback, e.g. 127.0.0.1, is private to this machine)', DEFAULT_VIEWER_HOST)
    .option('--open', 'open the viewer in a browser if one is available', false)
    .option('--lab', 'open the lab: train DQN in the browser (works without any runs)', false)
    .action(async (path: string, opts: { port: number; host: string; open: boolean; lab: boolean }) => {
      const build = await buildViewer({ log: (line) => console.log(line) });
      if (build.built) console.log(`keiko view: built the viewer in ${(build.ms / 1000).toFixed(1)} s`);
      let viewer;
      try {
        viewer = await startViewerServer({ target: path, port: opts.port, host: opts.host, allowMissingTarget: opts.lab });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') throw new UserError(`port ${opts.port} is in use: pass --port <another> (or --port 0 for any free port)`);
        if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new UserError(`cannot bind --host ${opts.host}: not an address of this machine`);
        if (e.code === undefined) throw new UserError(`keiko view ${path}: ${e.message}`);
        throw err;
      }
      const warning = exposureWarning(opts.host, viewer.target.root);
      if (warning) console.warn(warning);
      console.log(`keiko view: serving ${viewer.target.root} (${viewer.target.mode})`);
      const url = opts.lab ? labUrl(viewer.url) : viewer.url;
      if (opts.lab) console.log(`keiko view: the lab trains in the page; the replay viewer is at ${viewer.url}`);
      console.log(`keiko view: open ${url}   (Ctrl+C to stop)`);
      if (opts.open) openBrowser(url);
      await new Promise<void>((resolveStop) => {
        const stop = (): void => {
          void viewer.close().then(resolveStop);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
