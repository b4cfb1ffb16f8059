import type { DenseLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import type { Arena } from '../wasm/arena';
import { SlidingDotKernel } from './sliding-dot';

/**
 * Dense on the row-major flattened [T, C] input, weights [T·C][units] then bias [units]: exactly a conv1d whose
 * kernel spans all T steps (one output step), so it shares that kernel's loops.
 */
export function createDenseKernel(layer: DenseLayer, inputShape: Shape, arena: Arena): LayerKernel {
  const [length, channels] = inputShape;
  const spec = { kernel: length, stride: 1, padding: 'valid' as const, filters: layer.units, activation: layer.activation };
  return new SlidingDotKernel(layer, inputShape, spec, { in: length * channels, out: layer.units }, arena);
}
