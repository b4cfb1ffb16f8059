/**
 * The WebAssembly text of the training engine's SIMD kernels (packages/core/src/train/wasm/). `npm run build:wasm`
 * assembles it (tools/wasm/build.ts) into kernels.generated.ts; a test checks that file is up to date.
 *
 * Why WebAssembly: in plain TypeScript V8 re-checks the map, length and bounds of every typed-array load, which
 * bounded the old loops at ~1 cycle per multiply-add whatever the tiling. Wasm loads are checked by guard pages,
 * and SIMD does two float64 (four float32) lanes per instruction: the same loops run 4–6× faster. IEEE mul + add only
 * (no fused multiply-add, no relaxed SIMD), so every result is bit-identical on every machine.
 *
 * Two modules come from the same generators (`Precision` in wat.ts): float64 (f64x2, the reference) and float32
 * (f32x4: twice the lanes per instruction, same loops; the float64 text does not change when float32 is generated).
 *
 * Conventions: every address and stride is in BYTES (callers multiply by the element size); matrices are row-major with
 * explicit row strides, so the same GEMM serves a convolution's forward, weight gradient and input gradient by
 * choosing the strides. The text is generated because the GEMM tiles are unrolled loops of one pattern. This file:
 * GEMM, activations, transpose, depthwise conv; gru-wat.ts the GRU recurrence, pool-wat.ts pooling, sparse-wat.ts
 * the zero-skipping backward products; wat.ts the helpers. The JS-side signatures are WasmKernels in arena.ts.
 */

import { gruWat } from './gru-wat';
import { poolWat } from './pool-wat';
import { sparseWat } from './sparse-wat';
import { transpose } from './transpose-wat';
import { add, F32, F64, get, params, type Precision, splatConst } from './wat';

/** A tile's width in vectors (8, 2 or 1 v128 = 16, 4, 2 float64 or 32, 8, 4 float32 columns), or 0: one scalar column. */
type Vectors = 8 | 2 | 1 | 0;
/** Columns of a tile of `vectors` vectors. */
const columns = (p: Precision, vectors: Vectors) => (vectors === 0 ? 1 : vectors * p.lanes);

const TILE_PARAMS = ['a', 'am', 'ak', 'b', 'ldb', 'c', 'ldc', 'k', 'bias', 'acc'];

/**
 * One register tile of C = bias + A·B (acc = 0), C += A·B (acc = 1) or C = max(bias + A·B, 0) (acc = 2, a fused
 * ReLU, written as the activation kernel writes it): `rows` rows (1 or 4) × `vectors` vectors of
 * columns (8, 2 or 1), or 1 scalar column. A(m, k) is at a + m·am + k·ak, B(k, n) at b + k·ldb + bytes·n, C(m, n) at
 * c + m·ldc + bytes·n. Each C element is summed in k order from its bias (or 0), so the order is fixed by the shapes
 * alone. With acc the tile adds row by row at the end, so rows that overlap in memory (a convolution's input
 * gradient, stride < kernel) still sum correctly.
 */
