/** A small hand-drawn SVG line chart for learning curves (lines, dots and ±std bands). */
import type { BandPoint, Point } from './metrics';

export interface ChartSeries {
  name: string;
  color: string;
  line?: readonly Point[];
  dots?: readonly Point[];
  band?: readonly BandPoint[];
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  width?: number;
  height?: number;
}

/** Round tick values (1, 2, 5 × 10^k) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a !== 0 && a < 0.01) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent?.appendChild(node);
  return node;
}

/** Draw the chart into `svg`, replacing what was there. Returns the number of series drawn. */
export function renderChart(svg: SVGSVGElement, options: ChartOptions): number {
  const width = options.width ?? 600, height = options.height ?? 240;
  const m = { left: 56, right: 22, top: 24, bottom: 34 };
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', options.title);
  el('text', { x: m.left, y: 15, class: 'chart-title' }, svg).textContent = options.title;

  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  const seeX = (x: number): void => { xMin = Math.min(xMin, x); xMax = Math.max(xMax, x); };
  const seeY = (y: number): void => { yMin = Math.min(yMin, y); yMax = Math.max(yMax, y); };
  for (const s of options.series) {
    for (const p of [...(s.line ?? []), ...(s.dots ?? [])]) { seeX(p.x); seeY(p.y); }
    for (const b of s.band ?? []) { seeX(b.x); seeY(b.lo); seeY(b.hi); }
  }
  const drawn = options.series.filter((s) => (s.line?.length ?? 0) + (s.dots?.length ?? 0) + (s.band?.length ?? 0) > 0);
  if (drawn.length === 0) {
    el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'chart-empty' }, svg).textContent = 'no data yet';
    return 0;
  }
  const xTicks = niceTicks(Math.min(0, xMin), xMax, 6);
  const yTicks = niceTicks(yMin, yMax, 5);
  const x0 = Math.min(xTicks[0], xMin), x1 = Math.max(xTicks[xTicks.length - 1], xMax);
  const y0 = Math.min(yTicks[0], yMin), y1 = Math.max(yTicks[yTicks.length - 1], yMax);
  const sx = (x: number): number => m.left + ((x - x0) / (x1 - x0 || 1)) * (width - m.left - m.right);
  const sy = (y: number): number => height - m.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - m.top - m.bottom);
  const f = (v: number): string => v.toFixed(1);
  // The data range and the plot box, so a drawn point can be read back as data (tests, exports).
  svg.setAttribute('data-domain', `${x0} ${x1} ${y0} ${y1}`);
  svg.setAttribute('data-plot', `${m.left} ${m.top} ${width - m.right} ${height - m.bottom}`);

  const axes = el('g', { class: 'chart-axes' }, svg);
  for (const t of yTicks) {
    el('line', { x1: m.left, x2: width - m.right, y1: f(sy(t)), y2: f(sy(t)), class: 'grid' }, axes);
    el('text', { x: m.left - 6, y: f(sy(t) + 4), 'text-anchor': 'end' }, axes).textContent = formatTick(t);
  }
  for (const t of xTicks) {
    el('text', { x: f(sx(t)), y: height - m.bottom + 16, 'text-anchor': 'middle' }, axes).textContent = formatTick(t);
  }
  el('text', { x: width - m.right, y: height - 4, 'text-anchor': 'end', class: 'axis-label' }, axes).textContent = options.xLabel;
  el('text', { x: 12, y: m.top + (height - m.top - m.bottom) / 2, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 12 ${m.top + (height - m.top - m.bottom) / 2})` }, axes).textContent = options.yLabel;

  for (const s of drawn) {
    const g = el('g', { class: 'series', 'data-name': s.name }, svg);
    if (s.band?.length) {
      const upper = s.band.map((b) => `${f(sx(b.x))},${f(sy(b.hi))}`);
      const lower = s.band.slice().reverse().map((b) => `${f(sx(b.x))},${f(sy(b.lo))}`);
      el('polygon', { points: [...upper, ...lower].join(' '), fill: s.color, 'fill-opacity': 0.15, stroke: 'none', class: 'band' }, g);
    }
    if (s.dots?.length) {
      const d = s.dots.map((p) => `M${f(sx(p.x))},${f(sy(p.y))}h0`).join('');
      el('path', { d, stroke: s.color, 'stroke-opacity': 0.35, 'stroke-width': 3, 'stroke-linecap': 'round', fill: 'none', class: 'dots' }, g);
    }
    if (s.line?.length) {
      const d = s.line.map((p, i) => `${i ? 'L' : 'M'}${f(sx(p.x))},${f(sy(p.y))}`).join('');
      el('path', { d, stroke: s.color, 'stroke-width': 2, fill: 'none', 'stroke-dasharray': s.dashed ? '5 3' : 'none', class: 'line' }, g);
    }
  }
  return drawn.length;
}
