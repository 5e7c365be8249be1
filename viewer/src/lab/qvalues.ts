/** The Q-value bars of the lab's showcase (one bar per action, the greedy one highlighted). */
const NS = 'http://www.w3.org/2000/svg';

function svgEl(name: string, attrs: Record<string, string>, parent: Element): SVGElement {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  parent.appendChild(node);
  return node;
}

export function renderQBars(svg: SVGSVGElement, names: readonly string[], q: readonly number[] | null, chosen: number): void {
  svg.replaceChildren();
  const rowH = 22, width = 280, labelW = 90, valueW = 60;
  const height = Math.max(1, names.length) * rowH + 6;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  if (!q || q.length === 0) {
    svgEl('text', { x: '4', y: '16' }, svg).textContent = 'waiting for the first network';
    return;
  }
  const lo = Math.min(0, ...q), hi = Math.max(0, ...q);
  const span = hi - lo || 1;
  const barW = width - labelW - valueW;
  q.forEach((v, i) => {
    const y = 3 + i * rowH;
    const cls = i === chosen ? ' chosen' : '';
    svgEl('text', { x: String(labelW - 6), y: String(y + 15), 'text-anchor': 'end', class: `qlabel${cls}` }, svg).textContent = names[i] ?? String(i);
    const x = labelW + ((Math.min(v, 0) - lo) / span) * barW;
    svgEl('rect', { x: x.toFixed(1), y: String(y + 3), width: Math.max(1, (Math.abs(v) / span) * barW).toFixed(1), height: String(rowH - 6), class: `qbar${cls}`, 'data-action': String(i) }, svg);
    svgEl('text', { x: String(width - 4), y: String(y + 15), 'text-anchor': 'end', class: `qvalue qlabel${cls}`, 'data-action': String(i) }, svg).textContent = v.toFixed(3);
  });
  const zero = labelW + ((0 - lo) / span) * barW;
  svgEl('line', { x1: zero.toFixed(1), x2: zero.toFixed(1), y1: '0', y2: String(height), class: 'grid' }, svg);
}
