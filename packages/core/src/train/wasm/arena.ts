import { KERNELS_F32_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels.generated';

/** The element type the engine computes in (spec `train.precision`). */
export type Precision = 'float32' | 'float64';

/** An engine tensor: float32 or float64 values, as the arena holding it computes. */
export type Floats = Float32Array | Float64Array;

/** The wasm kernels' exports (tools/wasm/kernels-wat.ts documents each); every address and stride is in bytes. */
export interface WasmKernels {
  gemm(a: number, am: number, ak: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, acc: number): void;
  relu(pre: number, out: number, n: number): void;
  relu6(pre: number, out: number, n: number): void;
  reluGrad(pre: number, g: number, out: number, n: number): void;
  relu6Grad(pre: number, g: number, out: number, n: number): void;
  transpose(src: number, rows: number, cols: number, dst: number): void;
  depthwiseForward(x: number, w: number, bias: number, out: number, len: number, row: number, kernel: number, step: number, relu: number): void;
  depthwiseBackward(x: number, w: number, g: number, dw: number, dx: number, hasDx: number, len: number, row: number, kernel: number, step: number): void;
  gruForward(xp: number, w: number, bias: number, h: number, gz: number, gr: number, cn: number, rh: number, hp: number, steps: number, u: number): void;
  maxPoolForward(x: number, out: number, arg: number, len: number, row: number, pool: number, step: number): void;
  maxPoolBackward(g: number, arg: number, dx: number, len: number, row: number, pool: number, step: number): void;
  avgPoolForward(x: number, out: number, len: number, row: number, pool: number, step: number, scale: number): void;
  avgPoolBackward(g: number, dx: number, len: number, row: number, pool: number, step: number, scale: number): void;
  meanForward(x: number, out: number, len: number, row: number, scale: number): void;
  meanBackward(g: number, dx: number, len: number, row: number, scale: number): void;
  compact(g: number, lists: number, len: number, listStride: number, elemStride: number, unit: number, vals: number, offs: number, counts: number): void;
  sparseGemm(vals: number, offs: number, counts: number, lists: number, len: number, b: number, n: number, c: number, ldc: number, acc: number): void;
  transposeAdd(src: number, rows: number, cols: number, dst: number): void;
  zero(at: number, n: number): void;
  accumulate(dst: number, src: number, n: number): void;
  sparseForward(x: number, xStep: number, window: number, len: number, w: number, filters: number, bias: number, out: number, relu: number): void;
  sparseBackward(
    g: number,
    out: number,
    filters: number,
    len: number,
    x: number,
    xStep: number,
    window: number,
    wT: number,
    dwT: number,
    db: number,
    dbs: number,
    dx: number,
    dxStep: number,
    mode: number,
  ): void;
  gruBackward(
    h: number,
    gz: number,
    gr: number,
    cn: number,
    rh: number,
    gx: number,
    gh: number,
    ds: number,
    ut: number,
    og: number,
    seq: number,
    steps: number,
    u: number,
  ): void;
}

/** A run of elements in an arena; `offset` counts elements (of the arena's precision) from the start of its memory. */
export interface Block {
  readonly offset: number;
  readonly length: number;
}

/** Byte address of the constant 1.0 every arena keeps at its start (a GEMM "row of ones" with zero strides sums columns). */
export const ONE = 0;

const compiled: Partial<Record<Precision, WebAssembly.Module>> = {};

/** Compiled once per thread and precision (worker threads each compile their own; well under a millisecond). */
function kernelsModule(precision: Precision): WebAssembly.Module {
  return (compiled[precision] ??= new WebAssembly.Module(Buffer.from(precision === 'float64' ? KERNELS_WASM_BASE64 : KERNELS_F32_WASM_BASE64, 'base64')));
}

/**
 * The memory one Network (or one stand-alone kernel) computes in: a WebAssembly memory holding its parameters,
 * gradients, activations and kernel scratch, plus an instance of the kernels bound to it, all in one precision:
 * float64 (f64x2 kernels, Float64Array views) or float32 (f32x4 kernels, Float32Array views). Two phases, because a
 * wasm memory cannot grow without detaching every view of it: first everyone `reserve`s, then `seal`
 * allocates the memory once at its final size, and only then are views (`heap`, `view`) valid. Reserved but unused
 * space (the kernels' staging blocks when everything is already in the arena) is never touched, so the OS never
 * backs it with pages.
 */
export class Arena {
  /** Bytes per element: what kernels multiply element counts by to pass byte addresses and strides. */
  readonly bytes: 4 | 8;
  /** Elements per 16 bytes (one v128): blocks start on multiples of it. */
  private readonly align: number;
  /** Elements reserved so far; [0] is ONE, the rest of the first 16 bytes keeps blocks aligned. */
  private size: number;
  private state: { heap: Floats; wasm: WasmKernels } | null = null;

  constructor(readonly precision: Precision = 'float64') {
    this.bytes = precision === 'float64' ? 8 : 4;
    this.align = 16 / this.bytes;
    this.size = this.align;
  }

  /** Reserves `length` elements (16-byte aligned, so vector loads of a block's start are aligned). */
  reserve(length: number): Block {
    if (this.state) throw new Error('arena: reserve after seal');
    const block = { offset: this.size, length };
    this.size += Math.ceil(length / this.align) * this.align;
    return block;
  }

  /** Reserves room for `count` int32s (the sparse kernels' index lists), as a block of elements. */
  reserveInts(count: number): Block {
    return this.reserve(Math.ceil((count * 4) / this.bytes));
  }

  /** Allocates the memory at its final size and instantiates the kernels on it. */
  seal(): void {
    if (this.state) return;
    const pages = Math.max(1, Math.ceil((this.size * this.bytes) / 65536));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(kernelsModule(this.precision), { env: { memory } });
    const heap = this.precision === 'float64' ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer);
    heap[ONE / this.bytes] = 1;
    this.state = { heap, wasm: instance.exports as unknown as WasmKernels };
  }

  /** A new array of `length` zeros in the arena's precision (outside the arena). */
  allocate(length: number): Floats {
    return this.precision === 'float64' ? new Float64Array(length) : new Float32Array(length);
  }

  get sealed(): boolean {
    return this.state !== null;
  }

  /** The whole memory as elements of the arena's precision (index = block offset). */
  get heap(): Floats {
    if (!this.state) throw new Error('arena: used before seal');
    return this.state.heap;
  }

  get wasm(): WasmKernels {
    if (!this.state) throw new Error('arena: used before seal');
    return this.state.wasm;
  }

  view(block: Block): Floats {
    return this.heap.subarray(block.offset, block.offset + block.length);
  }

  /**
   * Copies `count` values of `source` (any array) to heap index `to`, without allocating a view when `source` is
   * the arena's own.
   */
  copyIn(source: Floats, to: number, count: number): void {
    const heap = this.heap;
    if (source.buffer === heap.buffer) heap.copyWithin(to, source.byteOffset / this.bytes, source.byteOffset / this.bytes + count);
    else heap.set(count === source.length ? source : source.subarray(0, count), to);
  }

  /** Copies `count` heap values from index `from` into `target` (any array), without allocating when it is the arena's. */
  copyOut(from: number, target: Floats, count: number): void {
    const heap = this.heap;
    if (target.buffer === heap.buffer) heap.copyWithin(target.byteOffset / this.bytes, from, from + count);
    else target.set(heap.subarray(from, from + count));
  }

  /** Sets `count` values from byte address `at` to zero (in wasm: TypedArray fill is a slower loop). */
  zero(at: number, count: number): void {
    this.wasm.zero(at, count);
  }

  /** True when `array` is a view into this arena's memory (so wasm can read and write it in place). */
  holds(array: Floats): boolean {
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
  private last: Floats | null = null;
  private lastAddress = -1;

  constructor(
    private readonly arena: Arena,
    length: number,
  ) {
    this.block = arena.reserve(length);
  }

  /** Byte address of `array`'s values for wasm; a foreign array's first `length` values are copied in when `copyIn`. */
  place(array: Floats, copyIn: boolean, length = this.block.length): number {
    if (array !== this.last) {
      this.last = array;
      this.lastAddress = this.arena.holds(array) ? array.byteOffset : -1;
    }
    if (this.lastAddress >= 0) return this.lastAddress;
    if (array.length < length) throw new RangeError(`kernel argument: ${array.length} values, expected ${length}`);
    if (copyIn) this.arena.heap.set(length === array.length ? array : array.subarray(0, length), this.block.offset);
    return this.block.offset * this.arena.bytes;
  }

  /** After wasm wrote the slot: copies it back into `array` unless `array` is itself the arena's. */
  settle(array: Floats, length = this.block.length): void {
    if (array === this.last ? this.lastAddress < 0 : !this.arena.holds(array)) {
      array.set(this.arena.heap.subarray(this.block.offset, this.block.offset + length));
    }
  }
}

/** The slots a parameter-free layer kernel (pooling) moves its input, output and their gradients through. */
export function unparameterisedSlots(arena: Arena, inValues: number, outValues: number): Record<'input' | 'output' | 'outputGrad' | 'inputGrad', Slot> {
  return {
    input: new Slot(arena, inValues),
    output: new Slot(arena, outValues),
    outputGrad: new Slot(arena, outValues),
    inputGrad: new Slot(arena, inValues),
  };
}
