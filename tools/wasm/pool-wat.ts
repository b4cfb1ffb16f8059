/**
 * Pooling in wasm, channels two per f64x2 (an odd last channel alone): max pooling with the window's argmax kept
 * for backward, average pooling, and the global average pool. Same rules as the TypeScript they replace: the max starts from the
 * window's first value and moves only on a strictly greater one (the first of equal values wins, and all-negative
 * windows are handled), the gradient goes to the argmax; the mean sums time steps in order, then scales.
 */
import { add, F64, get, i32, load as loadAs, overLanes as overLanesAs, params, type Precision, set, splatConst, store as storeAs } from './wat';

/** The element type of the module being generated (poolWat sets it; every helper below writes for it). */
let p: Precision = F64;
const f = (op: string, ...args: string[]) => `(${p.v}.${op} ${args.join(' ')})`;
/** A tap index in every lane, as the integer lanes of the element width (the argmax is kept in those). */
const splatK = (k: string) => (p.lanes === 2 ? `(i64x2.splat (i64.extend_i32_u ${k}))` : `(i32x4.splat ${k})`);
const load = (mode: 'pair' | 'single', address: string) => loadAs(mode, address, p);
const store = (mode: 'pair' | 'single', address: string, value: string) => storeAs(mode, address, value, p);
const overLanes = (label: string, jb: string, limit: string, body: (mode: 'pair' | 'single') => string[]) => overLanesAs(label, jb, limit, body, p);

/** maxPoolForward: out[t][c] = max_k x[t·step + k·row + c], arg[t][c] = that k (as integer lanes of the element's width); row = C·bytes. */
function maxPoolForward(): string {
  const body = (mode: 'pair' | 'single') => [
    set('p', add(get('xt'), get('jb'))),
    set('best', load(mode, get('p'))),
    set('bk', `(v128.const ${p.int} ${Array<string>(p.lanes).fill('0').join(' ')})`),
    set('k', i32(1)),
    `(if (i32.gt_s ${get('pool')} (i32.const 1)) (then (loop $taps`,
    `  ${set('p', add(get('p'), get('row')))}`,
    `  ${set('v', load(mode, get('p')))}`,
    `  ${set('m', f('gt', get('v'), get('best')))}`,
    `  ${set('best', `(v128.bitselect ${get('v')} ${get('best')} ${get('m')})`)}`,
    `  ${set('bk', `(v128.bitselect ${splatK(get('k'))} ${get('bk')} ${get('m')})`)}`,
    `  (br_if $taps (i32.lt_s (local.tee $k ${add(get('k'), i32(1))}) ${get('pool')})))))`,
    store(mode, add(get('ot'), get('jb')), get('best')),
    store(mode, add(get('at'), get('jb')), get('bk')),
  ];
  return [
    `(func (export "maxPoolForward") ${params(['x', 'out', 'arg', 'len', 'row', 'pool', 'step'])}`,
    '  (local $t i32) (local $jb i32) (local $k i32) (local $xt i32) (local $ot i32) (local $at i32) (local $p i32)',
    '  (local $best v128) (local $bk v128) (local $v v128) (local $m v128)',
    `  ${set('xt', get('x'))} ${set('ot', get('out'))} ${set('at', get('arg'))}`,
    '  (loop $steps',
    ...overLanes('channel', 'jb', get('row'), body).map((l) => `    ${l}`),
    `    ${set('xt', add(get('xt'), get('step')))} ${set('ot', add(get('ot'), get('row')))} ${set('at', add(get('at'), get('row')))}`,
    `    (br_if $steps (i32.lt_s (local.tee $t ${add(get('t'), i32(1))}) ${get('len')})))`,
    ')',
  ].join('\n');
}

/** maxPoolBackward: dx (zeroed by the caller) [t·step + arg·row + c] += g[t][c]; overlapping windows add up. */
function maxPoolBackward(): string {
  const body = (mode: 'pair' | 'single') => [
    set('gv', load(mode, add(get('gt'), get('jb')))),
    set('bk', load(mode, add(get('at'), get('jb')))),
    set('p', add(get('dt'), get('jb'))),
    set('k', i32(0)),
    '(loop $taps',
    `  ${store(mode, get('p'), f('add', load(mode, get('p')), `(v128.and ${get('gv')} (${p.int}.eq ${get('bk')} ${splatK(get('k'))}))`))}`,
    `  ${set('p', add(get('p'), get('row')))}`,
    `  (br_if $taps (i32.lt_s (local.tee $k ${add(get('k'), i32(1))}) ${get('pool')})))`,
  ];
  return [
    `(func (export "maxPoolBackward") ${params(['g', 'arg', 'dx', 'len', 'row', 'pool', 'step'])}`,
    '  (local $t i32) (local $jb i32) (local $k i32) (local $gt i32) (local $at i32) (local $dt i32) (local $p i32)',
    '  (local $gv v128) (local $bk v128)',
    `  ${set('gt', get('g'))} ${set('at', get('arg'))} ${set('dt', get('dx'))}`,
    '  (loop $steps',
    ...overLanes('channel', 'jb', get('row'), body).map((l) => `    ${l}`),
    `    ${set('gt', add(get('gt'), get('row')))} ${set('at', add(get('at'), get('row')))} ${set('dt', add(get('dt'), get('step')))}`,
    `    (br_if $steps (i32.lt_s (local.tee $t ${add(get('t'), i32(1))}) ${get('len')})))`,
    ')',
  ].join('\n');
}

