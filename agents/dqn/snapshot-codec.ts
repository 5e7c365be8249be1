/**
 * Binary container for training snapshots (browser-safe): "KEIKOCK1", a little-endian uint32
 * header length, the JSON header, then every array's bytes 8-byte aligned. Arrays keep their
 * dtype, so a Uint8 MinAtar replay buffer stays 1 byte per cell on disk.
 */
import { z } from 'zod';
import type { TrainingSnapshot } from './events';

const MAGIC = 'KEIKOCK1';
type Arr = TrainingSnapshot['arrays'][string];
const CTORS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array } as const;
type Dtype = keyof typeof CTORS;

function dtypeOf(a: Arr): Dtype {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'uint8';
}

interface Entry {
  name: string;
  dtype: Dtype;
  length: number;
  offset: number;
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeSnapshot(snap: TrainingSnapshot, extra: Record<string, unknown> = {}): Uint8Array {
  const entries: Entry[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(snap.arrays)) {
    entries.push({ name, dtype: dtypeOf(a), length: a.length, offset });
    offset = align8(offset + a.byteLength);
  }
  const header = new TextEncoder().encode(JSON.stringify({ json: snap.json, extra, arrays: entries }));
  const dataStart = align8(MAGIC.length + 4 + header.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.length, true);
  out.set(header, MAGIC.length + 4);
  for (const e of entries) {
    const a = snap.arrays[e.name];
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataStart + e.offset);
  }
  return out;
}

const headerSchema = z.object({
  json: z.record(z.string(), z.unknown()),
  extra: z.record(z.string(), z.unknown()),
  arrays: z.array(
    z.object({ name: z.string(), dtype: z.enum(['float32', 'float64', 'int32', 'uint8']), length: z.number().int().nonnegative(), offset: z.number().int().nonnegative() }),
  ),
});

export function decodeSnapshot(bytes: Uint8Array): { snapshot: TrainingSnapshot; extra: Record<string, unknown> } {
  if (bytes.length < MAGIC.length + 4) throw new Error(`truncated: ${bytes.length} bytes is shorter than the header`);
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new Error('not a Keiko checkpoint (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  if (MAGIC.length + 4 + headerLength > bytes.length) throw new Error(`truncated: the header needs ${headerLength} bytes, the file has ${bytes.length - MAGIC.length - 4}`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength)));
  } catch (err) {
    throw new Error(`header is not valid JSON (${(err as Error).message})`);
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`header.${issue.path.join('.')}: ${issue.message}`);
  }
  const header = parsed.data;
  const dataStart = align8(MAGIC.length + 4 + headerLength);
  const arrays: TrainingSnapshot['arrays'] = {};
  for (const e of header.arrays) {
    const Ctor = CTORS[e.dtype];
    const start = dataStart + e.offset;
    const byteLength = e.length * Ctor.BYTES_PER_ELEMENT;
    if (start + byteLength > bytes.length) throw new Error(`truncated (array ${e.name})`);
    // Copy into a fresh, aligned buffer.
    const copy = new Uint8Array(byteLength);
    copy.set(bytes.subarray(start, start + byteLength));
    arrays[e.name] = new Ctor(copy.buffer);
  }
  return { snapshot: { json: header.json, arrays }, extra: header.extra };
}
