/**
 * Figures out of the page: an SVG chart as a standalone .svg file (its look inlined, since the
 * page's stylesheet does not travel with it) and as a .png of the same size, drawn from that SVG
 * through an Image and a canvas (blob: images are allowed by the page's img-src).
 */

/** Colours of the dark page, written into the exported file. */
const EXPORT_STYLE = `
  text { font: 11px system-ui, -apple-system, "Segoe UI", sans-serif; fill: #9aa3b2; }
  .chart-title { fill: #e6e6e6; font-size: 12px; font-weight: 600; }
  .grid { stroke: #2a2f3a; }
  .legend-label { fill: #e6e6e6; }
`;
const EXPORT_BACKGROUND = '#181b22';

/** The figure's size in CSS pixels: its viewBox. */
export function figureSize(svg: SVGSVGElement): { width: number; height: number } {
  const [, , width, height] = (svg.getAttribute('viewBox') ?? '0 0 600 240').split(/\s+/).map(Number);
  return { width, height };
}

/** A standalone SVG document of the chart: explicit size, a background and the chart's styles. */
export function standaloneSvg(svg: SVGSVGElement): string {
  const { width, height } = figureSize(svg);
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.removeAttribute('id');
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = EXPORT_STYLE;
  const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  for (const [k, v] of Object.entries({ x: '0', y: '0', width: String(width), height: String(height), fill: EXPORT_BACKGROUND })) background.setAttribute(k, v);
  copy.prepend(style, background);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}

/** The chart as PNG bytes of its size. */
export async function svgToPng(svg: SVGSVGElement): Promise<Blob> {
  const { width, height } = figureSize(svg);
  const url = URL.createObjectURL(new Blob([standaloneSvg(svg)], { type: 'image/svg+xml' }));
  try {
    const image = new Image(width, height);
    await new Promise<void>((ok, fail) => {
      image.onload = () => ok();
      image.onerror = () => fail(new Error('the browser could not draw the SVG figure'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d')!.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error('the canvas gave no PNG'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Save a blob under a file name (a download). */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
