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

/** The training kernel for one IR layer, given the [time, channels] shape that reaches it. */
export function createKernel(layer: Layer, inputShape: Shape): LayerKernel {
  switch (layer.kind) {
    case 'conv1d':
      return createConv1dKernel(layer, inputShape);
    case 'depthwise1d':
      return createDepthwise1dKernel(layer, inputShape);
    case 'pointwise1d':
      return createPointwise1dKernel(layer, inputShape);
    case 'maxpool1d':
      return createMaxPool1dKernel(layer, inputShape);
    case 'avgpool1d':
      return createAvgPool1dKernel(layer, inputShape);
    case 'globalavgpool':
      return createGlobalAvgPoolKernel(layer, inputShape);
    case 'gru':
      return createGruKernel(layer, inputShape);
    case 'dense':
      return createDenseKernel(layer, inputShape);
    case 'batchnorm':
      return createBatchNormKernel(layer, inputShape);
    case 'relu':
    case 'relu6':
      return createActivationKernel(layer, inputShape);
  }
}
