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
      // Four channels per pass, summed in registers down the time axis.
      let c = 0;
      for (; c + 4 <= channels; c += 4) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = c; i < length * channels; i += channels) {
          s0 += input[i];
          s1 += input[i + 1];
          s2 += input[i + 2];
          s3 += input[i + 3];
        }
        output[c] = s0 * scale;
        output[c + 1] = s1 * scale;
        output[c + 2] = s2 * scale;
        output[c + 3] = s3 * scale;
      }
      for (; c < channels; c++) {
        let s = 0;
        for (let i = c; i < length * channels; i += channels) s += input[i];
        output[c] = s * scale;
      }
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
