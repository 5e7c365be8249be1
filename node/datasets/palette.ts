/** A fixed, distinguishable colour per channel for drawing multi-channel game frames. */
const BASE: readonly [number, number, number][] = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48],
  [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 212],
];

export function channelPalette(n: number): [number, number, number][] {
  return Array.from({ length: n }, (_, i) => [...BASE[i % BASE.length]] as [number, number, number]);
}
