/**
 * Draws render frames (docs/render-frames.md) with pixi.js. One Graphics object is cleared and
 * redrawn per frame (no display objects are created while playing), so replays of thousands of
 * steps play smoothly.
 */
import { Application, Graphics } from 'pixi.js';
import type { RenderFrame } from '../../envs/core';

export const STAGE_WIDTH = 560;
export const STAGE_HEIGHT = 380;

/** Channel colours for MinAtar grids (also used by the legend). */
export const CHANNEL_COLORS = [
  0xf2c14e, 0x4cc9f0, 0xf78154, 0x90be6d, 0xb388eb, 0xef476f, 0x06d6a0, 0xffd6a5, 0x8ecae6, 0xe9c46a,
];

export function channelColor(i: number): number {
  return CHANNEL_COLORS[i % CHANNEL_COLORS.length];
}

export function cssColor(c: number): string {
  return `#${c.toString(16).padStart(6, '0')}`;
}

/**
 * Pick pixi's renderer: WebGL on a real GPU, else pixi's canvas renderer. With software WebGL
 * (SwiftShader in a headless or GPU-less browser, recognised by its renderer name or a "major
 * performance caveat") the canvas renderer is several times faster for these small 2-D scenes.
 * `forced` ('webgl' | 'canvas', from ?renderer=) skips the choice.
 */
/** True when WebGL exists but is rendered on the CPU (SwiftShader, llvmpipe, ...). */
export function isSoftwareWebGL(): boolean {
  const probe = document.createElement('canvas');
  const gl = (probe.getContext('webgl2') ?? probe.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) return false;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = `${gl.getParameter(gl.RENDERER)} ${info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : ''}`;
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
}

export async function createStage(canvas: HTMLCanvasElement, forced?: 'webgl' | 'canvas'): Promise<Application> {
  const attempts: { preference: ('webgl' | 'canvas')[]; failIfMajorPerformanceCaveat: boolean }[] = forced
    ? [{ preference: [forced], failIfMajorPerformanceCaveat: false }]
    : [
        { preference: isSoftwareWebGL() ? ['canvas'] : ['webgl', 'canvas'], failIfMajorPerformanceCaveat: true },
        { preference: ['canvas'], failIfMajorPerformanceCaveat: false },
      ];
  let lastError: unknown;
  for (const attempt of attempts) {
    const app = new Application();
    try {
      await app.init({
        canvas,
        width: STAGE_WIDTH,
        height: STAGE_HEIGHT,
        background: 0x14161c,
        antialias: true,
        autoStart: false, // we render only when the frame changes
        resolution: 1,
        ...attempt,
      } as unknown as Parameters<Application['init']>[0]);
      return app;
    } catch (err) {
      lastError = err;
      try { app.destroy(); } catch { /* a half-initialised app may not destroy cleanly */ }
    }
  }
  throw new Error(`could not start a pixi renderer: ${(lastError as Error)?.message ?? lastError}`);
}

export class FrameRenderer {
  private readonly g = new Graphics();

  constructor(private readonly app: Application) {
    app.stage.addChild(this.g);
  }

  /** Display objects on the stage: constant while playing (the tests check it). */
  get displayObjects(): number {
    return this.app.stage.children.length;
  }

  get rendererName(): string {
    return this.app.renderer.name;
  }

  draw(frame: RenderFrame | null): void {
    const g = this.g;
    g.clear();
    if (frame) {
      switch (frame.family) {
        case 'cartpole': drawCartpole(g, frame); break;
        case 'mountaincar': drawMountainCar(g, frame); break;
        case 'acrobot': drawAcrobot(g, frame); break;
        case 'minatar': drawMinatar(g, frame); break;
        default: drawHeatmap(g, frame as Extract<RenderFrame, { family: 'observation' }>); break;
      }
    }
    this.app.render();
  }
}

const W = STAGE_WIDTH, H = STAGE_HEIGHT;

