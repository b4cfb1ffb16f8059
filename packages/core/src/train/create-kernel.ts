import type { Layer, Shape } from '../model/ir';
import type { LayerKernel } from './kernel';
import { createActivationKernel } from './kernels/activation';
import { createAvgPool1dKernel } from './kernels/avgpool1d';
import { createBatchNormKernel } from './kernels/batchnorm';
import { createConv1dKernel } from './kernels/conv1d';
import { createDenseKernel } from './kernels/dense';
import { createDepthwise1dKernel } from './kernels/depthwise1d';
import { createGlobalAvgPoolKernel } from './kernels/globalavgpool';
import { createGruKernel } from './kernels/gru';
import { createMaxPool1dKernel } from './kernels/maxpool1d';
import { createPointwise1dKernel } from './kernels/pointwise1d';
import { Arena } from './wasm/arena';

/**
 * The training kernel for one IR layer, given the [time, channels] shape that reaches it. The wasm kernels reserve
 * their scratch in `arena` (a Network passes its own and seals it once every layer has reserved); without one the
 * kernel gets a private arena, sealed here, and copies its arguments in and out of it.
 */
export function createKernel(layer: Layer, inputShape: Shape, arena?: Arena): LayerKernel {
  const own = arena ?? new Arena();
  const kernel = build(layer, inputShape, own);
  if (!arena) own.seal();
  return kernel;
}

function build(layer: Layer, inputShape: Shape, arena: Arena): LayerKernel {
  switch (layer.kind) {
    case 'conv1d':
      return createConv1dKernel(layer, inputShape, arena);
    case 'depthwise1d':
      return createDepthwise1dKernel(layer, inputShape, arena);
    case 'pointwise1d':
      return createPointwise1dKernel(layer, inputShape, arena);
    case 'maxpool1d':
      return createMaxPool1dKernel(layer, inputShape, arena);
    case 'avgpool1d':
      return createAvgPool1dKernel(layer, inputShape, arena);
    case 'globalavgpool':
      return createGlobalAvgPoolKernel(layer, inputShape, arena);
    case 'gru':
      return createGruKernel(layer, inputShape, arena);
    case 'dense':
      return createDenseKernel(layer, inputShape, arena);
    case 'batchnorm':
      return createBatchNormKernel(layer, inputShape);
    case 'relu':
    case 'relu6':
      return createActivationKernel(layer, inputShape, arena);
  }
}
