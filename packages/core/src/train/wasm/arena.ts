import { KERNELS_WASM_BASE64 } from './kernels.generated';

/** The wasm kernels' exports (tools/wasm/kernels-wat.ts documents each); every address and stride is in bytes. */
export interface WasmKernels {
  gemm(a: number, am: number, ak: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, acc: number): void;
  relu(pre: number, out: number, n: number): void;
  relu6(pre: number, out: number, n: number): void;
  reluGrad(pre: number, g: number, out: number, n: number): void;
  relu6Grad(pre: number, g: number, out: number, n: number): void;
  transpose(src: number, rows: number, cols: number, dst: number): void;
  depthwiseForward(x: number, w: number, bias: number, out: number, len: number, row: number, kernel: number, step: number): void;
  depthwiseBackward(x: number, w: number, g: number, dw: number, dx: number, hasDx: number, len: number, row: number, kernel: number, step: number): void;
  gruForward(xp: number, w: number, bias: number, h: number, gz: number, gr: number, cn: number, rh: number, hp: number, steps: number, u: number): void;
  maxPoolForward(x: number, out: number, arg: number, len: number, row: number, pool: number, step: number): void;
  maxPoolBackward(g: number, arg: number, dx: number, len: number, row: number, pool: number, step: number): void;
  meanForward(x: number, out: number, len: number, row: number, scale: number): void;
  meanBackward(g: number, dx: number, len: number, row: number, scale: number): void;
  compact(g: number, lists: number, len: number, listStride: number, elemStride: number, unit: number, vals: number, offs: number, counts: number): void;
  sparseGemm(vals: number, offs: number, counts: number, lists: number, len: number, b: number, n: number, c: number, ldc: number, acc: number): void;
  transposeAdd(src: number, rows: number, cols: number, dst: number): void;
  gruBackward(h: number, gz: number, gr: number, cn: number, rh: number, gx: number, gh: number, ds: number, ut: number, og: number, seq: number, steps: number, u: number): void;
}

/** A run of float64s in an arena; `offset` counts doubles from the start of its memory. */
export interface Block {
  readonly offset: number;
  readonly length: number;
}

/** Byte address of the constant 1.0 every arena keeps at its start (a GEMM "row of ones" with zero strides sums columns). */
export const ONE = 0;

let compiled: WebAssembly.Module | null = null;

/** Compiled once per thread (worker threads each compile their own; it takes well under a millisecond). */
function kernelsModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  return compiled;
}

/**
 * The memory one Network (or one stand-alone kernel) computes in: a WebAssembly memory holding its parameters,
 * gradients, activations and kernel scratch, plus an instance of the kernels bound to it. Two phases, because a
 * wasm memory cannot grow without detaching every Float64Array view of it: first everyone `reserve`s, then `seal`
 * allocates the memory once at its final size, and only then are views (`heap`, `view`) valid. Reserved but unused
 * space (the kernels' staging blocks when everything is already in the arena) is never touched, so the OS never
 * backs it with pages.
 */
export class Arena {
  /** Doubles reserved so far; [0] is ONE, [1] keeps blocks 16-byte aligned. */
  private size = 2;
  private state: { heap: Float64Array; wasm: WasmKernels } | null = null;

  /** Reserves `length` doubles (16-byte aligned, so f64x2 loads of a block's start are aligned). */
  reserve(length: number): Block {
    if (this.state) throw new Error('arena: reserve after seal');
    const block = { offset: this.size, length };
    this.size += length + (length & 1);
    return block;
  }

  /** Allocates the memory at its final size and instantiates the kernels on it. */
  seal(): void {
    if (this.state) return;
    const pages = Math.max(1, Math.ceil((this.size * 8) / 65536));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(kernelsModule(), { env: { memory } });
    const heap = new Float64Array(memory.buffer);
    heap[ONE / 8] = 1;
    this.state = { heap, wasm: instance.exports as unknown as WasmKernels };
  }

  get sealed(): boolean {
    return this.state !== null;
  }

  /** The whole memory as float64s (index = block offset). */
  get heap(): Float64Array {
    if (!this.state) throw new Error('arena: used before seal');
    return this.state.heap;
  }

  get wasm(): WasmKernels {
    if (!this.state) throw new Error('arena: used before seal');
    return this.state.wasm;
  }

  view(block: Block): Float64Array {
    return this.heap.subarray(block.offset, block.offset + block.length);
  }

  /**
   * Copies `count` values of `source` (any array) to heap index `to`, without allocating a view when `source` is
   * the arena's own.
   */
  copyIn(source: Float64Array, to: number, count: number): void {
    const heap = this.heap;
    if (source.buffer === heap.buffer) heap.copyWithin(to, source.byteOffset / 8, source.byteOffset / 8 + count);
    else heap.set(count === source.length ? source : source.subarray(0, count), to);
  }

  /** Copies `count` heap values from index `from` into `target` (any array), without allocating when it is the arena's. */
  copyOut(from: number, target: Float64Array, count: number): void {
    const heap = this.heap;
    if (target.buffer === heap.buffer) heap.copyWithin(target.byteOffset / 8, from, from + count);
    else target.set(heap.subarray(from, from + count));
  }

  /** True when `array` is a view into this arena's memory (so wasm can read and write it in place). */
  holds(array: Float64Array): boolean {
    return array.buffer === this.heap.buffer;
  }
}

/**
 * One array argument of a kernel method, made reachable by wasm: an array that already lives in the arena is used in
 * place (the Network case: no copies); any other array is copied into this slot's staging block and, for outputs,
 * copied back (kernels used on their own, as the gradient tests do).
 */
export class Slot {
  private readonly block: Block;
  /** The array last placed and its address (-1: foreign), so the common case is an identity check. */
  private last: Float64Array | null = null;
  private lastAddress = -1;

  constructor(
    private readonly arena: Arena,
    length: number,
  ) {
    this.block = arena.reserve(length);
  }

  /** Byte address of `array`'s values for wasm; a foreign array's first `length` values are copied in when `copyIn`. */
  place(array: Float64Array, copyIn: boolean, length = this.block.length): number {
    if (array !== this.last) {
      this.last = array;
      this.lastAddress = this.arena.holds(array) ? array.byteOffset : -1;
    }
    if (this.lastAddress >= 0) return this.lastAddress;
    if (array.length < length) throw new RangeError(`kernel argument: ${array.length} values, expected ${length}`);
    if (copyIn) this.arena.heap.set(length === array.length ? array : array.subarray(0, length), this.block.offset);
    return this.block.offset * 8;
  }

  /** After wasm wrote the slot: copies it back into `array` unless `array` is itself the arena's. */
  settle(array: Float64Array, length = this.block.length): void {
    if (array === this.last ? this.lastAddress < 0 : !this.arena.holds(array)) {
      array.set(this.arena.heap.subarray(this.block.offset, this.block.offset + length));
    }
  }
}