function tile(p: Precision, rows: number, vectors: Vectors): string {
  const vector = vectors > 0;
  const lanes = vector ? vectors : 1;
  const type = vector ? 'v128' : p.s;
  const load = vector ? 'v128.load' : `${p.s}.load`;
  const store = vector ? 'v128.store' : `${p.s}.store`;
  const fadd = vector ? `${p.v}.add` : `${p.s}.add`;
  const fmul = vector ? `${p.v}.mul` : `${p.s}.mul`;
  const zero = vector ? splatConst(p, 0) : `(${p.s}.const 0)`;
  const splat = vector ? p.splat : `${p.s}.load`;
  const cols = columns(p, vectors);
  const acc = (r: number, v: number) => `s${r}_${v}`;
  const row = (r: number) => (r === 0 ? 'a' : `p${r}`);
  // With several rows each B vector is loaded once into a local and used `rows` times.
  const cache = rows > 1;
  const bAt = (v: number) => (cache ? get(`w${v}`) : `(${load} offset=${16 * v} ${get('b')})`);
  const lines: string[] = [];
  const locals: string[] = [];
  for (let r = 1; r < rows; r++) locals.push(`(local $p${r} i32)`);
  for (let r = 0; r < rows; r++) for (let v = 0; v < lanes; v++) locals.push(`(local $${acc(r, v)} ${type})`);
  if (cache) for (let v = 0; v < lanes; v++) locals.push(`(local $w${v} ${type})`);
  locals.push(`(local $x ${type})`, '(local $q i32)');
  lines.push(`(func $t${rows}x${cols} ${params(TILE_PARAMS)}`, `  ${locals.join(' ')}`);
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < lanes; v++) {
      lines.push(
        `  (local.set $${acc(r, v)} (if (result ${type}) (i32.eq ${get('acc')} (i32.const 1)) (then ${zero}) (else (${load} offset=${16 * v} ${get('bias')}))))`,
      );
    }
  }
  for (let r = 1; r < rows; r++) lines.push(`  (local.set $p${r} ${add(get(row(r - 1)), get('am'))})`);
  lines.push(`  (if ${get('k')} (then (loop $k`);
  if (cache) for (let v = 0; v < lanes; v++) lines.push(`    (local.set $w${v} (${load} offset=${16 * v} ${get('b')}))`);
  for (let r = 0; r < rows; r++) {
    lines.push(`    (local.set $x (${splat} ${get(row(r))}))`);
    for (let v = 0; v < lanes; v++) lines.push(`    (local.set $${acc(r, v)} (${fadd} ${get(acc(r, v))} (${fmul} ${get('x')} ${bAt(v)})))`);
  }
  for (let r = 0; r < rows; r++) lines.push(`    (local.set $${row(r)} ${add(get(row(r)), get('ak'))})`);
  lines.push(`    (local.set $b ${add(get('b'), get('ldb'))})`);
  lines.push(`    (br_if $k (local.tee $k (i32.sub ${get('k')} (i32.const 1)))))))`);
  lines.push(`  (local.set $q ${get('c')})`);
  const relu = (x: string) => (vector ? `(${p.v}.pmax ${x} ${zero})` : `(select ${zero} ${x} (${p.s}.lt ${x} ${zero}))`);
  const stores = (mode: 'accumulate' | 'set' | 'relu') => {
    const out: string[] = [];
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < lanes; v++) {
        const sum = get(acc(r, v));
        const value = mode === 'accumulate' ? `(${fadd} (${load} offset=${16 * v} ${get('q')}) ${sum})` : mode === 'relu' ? relu(sum) : sum;
        out.push(`    (${store} offset=${16 * v} ${get('q')} ${value})`);
      }
      if (r + 1 < rows) out.push(`    (local.set $q ${add(get('q'), get('ldc'))})`);
    }
    return out;
  };
  lines.push(
    `  (if (i32.eq ${get('acc')} (i32.const 1)) (then`,
    ...stores('accumulate'),
    `  ) (else (if ${get('acc')} (then`,
    ...stores('relu'),
    '  ) (else',
    ...stores('set'),
    '  ))))',
    ')',
  );
  return lines.join('\n');
}

/**
 * A tile's body for inlining into the GEMM's strip loop (a call per tile cost as much as a short tile's k loop): the
 * tile function's text with its parameters made locals, every name prefixed by the tile's, so the tiles of one GEMM
 * do not share locals. Returns the local declarations and the statements that set the parameters from `args` and run.
 */
