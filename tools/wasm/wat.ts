/** Tiny helpers for writing WebAssembly text from TypeScript (the kernels' generators). */

export const params = (names: string[]) => names.map((n) => `(param $${n} i32)`).join(' ');
export const get = (name: string) => `(local.get $${name})`;
export const set = (name: string, value: string) => `(local.set $${name} ${value})`;
export const add = (x: string, y: string) => `(i32.add ${x} ${y})`;
export const i32 = (n: number) => `(i32.const ${n})`;
export const f64x2 = (v: number) => `(v128.const f64x2 ${fmt(v)} ${fmt(v)})`;

/** A float64 as WAT text that parses back to exactly the same double (shortest round-trip decimal). */
function fmt(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`fmt: ${v}`);
  return String(v);
}

/**
 * Emits `body` over a row of `limit` bytes of float64s, two values per step (`pair`) and, if the count is odd, the
 * last one alone (`single`: loads fill lane 1 with 0 and stores write lane 0 only, so nothing past the row is
 * touched). `jb` is the byte offset local the body indexes with.
 */
export function overLanes(label: string, jb: string, limit: string, body: (mode: 'pair' | 'single') => string[]): string[] {
  return [
    set(jb, i32(0)),
    `(block $${label}Done (loop $${label}`,
    `  (br_if $${label}Done (i32.gt_s ${add(get(jb), i32(16))} ${limit}))`,
    ...body('pair').map((l) => `  ${l}`),
    `  ${set(jb, add(get(jb), i32(16)))}`,
    `  (br $${label})))`,
    `(if (i32.lt_s ${get(jb)} ${limit}) (then`,
    ...body('single').map((l) => `  ${l}`),
    '))',
  ];
}

/** v128 load / store of a pair, or of lane 0 alone. */
export const load = (mode: 'pair' | 'single', address: string) => (mode === 'pair' ? `(v128.load ${address})` : `(v128.load64_zero ${address})`);
export const store = (mode: 'pair' | 'single', address: string, value: string) =>
  mode === 'pair' ? `(v128.store ${address} ${value})` : `(v128.store64_lane 0 ${address} ${value})`;
