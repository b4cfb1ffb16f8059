/** The transposes of the training engine's kernels (kernels-wat.ts, sparse-wat.ts use them). */
import { add, get, params, type Precision } from './wat';

/**
 * transpose: dst (cols × rows) = src (rows × cols)ᵀ, both contiguous; counts, not bytes. Blocks of lanes × lanes
 * (4 × 4 float32, 2 × 2 float64) by shuffles, then the rows and columns left over one value at a time. Only moves
 * values, so the result is the same whatever the order. With `accumulate` (exported as transposeAdd) dst += srcᵀ
 * instead: one addition per element, so again the order does not matter.
 */
export function transpose(p: Precision, name = 'transpose', accumulate = false): string {
  const L = p.lanes;
  const put = (address: string, value: string) => `(v128.store ${address} ${accumulate ? `(${p.v}.add (v128.load ${address}) ${value})` : value})`;
  const putScalar = (address: string, value: string) => `(${p.s}.store ${address} ${accumulate ? `(${p.s}.add (${p.s}.load ${address}) ${value})` : value})`;
  const lane = (i: number) => Array.from({ length: p.bytes }, (_, b) => i * p.bytes + b);
  /** A shuffle taking element lanes `picks` (0..L-1 from x, L..2L-1 from y). */
  const shuffle = (x: string, y: string, picks: number[]) => `(i8x16.shuffle ${picks.flatMap(lane).join(' ')} ${x} ${y})`;
  const rowBytes = (n: string) => `(i32.shl ${get(n)} (i32.const ${p.shift}))`;
  const srcAt = (r: string, c: string) => add(get('src'), `(i32.shl ${add(`(i32.mul ${get(r)} ${get('cols')})`, get(c))} (i32.const ${p.shift}))`);
  const dstAt = (c: string, r: string) => add(get('dst'), `(i32.shl ${add(`(i32.mul ${get(c)} ${get('rows')})`, get(r))} (i32.const ${p.shift}))`);
  // Loads the block's L rows (x0..), transposes them into o0.., stores those as L rows of dst.
  const block: string[] = [];
  for (let q = 0; q < L; q++) block.push(`        (local.set $x${q} (v128.load ${add(get('from'), `(i32.mul ${get('srcRow')} (i32.const ${q}))`)}))`);
  if (L === 2) {
    block.push(`        (local.set $o0 ${shuffle(get('x0'), get('x1'), [0, 2])})`, `        (local.set $o1 ${shuffle(get('x0'), get('x1'), [1, 3])})`);
  } else {
    block.push(
      `        (local.set $t0 ${shuffle(get('x0'), get('x1'), [0, 4, 1, 5])})`,
      `        (local.set $t1 ${shuffle(get('x0'), get('x1'), [2, 6, 3, 7])})`,
      `        (local.set $t2 ${shuffle(get('x2'), get('x3'), [0, 4, 1, 5])})`,
      `        (local.set $t3 ${shuffle(get('x2'), get('x3'), [2, 6, 3, 7])})`,
      `        (local.set $o0 ${shuffle(get('t0'), get('t2'), [0, 1, 4, 5])})`,
      `        (local.set $o1 ${shuffle(get('t0'), get('t2'), [2, 3, 6, 7])})`,
      `        (local.set $o2 ${shuffle(get('t1'), get('t3'), [0, 1, 4, 5])})`,
      `        (local.set $o3 ${shuffle(get('t1'), get('t3'), [2, 3, 6, 7])})`,
    );
  }
  for (let q = 0; q < L; q++) block.push(`        ${put(add(get('to'), `(i32.mul ${get('dstRow')} (i32.const ${q}))`), get(`o${q}`))}`);
  const vectors = Array.from({ length: L }, (_, q) => `(local $x${q} v128) (local $o${q} v128)${L === 4 ? ` (local $t${q} v128)` : ''}`).join(' ');
  return [
    `(func (export "${name}") ${params(['src', 'rows', 'cols', 'dst'])}`,
    `  (local $r i32) (local $c i32) (local $rb i32) (local $cb i32) (local $from i32) (local $to i32) (local $srcRow i32) (local $dstRow i32) ${vectors}`,
    `  (local.set $rb (i32.and ${get('rows')} (i32.const ${-L})))`,
    `  (local.set $cb (i32.and ${get('cols')} (i32.const ${-L})))`,
    `  (local.set $srcRow ${rowBytes('cols')}) (local.set $dstRow ${rowBytes('rows')})`,
    '  (local.set $r (i32.const 0))',
    '  (block $blockRowsDone (loop $blockRows',
    `    (br_if $blockRowsDone (i32.ge_s ${get('r')} ${get('rb')}))`,
    '    (local.set $c (i32.const 0))',
    '    (block $blockColsDone (loop $blockCols',
    `      (br_if $blockColsDone (i32.ge_s ${get('c')} ${get('cb')}))`,
    `      (local.set $from ${srcAt('r', 'c')}) (local.set $to ${dstAt('c', 'r')})`,
    ...block,
    `      (local.set $c ${add(get('c'), `(i32.const ${L})`)})`,
    '      (br $blockCols)))',
    `    (local.set $r ${add(get('r'), `(i32.const ${L})`)})`,
    '    (br $blockRows)))',
    // Columns right of the blocks (rows 0..rb), then whole rows below them.
    '  (local.set $r (i32.const 0))',
    '  (block $rightDone (loop $right',
    `    (br_if $rightDone (i32.ge_s ${get('r')} ${get('rb')}))`,
    `    (local.set $c ${get('cb')})`,
    '    (block $rightRowDone (loop $rightRow',
    `      (br_if $rightRowDone (i32.ge_s ${get('c')} ${get('cols')}))`,
    `      ${putScalar(dstAt('c', 'r'), `(${p.s}.load ${srcAt('r', 'c')})`)}`,
    `      (local.set $c ${add(get('c'), '(i32.const 1)')})`,
    '      (br $rightRow)))',
    `    (local.set $r ${add(get('r'), '(i32.const 1)')})`,
    '    (br $right)))',
    `  (local.set $r ${get('rb')})`,
    '  (block $belowDone (loop $below',
    `    (br_if $belowDone (i32.ge_s ${get('r')} ${get('rows')}))`,
    '    (local.set $c (i32.const 0))',
    '    (block $belowRowDone (loop $belowRow',
    `      (br_if $belowRowDone (i32.ge_s ${get('c')} ${get('cols')}))`,
    `      ${putScalar(dstAt('c', 'r'), `(${p.s}.load ${srcAt('r', 'c')})`)}`,
    `      (local.set $c ${add(get('c'), '(i32.const 1)')})`,
    '      (br $belowRow)))',
    `    (local.set $r ${add(get('r'), '(i32.const 1)')})`,
    '    (br $below)))',
    ')',
  ].join('\n');
}
