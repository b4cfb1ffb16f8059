import type { BatchNormLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';

/**
 * The trainable half of batch-norm: per-channel γ·x + β (no batch statistics; see the IR). Parameters γ [C] then
 * β [C], initialised to ones and zeros like Keras.
 */
export function createBatchNormKernel(layer: BatchNormLayer, inputShape: Shape): LayerKernel {
  const [length, channels] = inputShape;
  return {
    layer,
    inputShape,
    outputShape: inputShape,
    paramCount: 2 * channels,
    init(params) {
      params.fill(1, 0, channels);
      params.fill(0, channels, 2 * channels);
    },
    forward(params, input, output) {
      for (let t = 0; t < length; t++) {
        const x0 = t * channels;
        for (let c = 0; c < channels; c++) output[x0 + c] = params[c] * input[x0 + c] + params[channels + c];
      }
    },
    backward(params, input, outputGrad, grads, inputGrad) {
      for (let t = 0; t < length; t++) {
        const x0 = t * channels;
        for (let c = 0; c < channels; c++) {
          const g = outputGrad[x0 + c];
          grads[c] += g * input[x0 + c];
          grads[channels + c] += g;
          if (inputGrad) inputGrad[x0 + c] = g * params[c];
        }
      }
    },
  };
}
