/**
 * The GRU recurrence in wasm (see packages/core/src/train/kernels/gru.ts for the equations and layout): per step the
 * h·U product (the GEMM of kernels-wat.ts) and the gates, two units per f64x2. Math.exp and Math.tanh cost 15–25 ns
 * a call and a GRU(32) over 120 steps needs 11,520 of them per sample, so the gates use their own exp below.
 */
import { add, F64, get, i32, load as loadAs, overLanes as overLanesAs, params, type Precision, set, splatConst, store as storeAs } from './wat';

/** The element type of the module being generated (gruWat sets it; every helper below writes for it). */
let p: Precision = F64;
const c = (v: number) => splatConst(p, v);
const f = (op: string, ...args: string[]) => `(${p.v}.${op} ${args.join(' ')})`;
const load = (mode: 'pair' | 'single', address: string) => loadAs(mode, address, p);
const store = (mode: 'pair' | 'single', address: string, value: string) => storeAs(mode, address, value, p);
const overLanes = (label: string, jb: string, limit: string, body: (mode: 'pair' | 'single') => string[]) => overLanesAs(label, jb, limit, body, p);
const ONE = () => c(1);
const TWO = () => c(2);

/**
 * The exp range reduction per element type: MAGIC = 1.5·2^(mantissa bits), whose addition rounds a value to an
 * integer held in the low mantissa bits; (bits(x + MAGIC) − MAGIC_BITS_LESS_BIAS) << mantissa bits is 2^round(x);
 * ln 2 split so that k·LN2_HI is exact over the clamped range (fdlibm's float64 and Cephes' float32 constants);
 * [LOW, HIGH] keeps 2^k a normal number; the Taylor series of expm1 to r^TERMS is below the type's round-off on
 * |r| ≤ ln2/2 (float64: r^13, truncation < 5e-18 relative; float32: r^7, < 2e-8).
 */
const EXP = {
  float64: {
    MAGIC: 6755399441055744,
    MAGIC_BITS_LESS_BIAS: '0x4337FFFFFFFFFC01',
    SHIFT: 52,
    LN2_HI: 6.9314718036912381649e-1,
    LN2_LO: 1.90821492927058770002e-10,
    LOW: -708,
    HIGH: 709,
    TERMS: 13,
  },
  float32: { MAGIC: 12582912, MAGIC_BITS_LESS_BIAS: '0x4B3FFF81', SHIFT: 23, LN2_HI: 0.693359375, LN2_LO: -2.1219444e-4, LOW: -87, HIGH: 88, TERMS: 7 },
} as const;
const LOG2E = 1.4426950408889634;

/**
 * Statements leaving s = 2^k and q = expm1(r) for x = k·ln2 + r, |r| ≤ ln2/2, in two lanes: Cody–Waite reduction and
 * the Taylor polynomial to r^13 (truncation < 5e-18 relative), IEEE mul and add only, so every machine gets the same
 * bits. x is clamped to [−708, 709], where 2^k stays a normal double; beyond that sigmoid and tanh are saturated to
 * within 1e-307 anyway. Then exp(x) = s·(1 + q) and expm1(x) = s·q + (s − 1) (exact for k = 0: no cancellation
 * near 0, which tanh needs).
 */