function inlineTile(p: Precision, rows: number, vectors: Vectors, args: string[]): { locals: string[]; body: string[] } {
  const text = tile(p, rows, vectors).split('\n');
  const prefix = `t${rows}x${columns(p, vectors)}_`;
  const declared = [...text[1].matchAll(/\(local \$(\w+) (\w+)\)/g)].map((m) => ({ name: m[1], type: m[2] }));
  const names = [...TILE_PARAMS, ...declared.map((d) => d.name)];
  const rename = (line: string) => line.replace(/\$(\w+)/g, (whole, name: string) => (names.includes(name) ? `$${prefix}${name}` : whole));
  const locals = [...TILE_PARAMS.map((name) => `(local $${prefix}${name} i32)`), ...declared.map((d) => `(local $${prefix}${d.name} ${d.type})`)];
  const body = [...TILE_PARAMS.map((name, i) => `(local.set $${prefix}${name} ${args[i]})`), ...text.slice(2, -1).map(rename)];
  return { locals, body };
}

/**
 * The columns of one strip of `rows` rows, in tiles of each width in turn (widest first): inlined in float32 (adds
 * their locals to `locals`), calls in float64, where the inlined GEMM measured slower (the GRU, whose recurrence
 * calls the GEMM with one row per step: 0.93× the samples per CPU-second) and float32 faster.
 */
function strip(p: Precision, rows: number, widths: Vectors[], locals: string[]): string {
  const lines = ['    (local.set $j (i32.const 0))'];
  for (const vectors of widths) {
    const w = columns(p, vectors);
    const at = (base: string) => add(get(base), `(i32.shl ${get('j')} (i32.const ${p.shift}))`);
    const args = [get('a'), get('am'), get('ak'), at('b'), get('ldb'), at('c'), get('ldc'), get('k'), at('bias'), get('acc')];
    const inlined = p === F32 ? inlineTile(p, rows, vectors, args) : { locals: [], body: [`(call $t${rows}x${w} ${args.join(' ')})`] };
    locals.push(...inlined.locals);
    lines.push(
      `    (block $done${rows}_${w} (loop $next${rows}_${w}`,
      `      (br_if $done${rows}_${w} (i32.gt_s ${add(get('j'), `(i32.const ${w})`)} ${get('n')}))`,
      ...inlined.body.map((l) => `      ${l}`),
      `      (local.set $j ${add(get('j'), `(i32.const ${w})`)})`,
      `      (br $next${rows}_${w})))`,
    );
  }
  return lines.join('\n');
}

/**
 * gemm: C (m × n) = bias + A·B, or C += A·B when acc ≠ 0, A being m × k and B k × n (see `tile` for the strides).
 * Strips of four rows in 4×4 tiles (eight f64x2 accumulators: each B vector loaded once serves four rows, each A
 * value once serves four columns), leftover rows one at a time in 1×16 tiles (a matrix-vector product keeps eight
 * independent sums in flight), leftover columns in narrower tiles.
 */
function gemm(p: Precision): string {
  const locals: string[] = [];
  const strip4 = strip(p, 4, [2, 1, 0], locals);
  const strip1 = strip(p, 1, [8, 2, 1, 0], locals);
  return [
    `(func $gemm (export "gemm") ${params(['a', 'am', 'ak', 'b', 'ldb', 'c', 'ldc', 'm', 'n', 'k', 'bias', 'acc'])}`,
    '  (local $j i32)',
    ...locals.map((l) => `  ${l}`),
    '  (block $rows4 (loop $strip4',
    `    (br_if $rows4 (i32.lt_s ${get('m')} (i32.const 4)))`,
    strip4,
    `    (local.set $a ${add(get('a'), `(i32.shl ${get('am')} (i32.const 2))`)})`,
    `    (local.set $c ${add(get('c'), `(i32.shl ${get('ldc')} (i32.const 2))`)})`,
    `    (local.set $m (i32.sub ${get('m')} (i32.const 4)))`,
    '    (br $strip4)))',
    '  (block $rows1 (loop $strip1',
    `    (br_if $rows1 (i32.le_s ${get('m')} (i32.const 0)))`,
    strip1,
    `    (local.set $a ${add(get('a'), get('am'))})`,
    `    (local.set $c ${add(get('c'), get('ldc'))})`,
    `    (local.set $m (i32.sub ${get('m')} (i32.const 1)))`,
    '    (br $strip1)))',
    ')',
  ].join('\n');
}

