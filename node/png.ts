/**
 * Sample grids as PNG files (pngjs), written atomically: n images of shape [h, w, c] tiled into a
 * grid. c = 1 is greyscale, c = 3 is RGB, any other c is drawn as binary game channels (a cell
 * takes the colour of its last channel above the midpoint).
 */
import { PNG } from 'pngjs';
import { atomicWriteFile } from './atomic';
import { channelPalette } from './datasets/palette';

export interface GridOptions {
  /** Columns of the grid (default ceil(sqrt(n))). */
  cols?: number;
  /** Value range mapped to 0..255 (default [−1, 1]). */
  range?: [number, number];
  /** Pixels of padding between tiles (default 1). */
  pad?: number;
  /** Integer upscaling of every pixel (default 1; use e.g. 8 for 10×10 game frames). */
  zoom?: number;
}

/** Encode a grid of images to PNG bytes. */
export function encodeImageGrid(images: Float32Array, shape: readonly number[], opts: GridOptions = {}): Buffer {
  const [h, w, c] = shape.length === 2 ? [shape[0], shape[1], 1] : shape;
  const per = h * w * c;
  if (images.length % per !== 0) throw new Error(`image data (${images.length} values) is not a multiple of ${h}×${w}×${c}`);
  const n = images.length / per;
  const cols = opts.cols ?? Math.max(1, Math.ceil(Math.sqrt(n)));
  const rows = Math.max(1, Math.ceil(n / cols));
  const pad = opts.pad ?? 1;
  const zoom = opts.zoom ?? 1;
  const [lo, hi] = opts.range ?? [-1, 1];
  const tileW = w * zoom;
  const tileH = h * zoom;
  const width = cols * tileW + (cols + 1) * pad;
  const height = rows * tileH + (rows + 1) * pad;
  const png = new PNG({ width, height });
  png.data.fill(40); // dark grey background between tiles
  for (let p = 3; p < png.data.length; p += 4) png.data[p] = 255;
  const palette = channelPalette(c);
  const mid = (lo + hi) / 2;
  const to8 = (v: number) => Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)));
  const rgb: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    const ox = pad + (k % cols) * (tileW + pad);
    const oy = pad + Math.floor(k / cols) * (tileH + pad);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = k * per + (y * w + x) * c;
        if (c === 1) rgb[0] = rgb[1] = rgb[2] = to8(images[o]);
        else if (c === 3) for (let j = 0; j < 3; j++) rgb[j] = to8(images[o + j]);
        else {
          rgb[0] = rgb[1] = rgb[2] = 0;
          for (let j = 0; j < c; j++) if (images[o + j] > mid) [rgb[0], rgb[1], rgb[2]] = palette[j];
        }
        for (let dy = 0; dy < zoom; dy++) {
          for (let dx = 0; dx < zoom; dx++) {
            const p = ((oy + y * zoom + dy) * width + ox + x * zoom + dx) * 4;
            png.data[p] = rgb[0];
            png.data[p + 1] = rgb[1];
            png.data[p + 2] = rgb[2];
          }
        }
      }
    }
  }
  return PNG.sync.write(png);
}

export function writeImageGrid(path: string, images: Float32Array, shape: readonly number[], opts: GridOptions = {}): void {
  atomicWriteFile(path, encodeImageGrid(images, shape, opts));
}

export interface ScatterOptions {
  /** Half-width of the square plotted, centred on 0 (default 3). */
  extent?: number;
  /** Image size in pixels (default 256). */
  size?: number;
}

/** A 2-D scatter plot (generated points in white, optional reference points in red) as a PNG. */
export function writeScatter(path: string, points: Float32Array, reference?: Float32Array, opts: ScatterOptions = {}): void {
  const { extent = 3, size = 256 } = opts;
  const png = new PNG({ width: size, height: size });
  png.data.fill(0);
  for (let p = 3; p < png.data.length; p += 4) png.data[p] = 255;
  const plot = (pts: Float32Array, color: [number, number, number]) => {
    for (let i = 0; i + 1 < pts.length; i += 2) {
      const px = Math.round(((pts[i] + extent) / (2 * extent)) * (size - 1));
      const py = Math.round(((extent - pts[i + 1]) / (2 * extent)) * (size - 1));
      if (px < 0 || py < 0 || px >= size || py >= size) continue;
      const o = (py * size + px) * 4;
      png.data[o] = color[0];
      png.data[o + 1] = color[1];
      png.data[o + 2] = color[2];
    }
  };
  if (reference) plot(reference, [220, 40, 40]);
  plot(points, [255, 255, 255]);
  atomicWriteFile(path, PNG.sync.write(png));
}
