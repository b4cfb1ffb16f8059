/**
 * The exact memory model. flash-test compares these figures with the linker's, byte for byte, so the layouts below
 * are THE contract the quantiser and the C emitter follow; change them here first.
 *
 * FLASH — the model's constants are emitted as one `const` blob (one symbol, so the linker cannot pad between
 * arrays), in this order; every array starts 4-byte aligned, and int8 arrays are zero-padded to a multiple of 4:
 *   1. model header, int32[6]: input tensor {zero_point, multiplier, shift}, output (logits) tensor {zero_point,
 *      multiplier, shift}; a scale is multiplier·2^(shift−31) with multiplier in [2^30, 2^31).          → quantParams
 *   2. per deployed op (ops.ts: batch-norms folded, trailing ReLU/ReLU6 fused), in op order:
 *      - conv1d, depthwise1d, pointwise1d, dense (C_out = filters, channels, filters, units):
 *          int32[4] op header {input_zero_point, output_zero_point, act_min, act_max}                     → quantParams
 *          int32 multiplier[C_out], int32 shift[C_out] (per output channel: s_in·s_w[c]/s_out)            → quantParams
 *          int32 bias[C_out]                                                                               → biases
 *          int8 weights, paramLayout order (params.ts), padded to 4                                        → weights (+ padding)
 *      - gru (u units, 3u gate columns):
 *          int32[4] op header; int32 multiplier[3u], shift[3u] for the kernel (x·W into the gate domain);
 *          int32 multiplier[3u], shift[3u] for the recurrent matrix; int32 {multiplier, shift} from the int16
 *          Q0.15 state to the int8 output: 16 + 48u + 8 bytes                                              → quantParams
 *          int32 bias[2][3u]                                                                               → biases
 *          int8 kernel [inC][3u] then recurrent [u][3u], padded to 4                                       → weights (+ padding)
 *      - standalone relu / relu6 (one that could not be fused): int32[4] op header                        → quantParams
 *      - maxpool1d, avgpool1d, globalavgpool: nothing; their output keeps the input's scale and zero point.
 *   Sigmoid/tanh for the GRU are fixed-point routines of the runtime, not per-model tables.
 *   3. evidential heads only, the exit table: per prediction in run order (early exits, then the final one),
 *      int32 {evidence_one_q16, threshold_q15}: 1/s of that exit's evidence tensor in Q16 and the uncertainty
 *      threshold in Q15 (quantize/ defines both; the final exit's threshold is unused): 8 bytes per exit    → quantParams
 *      with exp evidence (model/evidence.ts), then every exit's int32 evidence_table[256]: 1 KB per exit     → quantParams
 *   4. the runtime (kernels, requantisation, glue): board.yaml `memory.runtimeCodeBytes`, an estimate until
 *      flash-test measures the real C runtime per board.
 *
 * SRAM — arena + input + result + postProcessing + static + stack + reserve:
 *   arena:   one `int8_t arena[arenaBytes]` aligned to 16, laid out by the planner (arena.ts, arena-tensors.ts):
 *            activations and GRU scratch at the planned offsets;
 *   input:   one `int8_t input[T·C]`, the quantised window (row-major [t][c]), outside the arena;
 *   result:  the `tinyml_result_t` tinyml_infer() fills (model.h; the golden-test harness holds one statically), its
 *            exact C size: int32 fields and int8/uint8 arrays, every member at most 4-byte aligned on every target
 *            (resultBytes below);
 *   postProcessing: the alarm rule's state in model.c (emit-model.ts alarmSource), exact symbol sizes: uint8
 *            history[n], int32 votes[E], int32 hold[E] and the tinyml_alarm_t {int32 k, n, refractory_samples, events;
 *            three pointers; int32 next} — 32 bytes with 4-byte pointers, 48 with 8-byte ones (postProcessingBytes).
 *            Known once the spec's evaluate.postProcessing reaches the firmware (emit-firmware, flash-test); the
 *            search and train-cascade judge models without it, so a model within n + 8E + 48 bytes of the SRAM budget
 *            can still be refused at emit-firmware;
 *   static:  board.yaml `memory.runtimeRamBytes`: every other byte of .data/.bss — the platform layer, libc (e.g.
 *            picolibc's TLS block), the harness's counters — and the alignment gaps the linker leaves between and
 *            inside those sections (the arena's 16-byte alignment, the 8-byte section ends). A per-board upper bound,
 *            measured on real builds; flash-test measures the real figure on every build and fails, naming the
 *            field, when it is larger;
 *   stack:   board.yaml `memory.stackBytes`, what the linker script reserves;
 *   reserve: board.yaml `memory.reserveSramBytes`, what the board's own software keeps.
 * arena + input + result + postProcessing + static + stack is what the linker places in RAM, from RAM's origin to the stack's top
 * (ld's own measure: gaps included), so a model within the budget links whenever flash-test's measurement of static
 * is within runtimeRamBytes.
 *
 * BUDGET — the spec's `search.budget` already excludes the board reserve (its default is sramBytes −
 * reserveSramBytes, see defaultBudget), so a model fits when arena + input + result + static + stack ≤
 * budget.sramBytes and the flash total (runtime included) ≤ budget.flashBytes. With the default budget that is
 * exactly sram.total ≤ the board's SRAM and flash.total ≤ its flash.
 */