function expParts(x: string): string[] {
  const { MAGIC, MAGIC_BITS_LESS_BIAS, SHIFT, LN2_HI, LN2_LO, LOW, HIGH, TERMS } = EXP[p.name];
  const lines = [
    // pmin/pmax (one x86 instruction each; wasm's min/max need a NaN-and-signed-zero sequence). NaN stays NaN.
    set('ex', f('pmin', f('pmax', x, c(LOW)), c(HIGH))),
    set('kt', f('add', f('mul', get('ex'), c(LOG2E)), c(MAGIC))),
    set('kf', f('sub', get('kt'), c(MAGIC))),
    set('rr', f('sub', f('sub', get('ex'), f('mul', get('kf'), c(LN2_HI))), f('mul', get('kf'), c(LN2_LO)))),
  ];
  // expm1(r) = r·P(r), P(r) = Σ_{i ≤ 12} r^i/(i + 1)!, by Estrin's scheme (pairs, then pairs of pairs with r², r⁴,
  // r⁸): a dependency chain of ~9 operations instead of Horner's 26, which is what bounds this code.
  const a = (i: number) => {
    let v = 1;
    for (let n = 2; n <= i + 1; n++) v *= n;
    return c(1 / v);
  };
  const pair = (i: number) => f('add', a(i), f('mul', a(i + 1), get('rr')));
  const bits = `(v128.const ${p.int} ${Array<string>(p.lanes).fill(MAGIC_BITS_LESS_BIAS).join(' ')})`;
  const twoToK = set('s', `(${p.int}.shl (${p.int}.sub ${get('kt')} ${bits}) (i32.const ${SHIFT}))`);
  if (TERMS === 7) {
    // expm1(r) = r·P(r), P(r) = Σ_{i ≤ 6} r^i/(i + 1)!, Estrin as below.
    lines.push(
      set('r2', f('mul', get('rr'), get('rr'))),
      set('r4', f('mul', get('r2'), get('r2'))),
      set('c0', f('add', pair(0), f('mul', pair(2), get('r2')))),
      set('c1', f('add', pair(4), f('mul', a(6), get('r2')))),
      set('q', f('mul', get('rr'), f('add', get('c0'), f('mul', get('c1'), get('r4'))))),
      twoToK,
    );
    return lines;
  }
  lines.push(
    set('r2', f('mul', get('rr'), get('rr'))),
    set('r4', f('mul', get('r2'), get('r2'))),
    set('c0', f('add', pair(0), f('mul', pair(2), get('r2')))),
    set('c1', f('add', pair(4), f('mul', pair(6), get('r2')))),
    set('c2', f('add', pair(8), f('mul', pair(10), get('r2')))),
    set('c0', f('add', get('c0'), f('mul', get('c1'), get('r4')))),
    set('c2', f('add', get('c2'), f('mul', a(12), get('r4')))),
    set('q', f('mul', get('rr'), f('add', get('c0'), f('mul', get('c2'), f('mul', get('r4'), get('r4')))))),
  );
  lines.push(twoToK);
  return lines;
}

/** target = σ(x) = 1 / (1 + exp(−x)). */
function sigmoid(target: string, x: string): string[] {
  return [...expParts(f('neg', x)), set(target, f('div', ONE(), f('add', ONE(), f('mul', get('s'), f('add', ONE(), get('q'))))))];
}

/** target = tanh(x) = expm1(2x) / (expm1(2x) + 2). */
function tanh(target: string, x: string): string[] {
  return [
    set('a', x),
    ...expParts(f('add', get('a'), get('a'))),
    set('em', f('add', f('mul', get('s'), get('q')), f('sub', get('s'), ONE()))),
    set(target, f('div', get('em'), f('add', get('em'), TWO()))),
  ];
}

const EXP_LOCALS =
  '(local $ex v128) (local $kt v128) (local $kf v128) (local $rr v128) (local $r2 v128) (local $r4 v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $q v128) (local $s v128) (local $a v128) (local $em v128)';
const at = (...parts: string[]) => parts.reduce((x, y) => add(x, y));

/**
 * gruForward: the recurrence over `steps` steps, given xp = x·W + b_in for every step ([steps][3u], computed before
 * by one GEMM): per step hp = h_{t-1}·U + b_rec (only b_rec at t = 0, h_{-1} = 0), then
 * z = σ(xp_z + hp_z), r = σ(xp_r + hp_r), ĥ = tanh(xp_h + r ⊙ hp_h), h_t = z ⊙ h_{t-1} + (1 − z) ⊙ ĥ,
 * keeping z, r, ĥ and hp_h per step for backward. h is [(steps + 1)][u] with row 0 the zero initial state.
 */
