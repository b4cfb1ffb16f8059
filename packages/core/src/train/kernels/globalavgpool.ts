import type { GlobalAvgPoolLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';

/** Mean over time, [T, C] → [1, C]. */
export function createGlobalAvgPoolKernel(layer: GlobalAvgPoolLayer, inputShape: Shape): LayerKernel {
  const [length, channels] = inputShape;
  const scale = 1 / length;
  return {
    layer,
    inputShape,
    outputShape: [1, channels],
    paramCount: 0,
    init: () => undefined,
    forward(_params, input, output) {
      output.fill(0, 0, channels);
      for (let t = 0; t < length; t++) {
        const x0 = t * channels;
        for (let c = 0; c < channels; c++) output[c] += input[x0 + c];
      }
      for (let c = 0; c < channels; c++) output[c] *= scale;
    },
    backward(_params, _input, outputGrad, _grads, inputGrad) {
      if (!inputGrad) return;
      for (let t = 0; t < length; t++) {
        const x0 = t * channels;
        for (let c = 0; c < channels; c++) inputGrad[x0 + c] = outputGrad[c] * scale;
      }
    },
  };
}
