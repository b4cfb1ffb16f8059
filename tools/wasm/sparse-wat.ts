/**
 * The backward products of a layer whose output gradient is mostly zeros (after a ReLU, and a max-pool routes only
 * one input of each window): compact the non-zero gradients into lists, then multiply only those. The dense GEMM
 * already runs at the floating-point throughput bound, so skipping the zero products is the remaining gain.
 * Each list is summed in the same order as the dense GEMM with the zero terms left out, so the weight gradient has
 * the same bits (up to the sign of an exact zero); the input gradient adds the contributions of overlapping output
 * rows in row order, where the dense GEMM adds them tile by tile: equal up to round-off, deterministic either way.
 */
import { transpose } from './transpose-wat';
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

/**
 * sparseBackward: a sliding-dot layer's weight, bias and input gradients over the non-zero entries of its output
 * gradient G (len rows of `filters` ≤ 32 values, contiguous), found per row as a bit mask (a vector compare per
 * `lanes` filters) and walked lowest bit first, so no lists are written. With out ≠ 0, G is the gradient before a
 * ReLU whose output is `out` (same layout): entries where out ≤ 0 count as zero, which is the ReLU's derivative
 * applied on the fly. db += the column sums of the masked G (summed from 0 in t order in the zeroed scratch row dbs). For each row t, in column chunks of 8, 4, 2, 1
 * vectors of the window (`window` values, a multiple of the lanes):
 *   input grad   dx[t·dxStep + j] (+)= Σ_f g[t][f]·wT[f][j], f ascending, summed in registers from 0 and then added
 *                to dx (mode 1) or written (mode 2: the rows tile dx); mode 0 skips it;
 *   weight grad  dwT[f][j] += g[t][f]·x[t·xStep + j], the x chunk held in registers (dwT zeroed by the caller, rows
 *                in t order, so each sum is the dense GEMM's with the zero terms left out).
 * Strides and addresses in bytes.
 */