function gruForward(): string {
  // Two passes per step: the update and reset gates of every unit (independent, so their exps overlap), then the
  // candidates, which need r.
  const gates = (mode: 'pair' | 'single') => [
    set('p', at(get('xt'), get('jb'))),
    set('hq', at(get('hp'), get('jb'))),
    set('gi', at(get('row'), get('jb'))),
    ...sigmoid('z', f('add', load(mode, get('p')), load(mode, get('hq')))),
    store(mode, at(get('gz'), get('gi')), get('z')),
    ...sigmoid('r', f('add', load(mode, at(get('p'), get('u8'))), load(mode, at(get('hq'), get('u8'))))),
    store(mode, at(get('gr'), get('gi')), get('r')),
  ];
  const body = (mode: 'pair' | 'single') => [
    set('p', at(get('xt'), get('jb'))),
    set('hq', at(get('hp'), get('jb'))),
    set('gi', at(get('row'), get('jb'))),
    set('rec', load(mode, at(get('hq'), get('u16')))),
    ...tanh('n', f('add', load(mode, at(get('p'), get('u16'))), f('mul', load(mode, at(get('gr'), get('gi'))), get('rec')))),
    store(mode, at(get('cn'), get('gi')), get('n')),
    store(mode, at(get('rh'), get('gi')), get('rec')),
    set('z', load(mode, at(get('gz'), get('gi')))),
    set('p', at(get('h'), get('gi'))),
    store(mode, at(get('p'), get('u8')), f('add', f('mul', get('z'), load(mode, get('p'))), f('mul', f('sub', ONE(), get('z')), get('n')))),
  ];
  return [
    `(func (export "gruForward") ${params(['xp', 'w', 'bias', 'h', 'gz', 'gr', 'cn', 'rh', 'hp', 'steps', 'u'])}`,
    '  (local $t i32) (local $jb i32) (local $u8 i32) (local $u16 i32) (local $g8 i32) (local $xt i32) (local $row i32) (local $p i32) (local $hq i32) (local $gi i32)',
    `  (local $z v128) (local $r v128) (local $n v128) (local $rec v128) ${EXP_LOCALS}`,
    `  ${set('u8', `(i32.shl ${get('u')} (i32.const ${p.shift}))`)} ${set('u16', add(get('u8'), get('u8')))} ${set('g8', add(get('u16'), get('u8')))}`,
    `  ${set('xt', get('xp'))}`,
    '  (loop $step',
    `    ${set('row', `(i32.mul ${get('t')} ${get('u8')})`)}`,
    `    (call $gemm ${at(get('h'), get('row'))} (i32.const 0) (i32.const ${p.bytes}) ${get('w')} ${get('g8')} ${get('hp')} (i32.const 0) (i32.const 1) (i32.mul ${get('u')} (i32.const 3)) (select ${get('u')} (i32.const 0) ${get('t')}) ${get('bias')} (i32.const 0))`,
    ...overLanes('gates', 'jb', get('u8'), gates).map((l) => `    ${l}`),
    ...overLanes('unit', 'jb', get('u8'), body).map((l) => `    ${l}`),
    `    ${set('xt', add(get('xt'), get('g8')))}`,
    `    (br_if $step (i32.lt_s (local.tee $t ${add(get('t'), i32(1))}) ${get('steps')})))`,
    ')',
  ].join('\n');
}

/**
 * gruBackward: back-propagation through time from dLoss/dh at the last step (ds, set by the caller; with seq ≠ 0
 * also og [steps][u], dLoss/dh_t of every step, added on the way): per step the pre-activation gradients of the
 * x side (gx: dz | dr | dĥ) and the h side (gh: dz | dr | dĥ ⊙ r), kept for every step for the weight GEMMs, and
 * ds ← z ⊙ ds + gh_t·Uᵀ (ut = Uᵀ [3u][u]), the last skipped at t = 0 (h_{-1} = 0 needs no gradient).
 */