import type { BoardMemory } from '../spec/types';
import type { ArenaPlan } from './arena';
import { ArenaTensor, arenaTensors } from './arena-tensors';
import { planArena } from './arena';
import { evidenceFunctionOf } from './evidence';
import type { ModelIR } from './ir';
import { DeployedOp, lowerToOps } from './ops';
import { elementCount, paramLayout } from './params';

export const MODEL_HEADER_BYTES = 24;
export const OP_HEADER_BYTES = 16;
/** One exit-table row: int32 evidence_one_q16 + int32 threshold_q15. */
export const EXIT_ENTRY_BYTES = 8;
/** An exp evidence exit's table: int32 per int8 value. */
export const EVIDENCE_TABLE_BYTES = 4 * 256;
/** int32 multiplier + int32 shift. */
const REQUANT_BYTES = 8;

export interface FlashBreakdown {
  /** int8 weights (unpadded). */
  weights: number;
  /** int32 biases. */
  biases: number;
  /** Headers, per-channel multipliers and shifts (see the contract above). */
  quantParams: number;
  /** Zero bytes that pad int8 weight arrays to a multiple of 4. */
  padding: number;
  runtimeCode: number;
  total: number;
}

export interface SramBreakdown {
  arena: number;
  input: number;
  /** sizeof(tinyml_result_t). */
  result: number;
  /** The alarm rule's state in model.c (postProcessingBytes); 0 when the caller did not give the rule. */
  postProcessing: number;
  /** Every other static byte (runtime, platform, libc, harness, alignment): board.yaml memory.runtimeRamBytes. */
  static: number;
  stack: number;
  reserve: number;
  total: number;
}

export interface MemoryBudget {
  /** SRAM for arena + input + result + static + stack (the board reserve already taken off). */
  sramBytes: number;
  /** Flash for the model's constants and the runtime. */
  flashBytes: number;
}

/** Per deployed op: the flash bytes of its constants. */
export interface OpFlash {
  op: number;
  kind: DeployedOp['kind'];
  weights: number;
  biases: number;
  quantParams: number;
  padding: number;
}

export interface MemoryReport {
  flash: FlashBreakdown;
  sram: SramBreakdown;
  /** The budget it was judged against, what it uses of it, and the verdict. */
  budget: MemoryBudget & { sramUsed: number; flashUsed: number };
  fits: boolean;
  plan: ArenaPlan<ArenaTensor>;
  ops: OpFlash[];
}

