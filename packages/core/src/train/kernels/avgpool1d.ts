import type { Pool1dLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { slidingGeometry } from './geometry';

/** Average pooling (valid): each window's mean; the gradient is shared equally by the window's inputs. */
export function createAvgPool1dKernel(layer: Pool1dLayer, inputShape: Shape): LayerKernel {
  const [length, channels] = inputShape;
  const { outLength } = slidingGeometry(length, layer.pool, layer.stride, 'valid');
  const step = layer.stride * channels;
  const pool = layer.pool;
  const scale = 1 / pool;
  return {
    layer,
    inputShape,
    outputShape: [outLength, channels],
    paramCount: 0,
    init: () => undefined,
    forward(_params, input, output) {
      for (let t = 0; t < outLength; t++) {
        const x0 = t * step;
        const o = t * channels;
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let k = 0, i = x0 + c; k < pool; k++, i += channels) sum += input[i];
          output[o + c] = sum * scale;
        }
      }
    },
    backward(_params, _input, outputGrad, _grads, inputGrad) {
      if (!inputGrad) return;
      inputGrad.fill(0);
      for (let t = 0; t < outLength; t++) {
        const x0 = t * step;
        const o = t * channels;
        for (let c = 0; c < channels; c++) {
          const share = outputGrad[o + c] * scale;
          if (share === 0) continue;
          for (let k = 0, i = x0 + c; k < pool; k++, i += channels) inputGrad[i] += share;
        }
      }
    },
  };
}
