import type { Conv1dLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import type { Arena } from '../wasm/arena';
import { SlidingDotKernel } from './sliding-dot';

/** Conv1D, weights [kernel][inC][filters] then bias [filters]; Keras fans: kernel·inC and kernel·filters. */
export function createConv1dKernel(layer: Conv1dLayer, inputShape: Shape, arena: Arena): LayerKernel {
  const channels = inputShape[1];
  return new SlidingDotKernel(layer, inputShape, layer, { in: layer.kernel * channels, out: layer.kernel * layer.filters }, arena);
}