/**
 * An elementwise map over n float64 values: two lanes at a time, then a scalar tail. `vector` and `scalar` are the
 * expressions for one step given loads named by `v(array)` / `s(array)`.
 */
function elementwise(
  pr: Precision,
  name: string,
  inputs: string[],
  vector: (v: (p: string) => string) => string,
  scalar: (s: (p: string) => string) => string,
): string {
  const all = [...inputs, 'out'];
  const storeScalar = `(${pr.s}.store ${get('out')} ${scalar((p) => `(${pr.s}.load ${get(p)})`)})`;
  // float64 leaves at most one value after the pairs; float32 up to three.
  const tail =
    pr.lanes === 2
      ? [`  (if ${get('n')} (then ${storeScalar}))`]
      : [
          `  (if ${get('n')} (then (loop $singles`,
          `    ${storeScalar}`,
          ...all.map((p) => `    (local.set $${p} ${add(get(p), `(i32.const ${pr.bytes})`)})`),
          `    (br_if $singles (local.tee $n (i32.sub ${get('n')} (i32.const 1)))))))`,
        ];
  return [
    `(func (export "${name}") ${params([...all, 'n'])}`,
    '  (block $tail (loop $pairs',
    `    (br_if $tail (i32.lt_s ${get('n')} (i32.const ${pr.lanes})))`,
    `    (v128.store ${get('out')} ${vector((p) => `(v128.load ${get(p)})`)})`,
    ...all.map((p) => `    (local.set $${p} ${add(get(p), '(i32.const 16)')})`),
    `    (local.set $n (i32.sub ${get('n')} (i32.const ${pr.lanes})))`,
    '    (br $pairs)))',
    ...tail,
    ')',
  ].join('\n');
}

/**
 * Activations and their derivatives, following tfjs (the test oracle): ReLU = (v < 0 ? 0 : v) and ReLU6 = min of
 * that and 6, as f64x2.pmax / pmin (single x86 instructions; wasm's min/max spend a sequence on NaN and signed-zero
 * ordering): NaN passes through, −0 stays −0 (it equals 0 everywhere downstream). The gradient passes where
 * pre > 0 (and pre ≤ 6 for ReLU6) and is +0 elsewhere (a bit mask, so no branch on the coin-flip sign).
 */
function activations(p: Precision): string[] {
  const [V, S, ZERO, SIX] = [p.v, p.s, splatConst(p, 0), splatConst(p, 6)];
  const relu = (v: string) => `(${V}.pmax ${v} ${ZERO})`;
  const reluScalar = (v: string) => `(select (${S}.const 0) ${v} (${S}.lt ${v} (${S}.const 0)))`;
  return [
    elementwise(
      p,
      'relu',
      ['pre'],
      (v) => relu(v('pre')),
      (s) => reluScalar(s('pre')),
    ),
    elementwise(
      p,
      'relu6',
      ['pre'],
      (v) => `(${V}.pmin ${relu(v('pre'))} ${SIX})`,
      (s) => `(select (${S}.const 6) ${reluScalar(s('pre'))} (${S}.gt ${s('pre')} (${S}.const 6)))`,
    ),
    elementwise(
      p,
      'reluGrad',
      ['pre', 'g'],
      (v) => `(v128.and ${v('g')} (${V}.gt ${v('pre')} ${ZERO}))`,
      (s) => `(select ${s('g')} (${S}.const 0) (${S}.gt ${s('pre')} (${S}.const 0)))`,
    ),
    elementwise(
      p,
      'relu6Grad',
      ['pre', 'g'],
      (v) => `(v128.and ${v('g')} (v128.and (${V}.gt ${v('pre')} ${ZERO}) (${V}.le ${v('pre')} ${SIX})))`,
      (s) => `(select ${s('g')} (${S}.const 0) (i32.and (${S}.gt ${s('pre')} (${S}.const 0)) (${S}.le ${s('pre')} (${S}.const 6))))`,
    ),
  ];
}

