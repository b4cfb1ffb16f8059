import type { Pool1dLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { Arena, unparameterisedSlots } from '../wasm/arena';
import { slidingGeometry } from './geometry';

/**
 * Average pooling (valid): each window's mean, its taps summed in order, then scaled; the gradient is shared equally
 * by the window's inputs. The loops are wasm (tools/wasm/pool-wat.ts), in the arena's element type: a JavaScript loop
 * here cost 16 % of a float32 epoch of a conv64-avgpool network, the same in float64, so float32 gained nothing on it.
 */
export function createAvgPool1dKernel(layer: Pool1dLayer, inputShape: Shape, arena: Arena): LayerKernel {
  const [length, channels] = inputShape;
  const { outLength } = slidingGeometry(length, layer.pool, layer.stride, 'valid');
  const inValues = length * channels;
  const outValues = outLength * channels;
  const B = arena.bytes;
  const slots = unparameterisedSlots(arena, inValues, outValues);
  const row = channels * B;
  const step = layer.stride * row;
  const scale = 1 / layer.pool;
  return {
    layer,
    inputShape,
    outputShape: [outLength, channels],
    paramCount: 0,
    init: () => undefined,
    forward(_params, input, output) {
      const out = slots.output.place(output, false);
      arena.wasm.avgPoolForward(slots.input.place(input, true), out, outLength, row, layer.pool, step, scale);
      slots.output.settle(output);
    },
    backward(_params, _input, outputGrad, _grads, inputGrad) {
      if (!inputGrad) return;
      const dx = slots.inputGrad.place(inputGrad, false);
      arena.zero(dx, inValues);
      arena.wasm.avgPoolBackward(slots.outputGrad.place(outputGrad, true), dx, outLength, row, layer.pool, step, scale);
      slots.inputGrad.settle(inputGrad);
    },
  };
}