function gruBackward(): string {
  const body = (mode: 'pair' | 'single') => [
    set('gi', at(get('row'), get('jb'))),
    set('d', load(mode, at(get('ds'), get('jb')))),
    set('z', load(mode, at(get('gz'), get('gi')))),
    set('r', load(mode, at(get('gr'), get('gi')))),
    set('n', load(mode, at(get('cn'), get('gi')))),
    set('omz', f('sub', ONE(), get('z'))),
    set('dn', f('mul', f('mul', get('d'), get('omz')), f('sub', ONE(), f('mul', get('n'), get('n'))))),
    set('dz', f('mul', f('mul', f('mul', get('d'), f('sub', load(mode, at(get('h'), get('gi'))), get('n'))), get('z')), get('omz'))),
    set('dr', f('mul', f('mul', f('mul', get('dn'), load(mode, at(get('rh'), get('gi')))), get('r')), f('sub', ONE(), get('r')))),
    set('p', at(get('gx'), get('go'), get('jb'))),
    store(mode, get('p'), get('dz')),
    store(mode, at(get('p'), get('u8')), get('dr')),
    store(mode, at(get('p'), get('u16')), get('dn')),
    set('p', at(get('gh'), get('go'), get('jb'))),
    store(mode, get('p'), get('dz')),
    store(mode, at(get('p'), get('u8')), get('dr')),
    store(mode, at(get('p'), get('u16')), f('mul', get('dn'), get('r'))),
    store(mode, at(get('ds'), get('jb')), f('mul', get('d'), get('z'))),
  ];
  const addOutputGrad = (mode: 'pair' | 'single') => [
    set('p', at(get('ds'), get('jb'))),
    store(mode, get('p'), f('add', load(mode, get('p')), load(mode, at(get('og'), get('row'), get('jb'))))),
  ];
  return [
    `(func (export "gruBackward") ${params(['h', 'gz', 'gr', 'cn', 'rh', 'gx', 'gh', 'ds', 'ut', 'og', 'seq', 'steps', 'u'])}`,
    '  (local $t i32) (local $jb i32) (local $u8 i32) (local $u16 i32) (local $g8 i32) (local $row i32) (local $go i32) (local $p i32) (local $gi i32)',
    '  (local $d v128) (local $z v128) (local $r v128) (local $n v128) (local $omz v128) (local $dn v128) (local $dz v128) (local $dr v128)',
    `  ${set('u8', `(i32.shl ${get('u')} (i32.const ${p.shift}))`)} ${set('u16', add(get('u8'), get('u8')))} ${set('g8', add(get('u16'), get('u8')))}`,
    `  ${set('t', `(i32.sub ${get('steps')} (i32.const 1))`)}`,
    '  (loop $step',
    `    ${set('row', `(i32.mul ${get('t')} ${get('u8')})`)}`,
    `    ${set('go', `(i32.mul ${get('t')} ${get('g8')})`)}`,
    `    (if ${get('seq')} (then`,
    ...overLanes('seq', 'jb', get('u8'), addOutputGrad).map((l) => `      ${l}`),
    '    ))',
    ...overLanes('unit', 'jb', get('u8'), body).map((l) => `    ${l}`),
    `    (if ${get('t')} (then (call $gemm ${at(get('gh'), get('go'))} (i32.const 0) (i32.const ${p.bytes}) ${get('ut')} ${get('u8')} ${get('ds')} (i32.const 0) (i32.const 1) ${get('u')} (i32.mul ${get('u')} (i32.const 3)) (i32.const 0) (i32.const 1))))`,
    `    (br_if $step (i32.ge_s (local.tee $t (i32.sub ${get('t')} (i32.const 1))) (i32.const 0))))`,
    ')',
  ].join('\n');
}

export function gruWat(precision: Precision): string[] {
  p = precision;
  return [gruForward(), gruBackward()];
}