function sparseBackward(): string {
  const L = p.lanes;
  const widths = [8, 4, 2, 1];
  const lines: string[] = [
    `(func (export "sparseBackward") ${params(['g', 'out', 'filters', 'len', 'x', 'xStep', 'window', 'wT', 'dwT', 'db', 'dbs', 'dx', 'dxStep', 'mode'])}`,
    '  (local $t i32) (local $mask i32) (local $m i32) (local $f i32) (local $v i32) (local $j i32) (local $gRow i32) (local $xRow i32) (local $dxRow i32)',
    '  (local $outRow i32) (local $gv v128) (local $nz v128) (local $at i32)',
    `  (local $row i32) (local $s v128) (local $off i32) ${Array.from({ length: 8 }, (_, i) => `(local $a${i} v128) (local $x${i} v128)`).join(' ')}`,
    `  (local.set $row (i32.shl ${get('window')} (i32.const ${p.shift})))`,
    `  (local.set $gRow ${get('g')}) (local.set $xRow ${get('x')}) (local.set $dxRow ${get('dx')}) (local.set $outRow ${get('out')})`,
    `  (if (i32.eqz ${get('len')}) (then (return)))`,
    '  (loop $rows',
    // The row's mask: bit f set when g[t][f] ≠ 0 and (with `out`, the fused ReLU derivative) out[t][f] > 0; the
    // masked row added to the bias gradient's scratch row (dbs, summed from 0 in t order like the dense column sum).
    '    (local.set $mask (i32.const 0)) (local.set $v (i32.const 0))',
    '    (block $maskDone (loop $maskLoop',
    `      (br_if $maskDone (i32.ge_s ${get('v')} ${get('filters')}))`,
    `      (local.set $at (i32.shl ${get('v')} (i32.const ${p.shift})))`,
    `      (local.set $gv (v128.load ${add(get('gRow'), get('at'))}))`,
    `      (local.set $nz (${p.v}.ne ${get('gv')} ${splatConst(p, 0)}))`,
    `      (if ${get('out')} (then (local.set $nz (v128.and ${get('nz')} (${p.v}.gt (v128.load ${add(get('outRow'), get('at'))}) ${splatConst(p, 0)})))))`,
    `      (v128.store ${add(get('dbs'), get('at'))} (${p.v}.add (v128.load ${add(get('dbs'), get('at'))}) (v128.and ${get('gv')} ${get('nz')})))`,
    `      (local.set $mask (i32.or ${get('mask')} (i32.shl (${p.int}.bitmask ${get('nz')}) ${get('v')})))`,
    `      (local.set $v ${add(get('v'), i32(L))})`,
    '      (br $maskLoop)))',
    '    (local.set $j (i32.const 0))',
  ];
  for (const w of widths) {
    const bytes = 16 * w;
    const vs = Array.from({ length: w }, (_, i) => i);
    // $off: the chunk's byte offset j in the window; wT row f at wT + f·row, dwT likewise.
    const walk = (body: string[]) => [
      `        (local.set $m ${get('mask')})`,
      `        (block $bits${w}Done (loop $bits${w}`,
      `          (br_if $bits${w}Done (i32.eqz ${get('m')}))`,
      `          (local.set $f (i32.ctz ${get('m')}))`,
      `          (local.set $m (i32.and ${get('m')} (i32.sub ${get('m')} (i32.const 1))))`,
      `          (local.set $s (${p.splat} ${add(get('gRow'), `(i32.shl ${get('f')} (i32.const ${p.shift}))`)}))`,
      `          (local.set $off ${add(`(i32.mul ${get('f')} ${get('row')})`, get('j'))})`,
      ...body.map((l) => `          ${l}`),
      `          (br $bits${w})))`,
    ];
    lines.push(
      `    (block $chunks${w}Done (loop $chunks${w}`,
      `      (br_if $chunks${w}Done (i32.gt_s ${add(get('j'), i32(bytes))} ${get('row')}))`,
      `      (if ${get('mode')} (then`,
      ...vs.map((i) => `        (local.set $a${i} ${splatConst(p, 0)})`),
      ...walk(
        vs.map((i) => `(local.set $a${i} (${p.v}.add ${get(`a${i}`)} (${p.v}.mul ${get('s')} (v128.load offset=${16 * i} ${add(get('wT'), get('off'))}))))`),
      ),
      `        (if (i32.eq ${get('mode')} (i32.const 2)) (then`,
      ...vs.map((i) => `          (v128.store offset=${16 * i} ${add(get('dxRow'), get('j'))} ${get(`a${i}`)})`),
      '        ) (else',
      ...vs.map(
        (i) =>
          `          (v128.store offset=${16 * i} ${add(get('dxRow'), get('j'))} (${p.v}.add (v128.load offset=${16 * i} ${add(get('dxRow'), get('j'))}) ${get(`a${i}`)}))`,
      ),
      '        ))))',
      ...vs.map((i) => `      (local.set $x${i} (v128.load offset=${16 * i} ${add(get('xRow'), get('j'))}))`),
      ...walk(
        vs.map(
          (i) =>
            `(v128.store offset=${16 * i} ${add(get('dwT'), get('off'))} (${p.v}.add (v128.load offset=${16 * i} ${add(get('dwT'), get('off'))}) (${p.v}.mul ${get('s')} ${get(`x${i}`)})))`,
        ),
      ),
      `      (local.set $j ${add(get('j'), i32(bytes))})`,
      `      (br $chunks${w})))`,
    );
  }
  lines.push(
    `    (local.set $gRow ${add(get('gRow'), `(i32.shl ${get('filters')} (i32.const ${p.shift}))`)})`,
    `    (local.set $xRow ${add(get('xRow'), get('xStep'))})`,
    `    (local.set $dxRow ${add(get('dxRow'), get('dxStep'))})`,
    `    (local.set $outRow ${add(get('outRow'), `(i32.shl ${get('filters')} (i32.const ${p.shift}))`)})`,
    `    (br_if $rows (i32.lt_s (local.tee $t ${add(get('t'), i32(1))}) ${get('len')})))`,
    // db += the column sums.
    '  (local.set $v (i32.const 0))',
    '  (block $biasDone (loop $bias',
    `    (br_if $biasDone (i32.ge_s ${get('v')} ${get('filters')}))`,
    `    (local.set $at (i32.shl ${get('v')} (i32.const ${p.shift})))`,
    `    (v128.store ${add(get('db'), get('at'))} (${p.v}.add (v128.load ${add(get('db'), get('at'))}) (v128.load ${add(get('dbs'), get('at'))})))`,
    `    (local.set $v ${add(get('v'), i32(L))})`,
    '    (br $bias)))',
    ')',
  );
  return lines.join('\n');
}

