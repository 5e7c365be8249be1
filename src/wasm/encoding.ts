/**
 * The WebAssembly binary encoding that Keiko's hand-assembled SIMD modules share (the acting
 * kernels in src/fast-forward.ts, the element-wise kernels in simd-optim.ts and the gemm in
 * simd-gemm.ts): value types, LEB128 integers, vectors, names, sections, function bodies and the
 * module header, and the instantiation of a module on the tfjs backend's memory.
 * Modules are assembled from readable opcodes in code, so there is no binary blob to trust and
 * no file to load: they run in browsers and Node alike.
 */

export type Code = number[];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): Code {
  const out: Code = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
export function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A vector: its length, then its items. */
export const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
export const name = (s: string): Code => vec([...s].map((c) => [c.charCodeAt(0)]));
export const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];
/** A function body: its local declarations ([count, type] runs), the code, `end`. */
export function funcBody(locals: [number, number][], body: Code): Code {
  const code = [...vec(locals.map(([n, type]) => [...uleb(n), type])), ...body, 0x0b];
  return [...uleb(code.length), ...code];
}
/** The module header: magic and version. */
export const MODULE_HEADER: Code = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/**
 * A module that imports `env.memory`, instantiated on a given WebAssembly.Memory once per memory
 * (so it reads and writes tensors in place): null where the memory is missing or shared (the
 * threaded tfjs build), or WebAssembly SIMD is not there (the bytes do not validate).
 */
export function moduleOnMemory<T>(bytes: () => Uint8Array<ArrayBuffer>): (memory: WebAssembly.Memory | undefined) => T | null {
  const instances = new WeakMap<WebAssembly.Memory, T | null>();
  return (memory) => {
    if (!memory || typeof WebAssembly === 'undefined') return null;
    if (instances.has(memory)) return instances.get(memory)!;
    let result: T | null = null;
    try {
      const code = bytes();
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      if (!shared && WebAssembly.validate(code)) {
        result = new WebAssembly.Instance(new WebAssembly.Module(code), { env: { memory } }).exports as unknown as T;
      }
    } catch {
      result = null;
    }
    instances.set(memory, result);
    return result;
  };
}
