import type { PointwiseConv1dLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import type { Arena } from '../wasm/arena';
import { SlidingDotKernel } from './sliding-dot';

/** 1×1 convolution, weights [inC][filters] then bias [filters]: a conv1d of kernel 1, stride 1. */
export function createPointwise1dKernel(layer: PointwiseConv1dLayer, inputShape: Shape, arena: Arena): LayerKernel {
  const spec = { kernel: 1, stride: 1, padding: 'valid' as const, filters: layer.filters, activation: layer.activation };
  return new SlidingDotKernel(layer, inputShape, spec, { in: inputShape[1], out: layer.filters }, arena);
}
