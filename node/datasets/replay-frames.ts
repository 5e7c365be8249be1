/**
 * A dataset of game screens from a run's recorded replays (`<run>/replays/*.json`, format in
 * agents/recording/replay-format.ts), so a GAN can learn to generate game frames.
 *
 * MinAtar frames become 10×10×C images (a channel is +1 where its cell is on, −1 elsewhere), or,
 * with `rgb`, 10×10×3 renderings with one colour per channel (scaled to [−1, 1]).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { replaySchema, type ReplayFile } from '../../agents/recording/replay-format';
import { channelPalette } from './palette';
import type { ClassificationDataset } from '../../supervised/datasets/types';

export interface ReplayFramesOptions {
  /** Render each frame to RGB instead of keeping the C binary channels. */
  rgb?: boolean;
  /** Stop after this many frames (default: all). */
  limit?: number;
}

export interface ReplayFramesDataset extends ClassificationDataset {
  /** Channel names of the game (MinAtar), in observation order. */
  readonly channels: readonly string[];
  readonly game: string;
  readonly rgb: boolean;
}

type MinatarFrame = Extract<ReplayFile['finalFrame'], { family: 'minatar' }>;

export function loadReplayFrames(dir: string, opts: ReplayFramesOptions = {}): ReplayFramesDataset {
  const replayDir = statSafe(join(dir, 'replays')) ? join(dir, 'replays') : dir;
  if (!statSafe(replayDir)) throw new Error(`replay directory not found: ${dir}`);
  const files = readdirSync(replayDir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no replay files (*.json) in ${replayDir}`);
  const frames: MinatarFrame[] = [];
  const limit = opts.limit ?? Infinity;
  for (const f of files) {
    const parsed = replaySchema.safeParse(JSON.parse(readFileSync(join(replayDir, f), 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${join(replayDir, f)} is not a valid replay: ${issue.path.join('.')}: ${issue.message}`);
    }
    for (const frame of [...parsed.data.steps.map((s) => s.frame), parsed.data.finalFrame]) {
      if (frame.family !== 'minatar') {
        throw new Error(`${f}: frames of family "${frame.family}" are not images; replays:DIR needs a MinAtar run`);
      }
      frames.push(frame);
      if (frames.length >= limit) break;
    }
    if (frames.length >= limit) break;
  }
  const first = frames[0];
  const { height: h, width: w, channels } = first;
  const c = channels.length;
  const rgb = opts.rgb ?? false;
  const depth = rgb ? 3 : c;
  const x = new Float32Array(frames.length * h * w * depth).fill(-1);
  const palette = channelPalette(c);
  frames.forEach((fr, i) => {
    if (fr.height !== h || fr.width !== w || fr.channels.length !== c) {
      throw new Error(`replay frames differ in shape (${fr.game} ${fr.height}×${fr.width}×${fr.channels.length} vs ${h}×${w}×${c}); use one game per directory`);
    }
    const base = i * h * w * depth;
    for (const flat of fr.on) {
      const ch = flat % c;
      const cell = (flat - ch) / c;
      if (rgb) {
        // Later channels paint over earlier ones, as the viewer does.
        for (let k = 0; k < 3; k++) x[base + cell * 3 + k] = (palette[ch][k] / 255) * 2 - 1;
      } else {
        x[base + cell * c + ch] = 1;
      }
    }
  });
  return {
    task: 'classification',
    size: frames.length,
    sampleShape: [h, w, depth],
    x,
    labels: new Int32Array(frames.length),
    numClasses: 1,
    channels,
    game: first.game,
    rgb,
  };
}

function statSafe(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