function drawCartpole(g: Graphics, f: Extract<RenderFrame, { family: 'cartpole' }>): void {
  const worldWidth = f.xThreshold * 2 * 1.2;
  const scale = W / worldWidth;
  const trackY = H * 0.7;
  const cartW = 50, cartH = 30, poleLen = scale * 1.0, poleW = 10;
  const cx = W / 2 + f.x * scale;
  // Track with the termination bounds.
  g.rect(0, trackY, W, 2).fill(0x5c6370);
  for (const bound of [-f.xThreshold, f.xThreshold]) g.rect(W / 2 + bound * scale - 1, trackY - 12, 2, 24).fill(0xef476f);
  g.rect(cx - cartW / 2, trackY - cartH / 2, cartW, cartH).fill(0xe0e0e0);
  // The pole: theta 0 = upright, positive = clockwise (tip to the right on screen).
  const pivotY = trackY - cartH / 4;
  const sin = Math.sin(f.theta), cos = Math.cos(f.theta);
  const tipX = cx + poleLen * sin, tipY = pivotY - poleLen * cos;
  const nx = (cos * poleW) / 2, ny = (sin * poleW) / 2; // half-width normal
  const danger = Math.min(1, Math.abs(f.theta) / f.thetaThreshold);
  const poleColor = danger > 0.8 ? 0xef476f : 0xcaa472;
  g.poly([cx - nx, pivotY - ny, cx + nx, pivotY + ny, tipX + nx, tipY + ny, tipX - nx, tipY - ny]).fill(poleColor);
  g.circle(cx, pivotY, poleW / 2).fill(0x8190c8);
}

function drawMountainCar(g: Graphics, f: Extract<RenderFrame, { family: 'mountaincar' }>): void {
  const margin = 20;
  const sx = (x: number): number => margin + ((x - f.minPosition) / (f.maxPosition - f.minPosition)) * (W - 2 * margin);
  const yScale = H * 0.32;
  const sy = (x: number): number => H * 0.58 - Math.sin(3 * x) * yScale;
  // The hill y = sin(3x), filled down to the bottom.
  const pts: number[] = [];
  const n = 120;
  for (let i = 0; i <= n; i++) {
    const x = f.minPosition + ((f.maxPosition - f.minPosition) * i) / n;
    pts.push(sx(x), sy(x));
  }
  g.poly([...pts, W - margin, H, margin, H]).fill(0x2d4a3e);
  g.poly(pts, false).stroke({ width: 3, color: 0x90be6d });
  // The flag at the goal.
  const fx = sx(f.goalPosition), fy = sy(f.goalPosition);
  g.rect(fx - 1, fy - 50, 2, 50).fill(0xe0e0e0);
  g.poly([fx + 1, fy - 50, fx + 1, fy - 36, fx + 24, fy - 43]).fill(0xf2c14e);
  // The car, tilted along the slope.
  const x = Math.min(f.maxPosition, Math.max(f.minPosition, f.position));
  const slope = (-3 * Math.cos(3 * x) * yScale) / ((W - 2 * margin) / (f.maxPosition - f.minPosition));
  const angle = Math.atan(slope);
  const px = sx(x), py = sy(x);
  const c = Math.cos(angle), s = Math.sin(angle);
  const rot = (dx: number, dy: number): [number, number] => [px + dx * c - dy * s, py + dx * s + dy * c];
  const body = [rot(-20, -6), rot(20, -6), rot(20, -22), rot(-20, -22)].flat();
  g.poly(body).fill(0x4cc9f0);
  for (const wx of [-12, 12]) {
    const [wxp, wyp] = rot(wx, -4);
    g.circle(wxp, wyp, 5).fill(0x222222).stroke({ width: 1.5, color: 0xaaaaaa });
  }
}