/**
 * The channels left after the vectors of a depthwise row, one at a time: at most one for float64 (an `if`), up to
 * three for float32 (a loop advancing $c by one element).
 */
function channelTail(p: Precision, single: string[]): string[] {
  if (p.lanes === 2) return [`    (if (i32.lt_s ${get('c')} ${get('row')}) (then`, ...single, '    ))'];
  return [
    '    (block $singlesDone (loop $singles',
    `      (br_if $singlesDone (i32.ge_s ${get('c')} ${get('row')}))`,
    ...single,
    `      (local.set $c ${add(get('c'), `(i32.const ${p.bytes})`)})`,
    '      (br $singles)))',
  ];
}

/**
 * Depthwise conv (channel multiplier 1) over a zero-padded input, per output step t and channel pair:
 * out[t][c] = bias[c] + Σ_k x[t·step + k·row + c]·w[k·row + c] (summed from the bias in k order), row = C·8 bytes,
 * step in bytes. Channels two at a time, an odd last channel alone. With relu ≠ 0 the ReLU is applied on the store
 * (max(·, 0) as the activation kernel computes it).
 */
function depthwiseForward(p: Precision): string {
  const body = (vector: boolean) => {
    const zero = vector ? splatConst(p, 0) : `(${p.s}.const 0)`;
    const relu = (x: string) => (vector ? `(${p.v}.pmax ${x} ${zero})` : `(select ${zero} ${x} (${p.s}.lt ${x} ${zero}))`);
    const [load, store, fadd, fmul] = vector
      ? ['v128.load', 'v128.store', `${p.v}.add`, `${p.v}.mul`]
      : [`${p.s}.load`, `${p.s}.store`, `${p.s}.add`, `${p.s}.mul`];
    const s = vector ? 'v' : 's';
    return [
      `      (local.set $${s} (${load} ${add(get('bias'), get('c'))}))`,
      `      (local.set $xp ${add(get('xt'), get('c'))})`,
      `      (local.set $wp ${add(get('w'), get('c'))})`,
      '      (local.set $kk (i32.const 0))',
      '      (loop $taps',
      `        (local.set $${s} (${fadd} ${get(s)} (${fmul} (${load} ${get('xp')}) (${load} ${get('wp')}))))`,
      `        (local.set $xp ${add(get('xp'), get('row'))})`,
      `        (local.set $wp ${add(get('wp'), get('row'))})`,
      `        (br_if $taps (i32.lt_s (local.tee $kk ${add(get('kk'), '(i32.const 1)')}) ${get('kernel')})))`,
      `      (${store} ${add(get('ot'), get('c'))} (if (result ${vector ? 'v128' : p.s}) ${get('relu')} (then ${relu(get(s))}) (else ${get(s)})))`,
    ];
  };
  return [
    `(func (export "depthwiseForward") ${params(['x', 'w', 'bias', 'out', 'len', 'row', 'kernel', 'step', 'relu'])}`,
    `  (local $t i32) (local $c i32) (local $kk i32) (local $xt i32) (local $ot i32) (local $xp i32) (local $wp i32) (local $v v128) (local $s ${p.s})`,
    `  (local.set $xt ${get('x')}) (local.set $ot ${get('out')})`,
    '  (loop $steps',
    '    (local.set $c (i32.const 0))',
    '    (block $pairsDone (loop $pairs',
    `      (br_if $pairsDone (i32.gt_s ${add(get('c'), '(i32.const 16)')} ${get('row')}))`,
    ...body(true),
    `      (local.set $c ${add(get('c'), '(i32.const 16)')})`,
    '      (br $pairs)))',
    ...channelTail(p, body(false)),
    `    (local.set $xt ${add(get('xt'), get('step'))})`,
    `    (local.set $ot ${add(get('ot'), get('row'))})`,
    `    (br_if $steps (i32.lt_s (local.tee $t ${add(get('t'), '(i32.const 1)')}) ${get('len')})))`,
    ')',
  ].join('\n');
}

