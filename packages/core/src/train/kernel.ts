import type { Layer, Shape } from '../model/ir';
import type { Floats } from './wasm/arena';

export type { Floats } from './wasm/arena';

/**
 * One layer's arithmetic for the training engine: float64 or float32 (the precision of the arena it computes in), one sample at a time (the batch is a loop outside), no
 * allocation in forward/backward. The loops are WebAssembly SIMD kernels (wasm/arena.ts, tools/wasm/) except for
 * the cheap elementwise layers (batch-norm, average pooling), which are TypeScript.
 *
 * Tensors are row-major [time, channels] arrays of the arena's precision (`Floats`). Parameters live in one flat
 * array per layer (`params`), gradients in a same-sized `grads` that backward ADDS into (the caller zeroes it per
 * batch). Any array works; arrays that are views into the kernel's arena (a Network allocates all of its arrays there)
 * are used in place, others are copied in and out.
 */
export interface LayerKernel {
  readonly layer: Layer;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  /** Number of trainable parameters (length of params/grads). */
  readonly paramCount: number;
  /**
   * Fills `params` with the initial values (Glorot-uniform weights, zero biases, ...) from `random` in [0, 1). Always
   * float64 (the chain rounds them once into a float32 arena), so both precisions start from the same draw.
   */
  init(params: Float64Array, random: () => number): void;
  /** Computes `output` from `input`; may keep what backward needs in the kernel's own scratch (one sample in flight). */
  forward(params: Floats, input: Floats, output: Floats, training: boolean): void;
  /**
   * Given dLoss/dOutput for the sample last passed to forward, adds dLoss/dParams into `grads` and writes
   * dLoss/dInput into `inputGrad` (which may be null for the first layer: skip that work).
   */
  backward(params: Floats, input: Floats, outputGrad: Floats, grads: Floats, inputGrad: Floats | null): void;
  /** Optional hint from the chain: this layer's input is a ReLU's output (mostly zeros), which it may skip. */
  inputAfterRelu?(): void;
}