/** avgPoolForward: out[t][c] = (Σ_k x[t·step + k·row + c]) · scale, the taps summed in order from 0. */
function avgPoolForward(): string {
  const body = (mode: 'pair' | 'single') => [
    set('s', splatConst(p, 0)),
    set('p', add(get('xt'), get('jb'))),
    set('k', i32(0)),
    '(loop $taps',
    `  ${set('s', f('add', get('s'), load(mode, get('p'))))}`,
    `  ${set('p', add(get('p'), get('row')))}`,
    `  (br_if $taps (i32.lt_s (local.tee $k ${add(get('k'), i32(1))}) ${get('pool')})))`,
    store(mode, add(get('ot'), get('jb')), f('mul', get('s'), get('sv'))),
  ];
  return [
    `(func (export "avgPoolForward") ${params(['x', 'out', 'len', 'row', 'pool', 'step'])} (param $scale ${p.s})`,
    '  (local $t i32) (local $jb i32) (local $k i32) (local $xt i32) (local $ot i32) (local $p i32) (local $s v128) (local $sv v128)',
    `  ${set('sv', `(${p.v}.splat ${get('scale')})`)} ${set('xt', get('x'))} ${set('ot', get('out'))}`,
    '  (loop $steps',
    ...overLanes('channel', 'jb', get('row'), body).map((l) => `    ${l}`),
    `    ${set('xt', add(get('xt'), get('step')))} ${set('ot', add(get('ot'), get('row')))}`,
    `    (br_if $steps (i32.lt_s (local.tee $t ${add(get('t'), i32(1))}) ${get('len')})))`,
    ')',
  ].join('\n');
}

/** avgPoolBackward: dx (zeroed by the caller) [t·step + k·row + c] += g[t][c] · scale for every tap k. */
function avgPoolBackward(): string {
  const body = (mode: 'pair' | 'single') => [
    set('share', f('mul', load(mode, add(get('gt'), get('jb'))), get('sv'))),
    set('p', add(get('dt'), get('jb'))),
    set('k', i32(0)),
    '(loop $taps',
    `  ${store(mode, get('p'), f('add', load(mode, get('p')), get('share')))}`,
    `  ${set('p', add(get('p'), get('row')))}`,
    `  (br_if $taps (i32.lt_s (local.tee $k ${add(get('k'), i32(1))}) ${get('pool')})))`,
  ];
  return [
    `(func (export "avgPoolBackward") ${params(['g', 'dx', 'len', 'row', 'pool', 'step'])} (param $scale ${p.s})`,
    '  (local $t i32) (local $jb i32) (local $k i32) (local $gt i32) (local $dt i32) (local $p i32) (local $share v128) (local $sv v128)',
    `  ${set('sv', `(${p.v}.splat ${get('scale')})`)} ${set('gt', get('g'))} ${set('dt', get('dx'))}`,
    '  (loop $steps',
    ...overLanes('channel', 'jb', get('row'), body).map((l) => `    ${l}`),
    `    ${set('gt', add(get('gt'), get('row')))} ${set('dt', add(get('dt'), get('step')))}`,
    `    (br_if $steps (i32.lt_s (local.tee $t ${add(get('t'), i32(1))}) ${get('len')})))`,
    ')',
  ].join('\n');
}

/** meanForward: out[c] = (Σ_t x[t][c]) · scale over len steps of row bytes. */
function meanForward(): string {
  const body = (mode: 'pair' | 'single') => [
    set('s', splatConst(p, 0)),
    set('p', add(get('x'), get('jb'))),
    set('t', i32(0)),
    '(loop $steps',
    `  ${set('s', f('add', get('s'), load(mode, get('p'))))}`,
    `  ${set('p', add(get('p'), get('row')))}`,
    `  (br_if $steps (i32.lt_s (local.tee $t ${add(get('t'), i32(1))}) ${get('len')})))`,
    store(mode, add(get('out'), get('jb')), f('mul', get('s'), `(${p.v}.splat ${get('scale')})`)),
  ];
  return [
    `(func (export "meanForward") ${params(['x', 'out', 'len', 'row'])} (param $scale ${p.s})`,
    '  (local $t i32) (local $jb i32) (local $p i32) (local $s v128)',
    ...overLanes('channel', 'jb', get('row'), body).map((l) => `  ${l}`),
    ')',
  ].join('\n');
}

/** meanBackward: dx[t][c] = g[c] · scale for every step. */
function meanBackward(): string {
  const body = (mode: 'pair' | 'single') => [
    store(mode, add(get('dt'), get('jb')), f('mul', load(mode, add(get('g'), get('jb'))), `(${p.v}.splat ${get('scale')})`)),
  ];
  return [
    `(func (export "meanBackward") ${params(['g', 'dx', 'len', 'row'])} (param $scale ${p.s})`,
    '  (local $t i32) (local $jb i32) (local $dt i32)',
    `  ${set('dt', get('dx'))}`,
    '  (loop $steps',
    ...overLanes('channel', 'jb', get('row'), body).map((l) => `    ${l}`),
    `    ${set('dt', add(get('dt'), get('row')))}`,
    `    (br_if $steps (i32.lt_s (local.tee $t ${add(get('t'), i32(1))}) ${get('len')})))`,
    ')',
  ].join('\n');
}

export function poolWat(precision: Precision): string[] {
  p = precision;
  return [maxPoolForward(), maxPoolBackward(), avgPoolForward(), avgPoolBackward(), meanForward(), meanBackward()];
}