/**
 * Depthwise conv backward for gradient g [len][C]: dw[k][c] += Σ_t g[t][c]·x[t·step + k·row + c] (t ascending) and,
 * when hasDx, dx[t·step + k·row + c] += g[t][c]·w[k][c] (dx zeroed by the caller; padded like x).
 */
function depthwiseBackward(p: Precision): string {
  /**
   * One channel vector (or single channel) of one step, the taps in a loop; the dx update only in the `dx` variant
   * (the caller branches on hasDx once, not per tap).
   */
  const body = (vector: boolean, dx: boolean) => {
    const [load, store, fadd, fmul] = vector
      ? ['v128.load', 'v128.store', `${p.v}.add`, `${p.v}.mul`]
      : [`${p.s}.load`, `${p.s}.store`, `${p.s}.add`, `${p.s}.mul`];
    const s = vector ? 'v' : 's';
    const tap = (xp: string, dxp: string, wp: string, dwp: string) => [
      `(${store} ${dwp} (${fadd} (${load} ${dwp}) (${fmul} ${get(s)} (${load} ${xp}))))`,
      ...(dx ? [`(${store} ${dxp} (${fadd} (${load} ${dxp}) (${fmul} ${get(s)} (${load} ${wp}))))`] : []),
    ];
    const head = [
      `      (local.set $${s} (${load} ${add(get('gt'), get('c'))}))`,
      `      (local.set $xp ${add(get('xt'), get('c'))})`,
      `      (local.set $dxp ${add(get('dxt'), get('c'))})`,
      `      (local.set $wp ${add(get('w'), get('c'))})`,
      `      (local.set $dwp ${add(get('dw'), get('c'))})`,
    ];
    return [
      ...head,
      '      (local.set $kk (i32.const 0))',
      '      (loop $taps',
      ...tap(get('xp'), get('dxp'), get('wp'), get('dwp')).map((l) => `        ${l}`),
      `        (local.set $xp ${add(get('xp'), get('row'))})`,
      `        (local.set $dxp ${add(get('dxp'), get('row'))})`,
      `        (local.set $wp ${add(get('wp'), get('row'))})`,
      `        (local.set $dwp ${add(get('dwp'), get('row'))})`,
      `        (br_if $taps (i32.lt_s (local.tee $kk ${add(get('kk'), '(i32.const 1)')}) ${get('kernel')})))`,
    ];
  };
  const steps = (dx: boolean) => [
    `  (local.set $xt ${get('x')}) (local.set $dxt ${get('dx')}) (local.set $gt ${get('g')}) (local.set $t (i32.const 0))`,
    '  (loop $steps',
    '    (local.set $c (i32.const 0))',
    '    (block $pairsDone (loop $pairs',
    `      (br_if $pairsDone (i32.gt_s ${add(get('c'), '(i32.const 16)')} ${get('row')}))`,
    ...body(true, dx),
    `      (local.set $c ${add(get('c'), '(i32.const 16)')})`,
    '      (br $pairs)))',
    ...channelTail(p, body(false, dx)),
    `    (local.set $xt ${add(get('xt'), get('step'))})`,
    `    (local.set $dxt ${add(get('dxt'), get('step'))})`,
    `    (local.set $gt ${add(get('gt'), get('row'))})`,
    `    (br_if $steps (i32.lt_s (local.tee $t ${add(get('t'), '(i32.const 1)')}) ${get('len')})))`,
  ];
  /**
   * Kernel sizes 3 and 5 (the usual ones): channels outermost, the taps unrolled with each dw[k][c] summed in a
   * register over the steps (t ascending from dw's value, as the step-major loop adds them) and w[k][c] held in one.
   */
  const byChannel = (taps: number, dx: boolean, vector: boolean) => {
    const [load, store, fadd, fmul, width] = vector
      ? ['v128.load', 'v128.store', `${p.v}.add`, `${p.v}.mul`, 16]
      : [`${p.s}.load`, `${p.s}.store`, `${p.s}.add`, `${p.s}.mul`, p.bytes];
    const sfx = vector ? 'v' : 's';
    const at = (base: string, k: number) => (k === 0 ? base : add(base, `(i32.mul ${get('row')} (i32.const ${k}))`));
    const ks = Array.from({ length: taps }, (_, k) => k);
    const label = `${sfx}${taps}${dx ? 'd' : ''}`;
    return [
      `    (block $ch${label}Done (loop $ch${label}`,
      `      (br_if $ch${label}Done (i32.gt_s ${add(get('c'), `(i32.const ${width})`)} ${get('row')}))`,
      ...ks.map((k) => `      (local.set $${sfx}a${k} (${load} ${at(add(get('dw'), get('c')), k)}))`),
      ...(dx ? ks.map((k) => `      (local.set $${sfx}w${k} (${load} ${at(add(get('w'), get('c')), k)}))`) : []),
      `      (local.set $xt ${add(get('x'), get('c'))}) (local.set $dxt ${add(get('dx'), get('c'))}) (local.set $gt ${add(get('g'), get('c'))}) (local.set $t (i32.const 0))`,
      `      (loop $st${label}`,
      `        (local.set $${sfx} (${load} ${get('gt')}))`,
      ...ks.map((k) => `        (local.set $${sfx}a${k} (${fadd} ${get(`${sfx}a${k}`)} (${fmul} ${get(sfx)} (${load} ${at(get('xt'), k)}))))`),
      ...(dx
        ? ks.map((k) => `        (${store} ${at(get('dxt'), k)} (${fadd} (${load} ${at(get('dxt'), k)}) (${fmul} ${get(sfx)} ${get(`${sfx}w${k}`)})))`)
        : []),
      `        (local.set $xt ${add(get('xt'), get('step'))}) (local.set $dxt ${add(get('dxt'), get('step'))}) (local.set $gt ${add(get('gt'), get('row'))})`,
      `        (br_if $st${label} (i32.lt_s (local.tee $t ${add(get('t'), '(i32.const 1)')}) ${get('len')})))`,
      ...ks.map((k) => `      (${store} ${at(add(get('dw'), get('c')), k)} ${get(`${sfx}a${k}`)})`),
      `      (local.set $c ${add(get('c'), `(i32.const ${width})`)})`,
      `      (br $ch${label})))`,
    ];
  };
  const variants: string[] = [];
  for (const taps of [3, 5]) {
    const both = (dx: boolean) => ['    (local.set $c (i32.const 0))', ...byChannel(taps, dx, true), ...byChannel(taps, dx, false)];
    variants.push(
      `  (if (i32.eq ${get('kernel')} (i32.const ${taps})) (then`,
      `    (if ${get('hasDx')} (then`,
      ...both(true),
      '    ) (else',
      ...both(false),
      '    ))',
      '    (return)))',
    );
  }
  // Any other kernel size: step-major, the taps in a loop.
  variants.push('    (if ' + get('hasDx') + ' (then', ...steps(true).map((l) => `  ${l}`), '    ) (else', ...steps(false).map((l) => `  ${l}`), '    ))');
  return [
    `(func (export "depthwiseBackward") ${params(['x', 'w', 'g', 'dw', 'dx', 'hasDx', 'len', 'row', 'kernel', 'step'])}`,
    '  (local $t i32) (local $c i32) (local $kk i32) (local $xt i32) (local $dxt i32) (local $gt i32)',
    `  (local $xp i32) (local $dxp i32) (local $wp i32) (local $dwp i32) (local $v v128) (local $s ${p.s})`,
    ...[0, 1, 2, 3, 4].map((k) => `  (local $va${k} v128) (local $vw${k} v128) (local $sa${k} ${p.s}) (local $sw${k} ${p.s})`),
    ...variants,
    ')',
  ].join('\n');
}