/**
 * sparseForward: out[t] = bias + Σ_j x[t][j]·W[j] over the non-zero inputs only (after a ReLU about half are 0), for
 * a layer whose input window (`window` ≤ 32 values, a multiple of the lanes) is read at x + t·xStep and whose W is
 * [window][filters] (filters a multiple of the lanes): per row a bit mask of the non-zero inputs, walked lowest bit
 * first, each adding a row of W to accumulators held in registers (column chunks of 8, 4, 2, 1 vectors). The sums
 * are the dense GEMM's (from the bias, j ascending) with the zero terms left out. With relu ≠ 0 the ReLU is applied
 * as the result is stored.
 */
function sparseForward(): string {
  const L = p.lanes;
  const zero = splatConst(p, 0);
  const lines: string[] = [
    `(func (export "sparseForward") ${params(['x', 'xStep', 'window', 'len', 'w', 'filters', 'bias', 'out', 'relu'])}`,
    '  (local $t i32) (local $mask i32) (local $m i32) (local $j i32) (local $v i32) (local $col i32) (local $ldw i32) (local $s v128) (local $wr i32)',
    `  ${Array.from({ length: 8 }, (_, i) => `(local $a${i} v128)`).join(' ')}`,
    `  (local.set $ldw (i32.shl ${get('filters')} (i32.const ${p.shift})))`,
    `  (if (i32.eqz ${get('len')}) (then (return)))`,
    '  (loop $rows',
    '    (local.set $mask (i32.const 0)) (local.set $v (i32.const 0))',
    '    (block $maskDone (loop $maskLoop',
    `      (br_if $maskDone (i32.ge_s ${get('v')} ${get('window')}))`,
    `      (local.set $mask (i32.or ${get('mask')} (i32.shl (${p.int}.bitmask (${p.v}.ne (v128.load ${add(get('x'), `(i32.shl ${get('v')} (i32.const ${p.shift}))`)}) ${zero})) ${get('v')})))`,
    `      (local.set $v ${add(get('v'), i32(L))})`,
    '      (br $maskLoop)))',
    '    (local.set $col (i32.const 0))',
  ];
  for (const w of [8, 4, 2, 1]) {
    const vs = Array.from({ length: w }, (_, i) => i);
    const bytes = 16 * w;
    lines.push(
      `    (block $chunks${w}Done (loop $chunks${w}`,
      `      (br_if $chunks${w}Done (i32.gt_s ${add(get('col'), i32(bytes))} ${get('ldw')}))`,
      ...vs.map((i) => `      (local.set $a${i} (v128.load offset=${16 * i} ${add(get('bias'), get('col'))}))`),
      `      (local.set $m ${get('mask')})`,
      `      (block $bits${w}Done (loop $bits${w}`,
      `        (br_if $bits${w}Done (i32.eqz ${get('m')}))`,
      `        (local.set $j (i32.ctz ${get('m')}))`,
      `        (local.set $m (i32.and ${get('m')} (i32.sub ${get('m')} (i32.const 1))))`,
      `        (local.set $s (${p.splat} ${add(get('x'), `(i32.shl ${get('j')} (i32.const ${p.shift}))`)}))`,
      `        (local.set $wr ${add(get('w'), add(`(i32.mul ${get('j')} ${get('ldw')})`, get('col')))})`,
      ...vs.map((i) => `        (local.set $a${i} (${p.v}.add ${get(`a${i}`)} (${p.v}.mul ${get('s')} (v128.load offset=${16 * i} ${get('wr')}))))`),
      `        (br $bits${w})))`,
      `      (if ${get('relu')} (then`,
      ...vs.map((i) => `        (v128.store offset=${16 * i} ${add(get('out'), get('col'))} (${p.v}.pmax ${get(`a${i}`)} ${zero}))`),
      '      ) (else',
      ...vs.map((i) => `        (v128.store offset=${16 * i} ${add(get('out'), get('col'))} ${get(`a${i}`)})`),
      '      ))',
      `      (local.set $col ${add(get('col'), i32(bytes))})`,
      `      (br $chunks${w})))`,
    );
  }
  lines.push(
    `    (local.set $x ${add(get('x'), get('xStep'))})`,
    `    (local.set $out ${add(get('out'), get('ldw'))})`,
    `    (br_if $rows (i32.lt_s (local.tee $t ${add(get('t'), i32(1))}) ${get('len')})))`,
    ')',
  );
  return lines.join('\n');
}

export function sparseWat(precision: Precision): string[] {
  p = precision;
  return [compact(), ...([8, 2, 1, 0] as const).map(sparseTile), sparseGemm(), transpose(p, 'transposeAdd', true), sparseBackward(), sparseForward()];
}
