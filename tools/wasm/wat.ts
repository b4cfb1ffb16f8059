/** Tiny helpers for writing WebAssembly text from TypeScript (the kernels' generators). */

export const params = (names: string[]) => names.map((n) => `(param $${n} i32)`).join(' ');
export const get = (name: string) => `(local.get $${name})`;
export const set = (name: string, value: string) => `(local.set $${name} ${value})`;
export const add = (x: string, y: string) => `(i32.add ${x} ${y})`;
export const i32 = (n: number) => `(i32.const ${n})`;

/**
 * The element type a kernel module is generated for. Every generator takes one and writes the same loops over
 * f64x2 (float64) or f32x4 (float32) vectors: a v128 is 16 bytes either way, so "one vector" is the unit the tiles
 * and strides are written in, and `bytes` / `shift` turn element counts into byte addresses.
 */
export interface Precision {
  readonly name: 'float32' | 'float64';
  /** Bytes per element, and log2 of it. */
  readonly bytes: 4 | 8;
  readonly shift: 2 | 3;
  /** Elements per v128. */
  readonly lanes: 4 | 2;
  /** Vector and scalar instruction prefixes. */
  readonly v: 'f32x4' | 'f64x2';
  readonly s: 'f32' | 'f64';
  /** The integer vector of the same lane width (masks, argmax indices, exponent bits). */
  readonly int: 'i32x4' | 'i64x2';
  /** Loads one element into every lane / into lane 0 (others 0); stores lane 0. */
  readonly splat: string;
  readonly loadZero: string;
  readonly storeLane: string;
}

export const F64: Precision = {
  name: 'float64',
  bytes: 8,
  shift: 3,
  lanes: 2,
  v: 'f64x2',
  s: 'f64',
  int: 'i64x2',
  splat: 'v128.load64_splat',
  loadZero: 'v128.load64_zero',
  storeLane: 'v128.store64_lane',
};

export const F32: Precision = {
  name: 'float32',
  bytes: 4,
  shift: 2,
  lanes: 4,
  v: 'f32x4',
  s: 'f32',
  int: 'i32x4',
  splat: 'v128.load32_splat',
  loadZero: 'v128.load32_zero',
  storeLane: 'v128.store32_lane',
};

/** A vector constant with `v` in every lane (wabt rounds the decimal to the element type). */
export const splatConst = (p: Precision, v: number) => `(v128.const ${p.v} ${Array<string>(p.lanes).fill(fmt(v)).join(' ')})`;
export const f64x2 = (v: number) => splatConst(F64, v);

/** A float64 as WAT text that parses back to exactly the same double (shortest round-trip decimal). */
function fmt(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`fmt: ${v}`);
  return String(v);
}

/**
 * Emits `body` over a row of `limit` bytes of elements, one vector per step (`pair`) and then the elements left
 * over one at a time (`single`: loads fill the other lanes with 0 and stores write lane 0 only, so nothing past the
 * row is touched). `jb` is the byte offset local the body indexes with. float64 has at most one element left over
 * (an `if`); float32 up to three (a loop).
 */
export function overLanes(label: string, jb: string, limit: string, body: (mode: 'pair' | 'single') => string[], p: Precision = F64): string[] {
  const vectors = [
    set(jb, i32(0)),
    `(block $${label}Done (loop $${label}`,
    `  (br_if $${label}Done (i32.gt_s ${add(get(jb), i32(16))} ${limit}))`,
    ...body('pair').map((l) => `  ${l}`),
    `  ${set(jb, add(get(jb), i32(16)))}`,
    `  (br $${label})))`,
  ];
  if (p.lanes === 2) return [...vectors, `(if (i32.lt_s ${get(jb)} ${limit}) (then`, ...body('single').map((l) => `  ${l}`), '))'];
  return [
    ...vectors,
    `(block $${label}TailDone (loop $${label}Tail`,
    `  (br_if $${label}TailDone (i32.ge_s ${get(jb)} ${limit}))`,
    ...body('single').map((l) => `  ${l}`),
    `  ${set(jb, add(get(jb), i32(p.bytes)))}`,
    `  (br $${label}Tail)))`,
  ];
}

/** v128 load / store of a whole vector, or of lane 0 alone. */
export const load = (mode: 'pair' | 'single', address: string, p: Precision = F64) =>
  mode === 'pair' ? `(v128.load ${address})` : `(${p.loadZero} ${address})`;
export const store = (mode: 'pair' | 'single', address: string, value: string, p: Precision = F64) =>
  mode === 'pair' ? `(v128.store ${address} ${value})` : `(${p.storeLane} 0 ${address} ${value})`;