/** What a board leaves to the model when the spec sets no budget: its SRAM minus the reserve, and all its flash. */
export function defaultBudget(board: { memory: Pick<BoardMemory, 'sramBytes' | 'flashBytes' | 'reserveSramBytes'> }): MemoryBudget {
  return { sramBytes: board.memory.sramBytes - board.memory.reserveSramBytes, flashBytes: board.memory.flashBytes };
}

/**
 * Flash and SRAM of `ir` deployed on `board`, judged against `budget` (default: defaultBudget(board)); with
 * `postProcessing` (the alarm rule's window count n) the alarm state the firmware keeps is counted too.
 */
export function estimateMemory(
  ir: ModelIR,
  board: { cpu?: string; memory: BoardMemory },
  budget: MemoryBudget = defaultBudget(board),
  postProcessing: { n: number } | null = null,
): MemoryReport {
  const ops = lowerToOps(ir);
  const opFlash = ops.map((op) => flashOfOp(op));
  const sum = (key: keyof Omit<OpFlash, 'op' | 'kind'>) => opFlash.reduce((total, op) => total + op[key], 0);
  const weights = sum('weights');
  const biases = sum('biases');
  const quantParams = MODEL_HEADER_BYTES + sum('quantParams') + exitTableBytes(ir);
  const padding = sum('padding');
  const runtimeCode = board.memory.runtimeCodeBytes;
  const flash = { weights, biases, quantParams, padding, runtimeCode, total: weights + biases + quantParams + padding + runtimeCode };

  const plan = planArena(arenaTensors(ops));
  const arena = plan.arenaBytes;
  const input = ir.input.length * ir.input.channels;
  const result = resultBytes(ir, ops);
  const alarmState = postProcessing === null ? 0 : postProcessingBytes(postProcessing.n, ir.head === 'evidential' ? (ir.events ?? 0) : 0, pointerBytes(board));
  const staticRam = board.memory.runtimeRamBytes;
  const stack = board.memory.stackBytes;
  const reserve = board.memory.reserveSramBytes;
  const sram = {
    arena,
    input,
    result,
    postProcessing: alarmState,
    static: staticRam,
    stack,
    reserve,
    total: arena + input + result + alarmState + staticRam + stack + reserve,
  };

  const partial = { flash, sram, plan, ops: opFlash };
  const used = usage(partial);
  return { ...partial, budget: { ...budget, ...used }, fits: budgetProblems(partial, budget).length === 0 };
}

/** Whether the model fits `budget` (the spec's normalized `search.budget`). */
export function fitsBudget(report: Pick<MemoryReport, 'flash' | 'sram'>, budget: MemoryBudget): boolean {
  return budgetProblems(report, budget).length === 0;
}

/** Why a model does not fit, one sentence per exceeded budget (empty when it fits); for the search's rejection log. */
export function budgetProblems(report: Pick<MemoryReport, 'flash' | 'sram'>, budget: MemoryBudget): string[] {
  const { sramUsed, flashUsed } = usage(report);
  const problems: string[] = [];
  if (sramUsed > budget.sramBytes) {
    const { arena, input, result, postProcessing, static: staticRam, stack } = report.sram;
    const alarm = postProcessing > 0 ? ` + alarm state ${postProcessing}` : '';
    problems.push(
      `SRAM: arena ${arena} + input ${input} + result ${result}${alarm} + static ${staticRam} + stack ${stack} = ${sramUsed} bytes > budget ${budget.sramBytes}`,
    );
  }
  if (flashUsed > budget.flashBytes) problems.push(`flash: ${flashUsed} bytes > budget ${budget.flashBytes}`);
  return problems;
}

function usage(report: Pick<MemoryReport, 'flash' | 'sram'>): { sramUsed: number; flashUsed: number } {
  const { arena, input, result, postProcessing, static: staticRam, stack } = report.sram;
  return { sramUsed: arena + input + result + postProcessing + staticRam + stack, flashUsed: report.flash.total };
}

/** The bytes of a data pointer on the board's CPU: 8 on the 64-bit host, 4 on every microcontroller we support. */
export function pointerBytes(board: { cpu?: string }): number {
  return board.cpu === 'x86-64' ? 8 : 4;
}

