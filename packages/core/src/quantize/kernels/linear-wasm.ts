import { INT8_KERNELS_WASM_BASE64 } from '../../train/wasm/kernels.generated';
import type { QuantizedLinearOp, QuantizedOp } from '../quantized-model';
import { checkAccumulatorBound } from './requant-params';

/** The ops this kernel runs: conv1d, and pointwise and dense as conv1d with kernel 1. */
export type LinearOp = QuantizedLinearOp & { kind: 'conv1d' | 'pointwise1d' | 'dense' };

export function isLinearOp(op: QuantizedOp): op is LinearOp {
  return op.kind === 'conv1d' || op.kind === 'pointwise1d' || op.kind === 'dense';
}

let compiled: WebAssembly.Module | undefined;
const PAGE = 65536;

interface Int8Exports {
  conv1d(...args: number[]): void;
}

/** Where one op's constants sit in the memory, and its geometry as conv1d reads it. */
interface PlacedOp {
  weights: number;
  bias: number;
  mult: number;
  shift: number;
  geometry: [inLength: number, channels: number, kernel: number, stride: number, padBefore: number, outLength: number, filters: number];
  inputBytes: number;
  outputBytes: number;
}

/**
 * The int8 interpreter's conv1d, pointwise and dense in WebAssembly SIMD (tools/wasm/int8-wat.ts): the same bytes
 * as the reference kernels (conv1d.ts, pointwise1d.ts, dense.ts), which mirror the C runtime; linear-wasm.test.ts
 * checks them equal. The evaluate stage runs every test window of every fold through the interpreter, and these
 * ops are nearly all of its work. Each op's weights are copied into the memory once, on first use.
 */
export class WasmLinearKernels {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly kernels: Int8Exports;
  private readonly placed = new WeakMap<LinearOp, PlacedOp>();
  /** Input, output and accumulator scratch, then the ops' constants from `top` on. */
  private scratch = { input: 0, output: 0, acc: 0, inputBytes: 0, outputBytes: 0, accBytes: 0 };
  private top = 0;

  constructor() {
    compiled ??= new WebAssembly.Module(Buffer.from(INT8_KERNELS_WASM_BASE64, 'base64'));
    this.kernels = new WebAssembly.Instance(compiled, { env: { memory: this.memory } }).exports as unknown as Int8Exports;
  }

  run(op: LinearOp, input: Int8Array, output: Int8Array): void {
    const placed = this.placed.get(op) ?? this.place(op);
    if (input.length !== placed.inputBytes || output.length !== placed.outputBytes)
      throw new RangeError(`op ${op.index}: ${input.length} → ${output.length} values, the op reads ${placed.inputBytes} and writes ${placed.outputBytes}`);
    const { input: inAt, output: outAt, acc } = this.scratch;
    new Int8Array(this.memory.buffer, inAt, input.length).set(input);
    const { inputZeroPoint, outputZeroPoint, actMin, actMax } = op.requant;
    this.kernels.conv1d(
      inAt,
      placed.weights,
      placed.bias,
      placed.mult,
      placed.shift,
      outAt,
      acc,
      ...placed.geometry,
      inputZeroPoint,
      outputZeroPoint,
      actMin,
      actMax,
    );
    output.set(new Int8Array(this.memory.buffer, outAt, output.length));
  }

  private place(op: LinearOp): PlacedOp {
    const [inLength, inChannels] = op.inputShape;
    const [outLength, filters] = op.outputShape;
    const geometry: PlacedOp['geometry'] =
      op.kind === 'conv1d'
        ? [inLength, inChannels, op.kernel, op.stride, op.padBefore, outLength, filters]
        : op.kind === 'pointwise1d'
          ? [inLength, inChannels, 1, 1, 0, outLength, filters]
          : [1, inLength * inChannels, 1, 1, 0, 1, filters];
    // The reference kernels refuse biases that could overflow int32; so does this one, before any arithmetic.
    checkAccumulatorBound(op.bias, geometry[1] * geometry[2], op.kind);
    const inputBytes = inLength * inChannels;
    const outputBytes = outLength * filters;
    const scratch = this.scratch;
    if (inputBytes > scratch.inputBytes || outputBytes > scratch.outputBytes || 4 * filters > scratch.accBytes) {
      // Larger scratch goes past the constants; the old region is left unused.
      const sizes = {
        inputBytes: Math.max(inputBytes, scratch.inputBytes),
        outputBytes: Math.max(outputBytes, scratch.outputBytes),
        accBytes: Math.max(4 * filters, scratch.accBytes),
      };
      const input = this.allocate(sizes.inputBytes);
      const output = this.allocate(sizes.outputBytes);
      const acc = this.allocate(sizes.accBytes + 16);
      this.scratch = { input, output, acc, ...sizes };
    }
    const at = {
      weights: this.allocate(op.weights.length + 16),
      bias: this.allocate(4 * filters),
      mult: this.allocate(4 * filters),
      shift: this.allocate(4 * filters),
    };
    new Int8Array(this.memory.buffer, at.weights, op.weights.length).set(op.weights);
    new Int32Array(this.memory.buffer, at.bias, filters).set(op.bias);
    new Int32Array(this.memory.buffer, at.mult, filters).set(op.requant.multiplier);
    new Int32Array(this.memory.buffer, at.shift, filters).set(op.requant.shift);
    const placed = { ...at, geometry, inputBytes, outputBytes };
    this.placed.set(op, placed);
    return placed;
  }

  /** `bytes` at a 16-byte boundary, growing the memory as needed. */
  private allocate(bytes: number): number {
    const at = (this.top + 15) & ~15;
    this.top = at + bytes;
    const needed = Math.ceil(this.top / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (needed > 0) this.memory.grow(needed);
    return at;
  }
}