/** zero: n elements from byte address `at` set to +0 (a vector at a time, then single elements). */
function zero(p: Precision): string {
  return [
    `(func (export "zero") ${params(['at', 'n'])}`,
    '  (local $end i32)',
    `  (local.set $end ${add(get('at'), `(i32.shl ${get('n')} (i32.const ${p.shift}))`)})`,
    '  (block $vectorsDone (loop $vectors',
    `    (br_if $vectorsDone (i32.gt_u ${add(get('at'), '(i32.const 16)')} ${get('end')}))`,
    `    (v128.store ${get('at')} (v128.const i64x2 0 0))`,
    `    (local.set $at ${add(get('at'), '(i32.const 16)')})`,
    '    (br $vectors)))',
    '  (block $singlesDone (loop $singles',
    `    (br_if $singlesDone (i32.ge_u ${get('at')} ${get('end')}))`,
    `    (${p.s}.store ${get('at')} (${p.s}.const 0))`,
    `    (local.set $at ${add(get('at'), `(i32.const ${p.bytes})`)})`,
    '    (br $singles)))',
    ')',
  ].join('\n');
}

/** accumulate: dst[i] += src[i] for n elements (byte addresses; a vector at a time, then single elements). */
function accumulate(p: Precision): string {
  return [
    `(func (export "accumulate") ${params(['dst', 'src', 'n'])}`,
    '  (local $end i32)',
    `  (local.set $end ${add(get('dst'), `(i32.shl ${get('n')} (i32.const ${p.shift}))`)})`,
    '  (block $vectorsDone (loop $vectors',
    `    (br_if $vectorsDone (i32.gt_u ${add(get('dst'), '(i32.const 16)')} ${get('end')}))`,
    `    (v128.store ${get('dst')} (${p.v}.add (v128.load ${get('dst')}) (v128.load ${get('src')})))`,
    `    (local.set $dst ${add(get('dst'), '(i32.const 16)')}) (local.set $src ${add(get('src'), '(i32.const 16)')})`,
    '    (br $vectors)))',
    '  (block $singlesDone (loop $singles',
    `    (br_if $singlesDone (i32.ge_u ${get('dst')} ${get('end')}))`,
    `    (${p.s}.store ${get('dst')} (${p.s}.add (${p.s}.load ${get('dst')}) (${p.s}.load ${get('src')})))`,
    `    (local.set $dst ${add(get('dst'), `(i32.const ${p.bytes})`)}) (local.set $src ${add(get('src'), `(i32.const ${p.bytes})`)})`,
    '    (br $singles)))',
    ')',
  ].join('\n');
}

/** The kernel module for one element type (float64: the reference; float32: twice the lanes per instruction). */
export function kernelsWat(p: Precision = F64): string {
  return [
    p === F64
      ? ';; Generated by tools/wasm/kernels-wat.ts (see there). Training-engine SIMD kernels; all addresses in bytes.'
      : `;; Generated by tools/wasm/kernels-wat.ts (see there). Training-engine SIMD kernels, ${p.name}; all addresses in bytes.`,
    '(module',
    '(import "env" "memory" (memory 1))',
    ...(p === F32 ? [] : [tile(p, 4, 2), tile(p, 4, 1), tile(p, 4, 0), tile(p, 1, 8), tile(p, 1, 2), tile(p, 1, 1), tile(p, 1, 0)]),
    gemm(p),
    ...activations(p),
    transpose(p),
    zero(p),
    accumulate(p),
    depthwiseForward(p),
    depthwiseBackward(p),
    ...gruWat(p),
    ...poolWat(p),
    ...sparseWat(p),
    ')',
    '',
  ].join('\n');
}

export { F32, F64 };
