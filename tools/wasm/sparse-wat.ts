/**
 * The backward products of a layer whose output gradient is mostly zeros (after a ReLU, and a max-pool routes only
 * one input of each window): compact the non-zero gradients into lists, then multiply only those. The dense GEMM
 * already runs at the floating-point throughput bound, so skipping the zero products is the remaining gain.
 * Each list is summed in the same order as the dense GEMM with the zero terms left out, so the weight gradient has
 * the same bits (up to the sign of an exact zero); the input gradient adds the contributions of overlapping output
 * rows in row order, where the dense GEMM adds them tile by tile: equal up to round-off, deterministic either way.
 */
import { add, F64, get, i32, params, type Precision, set, splatConst } from './wat';

/** The element type of the module being generated (sparseWat sets it). */
let p: Precision = F64;
/** A tile's width in vectors (8, 2, 1), or 0: one scalar column. */
type Vectors = 8 | 2 | 1 | 0;
const columns = (vectors: Vectors) => (vectors === 0 ? 1 : vectors * p.lanes);

/**
 * compact: for each of `lists` lists l, the non-zero values among g[l·listStride + e·elemStride], e < len (bytes),
 * go to vals[l·len + …] (float64) with their e·unit in offs[l·len + …] (i32), in e order; counts[l] (i32) = how
 * many. Branch-free: every value is written and the count grows by 0 or 1 (zero or not is a coin flip).
 */
function compact(): string {
  return [
    `(func (export "compact") ${params(['g', 'lists', 'len', 'listStride', 'elemStride', 'unit', 'vals', 'offs', 'counts'])}`,
    `  (local $l i32) (local $e i32) (local $n i32) (local $base i32) (local $p i32) (local $v ${p.s})`,
    `  (if (i32.eqz (i32.mul ${get('lists')} ${get('len')})) (then (return)))`,
    '  (loop $lists',
    `    ${set('base', `(i32.mul ${get('l')} ${get('len')})`)}`,
    `    ${set('n', get('base'))} ${set('p', add(get('g'), `(i32.mul ${get('l')} ${get('listStride')})`))} ${set('e', i32(0))}`,
    '    (loop $elems',
    `      ${set('v', `(${p.s}.load ${get('p')})`)}`,
    `      (${p.s}.store ${add(get('vals'), `(i32.shl ${get('n')} (i32.const ${p.shift}))`)} ${get('v')})`,
    `      (i32.store ${add(get('offs'), `(i32.shl ${get('n')} (i32.const 2))`)} (i32.mul ${get('e')} ${get('unit')}))`,
    `      ${set('n', add(get('n'), `(${p.s}.ne ${get('v')} (${p.s}.const 0))`))}`,
    `      ${set('p', add(get('p'), get('elemStride')))}`,
    `      (br_if $elems (i32.lt_s (local.tee $e ${add(get('e'), i32(1))}) ${get('len')})))`,
    `    (i32.store ${add(get('counts'), `(i32.shl ${get('l')} (i32.const 2))`)} (i32.sub ${get('n')} ${get('base')}))`,
    `    (br_if $lists (i32.lt_s (local.tee $l ${add(get('l'), i32(1))}) ${get('lists')})))`,
    ')',
  ].join('\n');
}

/** One list × `cols` columns: c[0..cols) = (or +=, with acc) Σ_i vals[i]·b[offs[i] + 0..cols), i < count. */
function sparseTile(vectors: Vectors): string {
  const cols = columns(vectors);
  const vector = vectors > 0;
  const lanes = vector ? vectors : 1;
  const [type, load, store, fadd, fmul, splat, zero] = vector
    ? ['v128', 'v128.load', 'v128.store', `${p.v}.add`, `${p.v}.mul`, p.splat, splatConst(p, 0)]
    : [p.s, `${p.s}.load`, `${p.s}.store`, `${p.s}.add`, `${p.s}.mul`, `${p.s}.load`, `(${p.s}.const 0)`];
  const accs = Array.from({ length: lanes }, (_, v) => `s${v}`);
  const lines = [
    `(func $s${cols} ${params(['vals', 'offs', 'count', 'b', 'c', 'acc'])}`,
    `  ${accs.map((a) => `(local $${a} ${type})`).join(' ')} (local $x ${type}) (local $p i32)`,
    ...accs.map((a) => `  ${set(a, zero)}`),
    `  (if ${get('count')} (then (loop $k`,
    `    ${set('x', `(${splat} ${get('vals')})`)}`,
    `    ${set('p', add(get('b'), `(i32.load ${get('offs')})`))}`,
    ...accs.map((a, v) => `    ${set(a, `(${fadd} ${get(a)} (${fmul} ${get('x')} (${load} offset=${16 * v} ${get('p')})))`)}`),
    `    ${set('vals', add(get('vals'), i32(p.bytes)))} ${set('offs', add(get('offs'), i32(4)))}`,
    `    (br_if $k (local.tee $count (i32.sub ${get('count')} (i32.const 1)))))))`,
    `  (if ${get('acc')} (then`,
    ...accs.map((a, v) => `    (${store} offset=${16 * v} ${get('c')} (${fadd} (${load} offset=${16 * v} ${get('c')}) ${get(a)}))`),
    '  ) (else',
    ...accs.map((a, v) => `    (${store} offset=${16 * v} ${get('c')} ${get(a)})`),
    '  ))',
    ')',
  ];
  return lines.join('\n');
}