function drawAcrobot(g: Graphics, f: Extract<RenderFrame, { family: 'acrobot' }>): void {
  const reach = f.linkLength1 + f.linkLength2;
  const scale = (Math.min(W, H) * 0.45) / reach;
  const ox = W / 2, oy = H / 2;
  // Gymnasium's picture: theta1 = 0 hangs straight down; positions in "y up" world units.
  const x1 = f.linkLength1 * Math.sin(f.theta1), y1 = -f.linkLength1 * Math.cos(f.theta1);
  const x2 = x1 + f.linkLength2 * Math.sin(f.theta1 + f.theta2), y2 = y1 - f.linkLength2 * Math.cos(f.theta1 + f.theta2);
  const P = (x: number, y: number): [number, number] => [ox + x * scale, oy - y * scale];
  // The goal line: the tip must rise above one link length over the pivot.
  const [, goalY] = P(0, f.linkLength1);
  g.moveTo(ox - reach * scale - 20, goalY).lineTo(ox + reach * scale + 20, goalY).stroke({ width: 2, color: 0x5c6370 });
  const [p1x, p1y] = P(x1, y1), [p2x, p2y] = P(x2, y2);
  g.moveTo(ox, oy).lineTo(p1x, p1y).stroke({ width: 12, color: 0x4cc9f0, cap: 'round' });
  g.moveTo(p1x, p1y).lineTo(p2x, p2y).stroke({ width: 12, color: 0x4cc9f0, cap: 'round' });
  g.circle(ox, oy, 7).fill(0xf2c14e);
  g.circle(p1x, p1y, 7).fill(0xf2c14e);
  g.circle(p2x, p2y, 5).fill(0xef476f);
}

function drawMinatar(g: Graphics, f: Extract<RenderFrame, { family: 'minatar' }>): void {
  const C = Math.max(1, f.channels.length);
  const cell = Math.floor(Math.min((W - 20) / f.width, (H - 20) / f.height));
  const ox = (W - cell * f.width) / 2, oy = (H - cell * f.height) / 2;
  g.rect(ox, oy, cell * f.width, cell * f.height).fill(0x000000);
  for (let y = 0; y <= f.height; y++) g.rect(ox, oy + y * cell, cell * f.width, 1).fill(0x22252d);
  for (let x = 0; x <= f.width; x++) g.rect(ox + x * cell, oy, 1, cell * f.height).fill(0x22252d);
  // Cells in index order, so a higher channel paints over a lower one in the same cell.
  for (const idx of f.on) {
    const c = idx % C, pos = (idx - c) / C;
    const x = pos % f.width, y = (pos - x) / f.width;
    if (y >= f.height) continue;
    g.rect(ox + x * cell + 2, oy + y * cell + 2, cell - 3, cell - 3).fill(channelColor(c));
  }
}

/** Blue (low) → dark → red (high) over the frame's own value range. */
function heatColor(t: number): number {
  const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
  const r = clamp(t < 0.5 ? 40 : 40 + (t - 0.5) * 2 * 215), b = clamp(t > 0.5 ? 40 : 40 + (0.5 - t) * 2 * 215);
  const gr = clamp(40 + (1 - Math.abs(t - 0.5) * 2) * 40);
  return (r << 16) | (gr << 8) | b;
}

function drawHeatmap(g: Graphics, f: Extract<RenderFrame, { family: 'observation' }>): void {
  const data = f.data ?? [];
  const shape = f.shape?.length ? f.shape : [data.length];
  const rows = shape.length >= 2 ? shape[0] : 1;
  const cols = Math.max(1, Math.ceil(data.length / rows));
  let lo = Infinity, hi = -Infinity;
  for (const v of data) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo || 1;
  const cell = Math.max(2, Math.floor(Math.min((W - 20) / cols, (H - 20) / rows)));
  const ox = (W - cell * cols) / 2, oy = (H - cell * rows) / 2;
  for (let i = 0; i < data.length; i++) {
    const r = Math.floor(i / cols), c = i % cols;
    g.rect(ox + c * cell, oy + r * cell, cell - 1, cell - 1).fill(heatColor((data[i] - lo) / span));
  }
}
