/**
 * The activation-arena planner. Its offsets are emitted verbatim into the C model (`arena + offset`), so the plan is
 * a contract, not an estimate: every tensor starts at a multiple of ARENA_ALIGNMENT, occupies its size rounded up to
 * that alignment, and no two tensors that are alive at the same step share a byte.
 *
 * Placement is TFLite Micro's GreedyMemoryPlanner idea — take tensors in some order and put each at the lowest offset
 * that does not collide with an already placed tensor whose lifetime overlaps — run with two orders (largest first,
 * as TFLM does; and by first use, which wins on some chains), keeping the smaller arena (ties: largest first). The
 * result is deterministic: it depends only on the tensor list.
 */

/** Bytes every arena tensor is aligned to: enough for int32 scratch and for 128-bit SIMD loads on any target. */
export const ARENA_ALIGNMENT = 16;

export interface TensorLifetime {
  /** Unique name, used in reports and in the emitted C. */
  id: string;
  /** Exact payload bytes. */
  bytes: number;
  /** First and last step (op index) at which the tensor must hold its data, inclusive. */
  firstStep: number;
  lastStep: number;
}

export type PlacedTensor<T extends TensorLifetime = TensorLifetime> = T & {
  /** Byte offset in the arena, a multiple of ARENA_ALIGNMENT. */
  offset: number;
  /** `bytes` rounded up to ARENA_ALIGNMENT: the span the tensor reserves. */
  alignedBytes: number;
};

export type PlacementOrder = 'largest-first' | 'first-use';

export interface ArenaPlan<T extends TensorLifetime = TensorLifetime> {
  /** The tensors in the order given, each with its offset. */
  tensors: PlacedTensor<T>[];
  /** Size of the arena: the end of the highest tensor. */
  arenaBytes: number;
  /** No plan can be smaller: the most aligned bytes alive at any one step. */
  lowerBoundBytes: number;
  alignment: number;
  /** The placement order that produced this plan. */
  order: PlacementOrder;
}

export function alignUp(bytes: number, alignment = ARENA_ALIGNMENT): number {
  return Math.ceil(bytes / alignment) * alignment;
}

export function planArena<T extends TensorLifetime>(tensors: readonly T[]): ArenaPlan<T> {
  checkTensors(tensors);
  const aligned = tensors.map((t) => alignUp(t.bytes));
  const lowerBoundBytes = liveBytesBound(tensors, aligned);
  let best: { offsets: number[]; arenaBytes: number; order: PlacementOrder } | undefined;
  for (const order of ['largest-first', 'first-use'] as const) {
    const offsets = placeGreedily(tensors, aligned, placementOrder(tensors, aligned, order));
    const arenaBytes = tensors.reduce((end, _t, i) => Math.max(end, offsets[i] + aligned[i]), 0);
    if (!best || arenaBytes < best.arenaBytes) best = { offsets, arenaBytes, order };
    if (arenaBytes === lowerBoundBytes) break; // optimal already
  }
  const chosen = best as { offsets: number[]; arenaBytes: number; order: PlacementOrder };
  return {
    tensors: tensors.map((t, i) => ({ ...t, offset: chosen.offsets[i], alignedBytes: aligned[i] })),
    arenaBytes: chosen.arenaBytes,
    lowerBoundBytes,
    alignment: ARENA_ALIGNMENT,
    order: chosen.order,
  };
}

/** Everything wrong with a plan (empty when it is sound): overlaps of live tensors, misalignment, tensors outside. */
export function arenaPlanProblems(plan: ArenaPlan): string[] {
  const problems: string[] = [];
  const { tensors } = plan;
  for (const t of tensors) {
    if (t.offset % plan.alignment !== 0) problems.push(`${t.id} starts at ${t.offset}, not a multiple of ${plan.alignment}`);
    if (t.alignedBytes < t.bytes || t.alignedBytes % plan.alignment !== 0) problems.push(`${t.id} reserves ${t.alignedBytes} bytes for ${t.bytes}`);
    if (t.offset < 0 || t.offset + t.alignedBytes > plan.arenaBytes)
      problems.push(`${t.id} [${t.offset}, ${t.offset + t.alignedBytes}) is outside the arena of ${plan.arenaBytes}`);
  }
  for (let i = 0; i < tensors.length; i++) {
    for (let j = i + 1; j < tensors.length; j++) {
      const a = tensors[i];
      const b = tensors[j];
      if (livesOverlap(a, b) && a.offset < b.offset + b.alignedBytes && b.offset < a.offset + a.alignedBytes) {
        problems.push(`${a.id} and ${b.id} are alive together and overlap in memory`);
      }
    }
  }
  if (plan.arenaBytes < plan.lowerBoundBytes) problems.push(`arena ${plan.arenaBytes} is below the bound ${plan.lowerBoundBytes}`);
  return problems;
}

function livesOverlap(a: TensorLifetime, b: TensorLifetime): boolean {
  return a.firstStep <= b.lastStep && b.firstStep <= a.lastStep;
}

function checkTensors(tensors: readonly TensorLifetime[]): void {
  const ids = new Set<string>();
  for (const t of tensors) {
    if (!Number.isInteger(t.bytes) || t.bytes < 1) throw new Error(`arena tensor ${t.id}: bytes must be a positive integer, got ${t.bytes}`);
    if (!Number.isInteger(t.firstStep) || !Number.isInteger(t.lastStep) || t.firstStep > t.lastStep) {
      throw new Error(`arena tensor ${t.id}: lifetime [${t.firstStep}, ${t.lastStep}] is not a step interval`);
    }
    if (ids.has(t.id)) throw new Error(`arena tensor ${t.id} is listed twice`);
    ids.add(t.id);
  }
}

function liveBytesBound(tensors: readonly TensorLifetime[], aligned: readonly number[]): number {
  // Live bytes only change where a lifetime starts, so checking those steps is enough.
  let bound = 0;
  for (const step of new Set(tensors.map((t) => t.firstStep))) {
    let live = 0;
    tensors.forEach((t, i) => {
      if (t.firstStep <= step && step <= t.lastStep) live += aligned[i];
    });
    bound = Math.max(bound, live);
  }
  return bound;
}

/** Indices in placement order; ties broken by earlier first use, then by position, so the order is total. */
function placementOrder(tensors: readonly TensorLifetime[], aligned: readonly number[], order: PlacementOrder): number[] {
  const indices = tensors.map((_t, i) => i);
  const bySize = (a: number, b: number) => aligned[b] - aligned[a];
  const byFirstUse = (a: number, b: number) => tensors[a].firstStep - tensors[b].firstStep;
  return indices.sort(order === 'largest-first' ? (a, b) => bySize(a, b) || byFirstUse(a, b) || a - b : (a, b) => byFirstUse(a, b) || bySize(a, b) || a - b);
}

function placeGreedily(tensors: readonly TensorLifetime[], aligned: readonly number[], order: readonly number[]): number[] {
  const offsets = new Array<number>(tensors.length).fill(-1);
  const placed: number[] = [];
  for (const i of order) {
    const conflicts = placed
      .filter((j) => livesOverlap(tensors[i], tensors[j]))
      .map((j) => ({ start: offsets[j], end: offsets[j] + aligned[j] }))
      .sort((a, b) => a.start - b.start || a.end - b.end);
    let candidate = 0;
    for (const { start, end } of conflicts) {
      if (candidate + aligned[i] <= start) break;
      candidate = Math.max(candidate, end);
    }
    offsets[i] = candidate;
    placed.push(i);
  }
  return offsets;
}