/**
 * sparseGemm: for each list l < lists (laid out by `compact` with capacity len), row l of C (at c + l·ldc, n
 * columns) = (or +=, with acc) Σ over its non-zero entries of vals·B-row(offs), B rows being contiguous runs of n
 * values at b + offs. Columns in tiles of 16, 4, 2, 1.
 */
function sparseGemm(): string {
  const widths: Vectors[] = [8, 2, 1, 0];
  const lines = [
    `(func (export "sparseGemm") ${params(['vals', 'offs', 'counts', 'lists', 'len', 'b', 'n', 'c', 'ldc', 'acc'])}`,
    '  (local $l i32) (local $j i32) (local $count i32) (local $v i32) (local $o i32)',
    `  (if (i32.eqz ${get('lists')}) (then (return)))`,
    '  (loop $lists',
    `    ${set('count', `(i32.load ${add(get('counts'), `(i32.shl ${get('l')} (i32.const 2))`)})`)}`,
    `    ${set('v', add(get('vals'), `(i32.shl (i32.mul ${get('l')} ${get('len')}) (i32.const ${p.shift}))`))}`,
    `    ${set('o', add(get('offs'), `(i32.shl (i32.mul ${get('l')} ${get('len')}) (i32.const 2))`))}`,
    `    ${set('j', i32(0))}`,
  ];
  for (const vectors of widths) {
    const w = columns(vectors);
    const at = (base: string) => add(get(base), `(i32.shl ${get('j')} (i32.const ${p.shift}))`);
    lines.push(
      `    (block $done${w} (loop $next${w}`,
      `      (br_if $done${w} (i32.gt_s ${add(get('j'), i32(w))} ${get('n')}))`,
      `      (call $s${w} ${get('v')} ${get('o')} ${get('count')} ${at('b')} ${at('c')} ${get('acc')})`,
      `      ${set('j', add(get('j'), i32(w)))}`,
      `      (br $next${w})))`,
    );
  }
  lines.push(`    ${set('c', add(get('c'), get('ldc')))}`, `    (br_if $lists (i32.lt_s (local.tee $l ${add(get('l'), i32(1))}) ${get('lists')})))`, ')');
  return lines.join('\n');
}

/** transposeAdd: dst (cols × rows) += src (rows × cols)ᵀ, both contiguous; counts, not bytes. */
function transposeAdd(): string {
  return [
    `(func (export "transposeAdd") ${params(['src', 'rows', 'cols', 'dst'])}`,
    '  (local $r i32) (local $c i32) (local $to i32)',
    `  (if (i32.eqz (i32.mul ${get('rows')} ${get('cols')})) (then (return)))`,
    '  (loop $row',
    `    ${set('to', add(get('dst'), `(i32.shl ${get('r')} (i32.const ${p.shift}))`))}`,
    `    ${set('c', i32(0))}`,
    '    (loop $col',
    `      (${p.s}.store ${get('to')} (${p.s}.add (${p.s}.load ${get('to')}) (${p.s}.load ${get('src')})))`,
    `      ${set('src', add(get('src'), i32(p.bytes)))}`,
    `      ${set('to', add(get('to'), `(i32.shl ${get('rows')} (i32.const ${p.shift}))`))}`,
    `      (br_if $col (i32.lt_s (local.tee $c ${add(get('c'), i32(1))}) ${get('cols')})))`,
    `    (br_if $row (i32.lt_s (local.tee $r ${add(get('r'), i32(1))}) ${get('rows')})))`,
    ')',
  ].join('\n');
}

export function sparseWat(precision: Precision): string[] {
  p = precision;
  return [compact(), ...([8, 2, 1, 0] as const).map(sparseTile), sparseGemm(), transposeAdd()];
}
