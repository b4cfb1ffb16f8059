/**
 * The int8 linear kernel (conv1d; pointwise and dense are its kernel-1 cases) in WebAssembly SIMD, for the evaluate
 * stage's tens of thousands of windows per fold. It computes exactly what quantize/kernels/conv1d.ts (and the C
 * runtime) computes: int32 sums are exact in any order, and the requantisation is requantize.ts's, in i64.
 */
import { add, get, i32, params, set } from './wat';

/**
 * conv1d(input, weights, bias, mult, shift, output, acc, inLength, channels, kernel, stride, padBefore, outLength,
 * filters, zx, zout, actMin, actMax): input int8 [inLength][channels], weights int8 [kernel][channels][filters],
 * bias / mult / shift int32 [filters], output int8 [outLength][filters]; `acc` is filters int32 of scratch.
 * Per input value x − zx ≠ 0, eight filters at a time: the weights sign-extended to i16 and multiplied by x into
 * two i32x4 (|x − zx| ≤ 255, |w| ≤ 128, so the product is exact), the filters left over one at a time.
 */
function conv1d(): string {
  const names = [
    'input',
    'weights',
    'bias',
    'mult',
    'shift',
    'output',
    'acc',
    'inLength',
    'channels',
    'kernel',
    'stride',
    'padBefore',
    'outLength',
    'filters',
    'zx',
    'zout',
    'actMin',
    'actMax',
  ];
  const accAt = (f: string) => add(get('acc'), `(i32.shl ${get(f)} ${i32(2)})`);
  return [
    `(func (export "conv1d") ${params(names)}`,
    '  (local $t i32) (local $k i32) (local $c i32) (local $f i32) (local $start i32) (local $firstTap i32) (local $endTap i32)',
    '  (local $x i32) (local $xs v128) (local $w i32) (local $a i32) (local $wv v128) (local $blocks i32) (local $o i32)',
    `  ${set('blocks', `(i32.and ${get('filters')} ${i32(-8)})`)}`,
    `  ${set('t', i32(0))}`,
    '  (block $stepsDone (loop $steps',
    `    (br_if $stepsDone (i32.ge_s ${get('t')} ${get('outLength')}))`,
    `    ${set('start', `(i32.sub (i32.mul ${get('t')} ${get('stride')}) ${get('padBefore')})`)}`,
    `    ${set('firstTap', `(select ${i32(0)} (i32.sub ${i32(0)} ${get('start')}) (i32.ge_s ${get('start')} ${i32(0)}))`)}`,
    `    ${set('endTap', `(i32.sub ${get('inLength')} ${get('start')})`)}`,
    `    ${set('endTap', `(select ${get('kernel')} ${get('endTap')} (i32.lt_s ${get('kernel')} ${get('endTap')}))`)}`,
    `    (memory.copy ${get('acc')} ${get('bias')} (i32.shl ${get('filters')} ${i32(2)}))`,
    `    ${set('k', get('firstTap'))}`,
    '    (block $tapsDone (loop $taps',
    `      (br_if $tapsDone (i32.ge_s ${get('k')} ${get('endTap')}))`,
    `      ${set('c', i32(0))}`,
    '      (block $channelsDone (loop $channels',
    `        (br_if $channelsDone (i32.ge_s ${get('c')} ${get('channels')}))`,
    `        ${set('x', `(i32.sub (i32.load8_s ${add(get('input'), add(`(i32.mul ${add(get('start'), get('k'))} ${get('channels')})`, get('c')))}) ${get('zx')})`)}`,
    // A zero tap adds nothing (the padding and every ReLU zero): skip its row of weights.
    `        (if ${get('x')} (then`,
    `          ${set('w', add(get('weights'), `(i32.mul ${add(`(i32.mul ${get('k')} ${get('channels')})`, get('c'))} ${get('filters')})`))}`,
    `          ${set('xs', `(i16x8.splat ${get('x')})`)}`,
    `          ${set('f', i32(0))}`,
    '          (block $vectorsDone (loop $vectors',
    `            (br_if $vectorsDone (i32.ge_s ${get('f')} ${get('blocks')}))`,
    `            ${set('wv', `(v128.load8x8_s ${add(get('w'), get('f'))})`)}`,
    `            ${set('a', accAt('f'))}`,
    `            (v128.store ${get('a')} (i32x4.add (v128.load ${get('a')}) (i32x4.extmul_low_i16x8_s ${get('xs')} ${get('wv')})))`,
    `            (v128.store offset=16 ${get('a')} (i32x4.add (v128.load offset=16 ${get('a')}) (i32x4.extmul_high_i16x8_s ${get('xs')} ${get('wv')})))`,
    `            ${set('f', add(get('f'), i32(8)))}`,
    '            (br $vectors)))',
    '          (block $restDone (loop $rest',
    `            (br_if $restDone (i32.ge_s ${get('f')} ${get('filters')}))`,
    `            ${set('a', accAt('f'))}`,
    `            (i32.store ${get('a')} (i32.add (i32.load ${get('a')}) (i32.mul ${get('x')} (i32.load8_s ${add(get('w'), get('f'))}))))`,
    `            ${set('f', add(get('f'), i32(1)))}`,
    '            (br $rest)))))',
    `        ${set('c', add(get('c'), i32(1)))}`,
    '        (br $channels)))',
    `      ${set('k', add(get('k'), i32(1)))}`,
    '      (br $taps)))',
    `    ${set('o', add(get('output'), `(i32.mul ${get('t')} ${get('filters')})`))}`,
    `    ${set('f', i32(0))}`,
    '    (block $requantDone (loop $requant',
    `      (br_if $requantDone (i32.ge_s ${get('f')} ${get('filters')}))`,
    `      (i32.store8 ${add(get('o'), get('f'))} (call $requantizeToInt8 (i32.load ${accAt('f')}) (i32.load ${add(get('mult'), `(i32.shl ${get('f')} ${i32(2)})`)}) (i32.load ${add(get('shift'), `(i32.shl ${get('f')} ${i32(2)})`)}) ${get('zout')} ${get('actMin')} ${get('actMax')}))`,
    `      ${set('f', add(get('f'), i32(1)))}`,
    '      (br $requant)))',
    `    ${set('t', add(get('t'), i32(1)))}`,
    '    (br $steps)))',
    ')',
  ].join('\n');
}