/**
 * The alarm rule's static state in model.c, as the symbol sizes the linker reports: history[n] (uint8),
 * votes[max(1, E)] and hold[max(1, E)] (int32), and tinyml_alarm_t: four int32, three pointers, one int32, padded to
 * the pointer's alignment.
 */
export function postProcessingBytes(n: number, events: number, pointer: number): number {
  const struct = 4 * 4 + 3 * pointer + 4;
  return n + 2 * 4 * Math.max(1, events) + Math.ceil(struct / pointer) * pointer;
}

/**
 * sizeof(tinyml_result_t) as model.h declares it (codegen/emit-model.ts), with E = max(1, events) and X exits
 * (an evidential model's predictions, else 1): int32 exit_taken, decision; int8 output[O] padded to 4 (O = the largest
 * prediction tensor); int32 exits_evaluated; X × tinyml_exit_result_t {int8 evidence[2E] padded to 4; int32 p_q15[E],
 * u_q15[E]; uint8 present[E] padded to 4; int32 max_u_q15, takes}. No member is aligned to more than 4 on any target,
 * so the struct's size is the same everywhere; flash-test checks it against the linked symbol.
 */
export function resultBytes(ir: ModelIR, ops: DeployedOp[] = lowerToOps(ir)): number {
  const events = Math.max(1, ir.events ?? 0);
  const predictions = ops.filter((op) => op.exit !== null || op.index === ops.length - 1);
  const output = Math.max(...predictions.map((op) => op.outputShape[0] * op.outputShape[1]));
  const exits = ir.head === 'evidential' ? ops.filter((op) => op.exit !== null).length : 1;
  const exitResult = alignTo4(2 * events) + 4 * events + 4 * events + alignTo4(events) + 4 + 4;
  return 4 + 4 + alignTo4(output) + 4 + exits * exitResult;
}

/** The flash bytes of one deployed op's constants, per the contract above. */
export function flashOfOp(op: DeployedOp): OpFlash {
  const base = { op: op.index, kind: op.kind, weights: 0, biases: 0, quantParams: 0, padding: 0 };
  switch (op.kind) {
    case 'conv1d':
    case 'depthwise1d':
    case 'pointwise1d':
    case 'dense':
    case 'gru': {
      // Folded batch-norms only change the values of this layer's weights and biases, not their number.
      const layout = paramLayout(op.definition, op.inputShape);
      const weights = layout.filter((t) => t.kind === 'weight').map((t) => elementCount(t.shape));
      const biases = layout.filter((t) => t.kind === 'bias').reduce((n, t) => n + elementCount(t.shape), 0);
      const outChannels = op.outputShape[1];
      const quantParams =
        op.kind === 'gru' ? OP_HEADER_BYTES + 2 * 3 * outChannels * REQUANT_BYTES + REQUANT_BYTES : OP_HEADER_BYTES + outChannels * REQUANT_BYTES;
      // The GRU's kernel and recurrent matrices are one int8 array; padding applies to the op's weights as a whole.
      const weightBytes = weights.reduce((a, b) => a + b, 0);
      return { ...base, weights: weightBytes, biases: 4 * biases, quantParams, padding: padTo4(weightBytes) };
    }
    case 'relu':
    case 'relu6':
      return { ...base, quantParams: OP_HEADER_BYTES };
    default:
      return base;
  }
}

/** The exit table's size: one row per prediction of an evidential model (and its evidence table with exp evidence), none otherwise. */
export function exitTableBytes(ir: ModelIR): number {
  if (ir.head !== 'evidential') return 0;
  const perPrediction = EXIT_ENTRY_BYTES + (evidenceFunctionOf(ir) === 'exp' ? EVIDENCE_TABLE_BYTES : 0);
  return perPrediction * ((ir.exits?.length ?? 0) + 1);
}

function alignTo4(bytes: number): number {
  return bytes + padTo4(bytes);
}

function padTo4(bytes: number): number {
  return (4 - (bytes % 4)) % 4;
}