/**
 * requantize.ts's requantizeToInt8 on an int32 accumulator: saturating left shift, gemmlowp's saturating rounding
 * doubling high multiply (the 62-bit product in i64, nudged, divided by 2^31 truncating toward zero), rounding
 * divide by a power of two (ties away from zero), ±512 bound, output zero point, activation clamp.
 */
function requantizeToInt8(): string {
  return `(func $requantizeToInt8 (param $acc i32) (param $mult i32) (param $shift i32) (param $zout i32) (param $actMin i32) (param $actMax i32) (result i32)
  (local $wide i64) (local $a i32) (local $product i64) (local $r i32) (local $e i32) (local $mask i32) (local $v i32)
  (local.set $wide (i64.shl (i64.extend_i32_s (local.get $acc)) (i64.extend_i32_u (select (local.get $shift) (i32.const 0) (i32.gt_s (local.get $shift) (i32.const 0))))))
  (local.set $wide (select (i64.const 2147483647) (local.get $wide) (i64.gt_s (local.get $wide) (i64.const 2147483647))))
  (local.set $wide (select (i64.const -2147483648) (local.get $wide) (i64.lt_s (local.get $wide) (i64.const -2147483648))))
  (local.set $a (i32.wrap_i64 (local.get $wide)))
  (local.set $product (i64.mul (i64.extend_i32_s (local.get $a)) (i64.extend_i32_s (local.get $mult))))
  (local.set $r (i32.wrap_i64 (i64.div_s
    (i64.add (local.get $product) (select (i64.const 1073741824) (i64.const -1073741823) (i64.ge_s (local.get $product) (i64.const 0))))
    (i64.const 2147483648))))
  (if (i32.and (i32.eq (local.get $a) (i32.const -2147483648)) (i32.eq (local.get $mult) (i32.const -2147483648)))
    (then (local.set $r (i32.const 2147483647))))
  (local.set $e (select (i32.const 0) (i32.sub (i32.const 0) (local.get $shift)) (i32.gt_s (local.get $shift) (i32.const 0))))
  (local.set $mask (i32.sub (i32.shl (i32.const 1) (local.get $e)) (i32.const 1)))
  (local.set $r (i32.add (i32.shr_s (local.get $r) (local.get $e))
    (i32.gt_s (i32.and (local.get $r) (local.get $mask)) (i32.add (i32.shr_u (local.get $mask) (i32.const 1)) (i32.lt_s (local.get $r) (i32.const 0))))))
  (local.set $r (select (i32.const 512) (local.get $r) (i32.gt_s (local.get $r) (i32.const 512))))
  (local.set $r (select (i32.const -512) (local.get $r) (i32.lt_s (local.get $r) (i32.const -512))))
  (local.set $v (i32.add (local.get $r) (local.get $zout)))
  (local.set $v (select (local.get $actMin) (local.get $v) (i32.lt_s (local.get $v) (local.get $actMin))))
  (select (local.get $actMax) (local.get $v) (i32.gt_s (local.get $v) (local.get $actMax))))`;
}

/** The module: imports its memory (env.memory) and exports conv1d. */
export function int8KernelsWat(): string {
  return ['(module', '(import "env" "memory" (memory 1))', requantizeToInt8(), conv1d(), ')'].join('\n');
}
