import type { GlobalAvgPoolLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { Arena, Slot } from '../wasm/arena';

/** Mean over time, [T, C] → [1, C]: sums in time order, then × 1/T (wasm, one vector of channels at a time). */
export function createGlobalAvgPoolKernel(layer: GlobalAvgPoolLayer, inputShape: Shape, arena: Arena): LayerKernel {
  const [length, channels] = inputShape;
  const scale = 1 / length;
  const slots = {
    input: new Slot(arena, length * channels),
    output: new Slot(arena, channels),
    outputGrad: new Slot(arena, channels),
    inputGrad: new Slot(arena, length * channels),
  };
  return {
    layer,
    inputShape,
    outputShape: [1, channels],
    paramCount: 0,
    init: () => undefined,
    forward(_params, input, output) {
      arena.wasm.meanForward(slots.input.place(input, true), slots.output.place(output, false), length, channels * arena.bytes, scale);
      slots.output.settle(output);
    },
    backward(_params, _input, outputGrad, _grads, inputGrad) {
      if (!inputGrad) return;
      arena.wasm.meanBackward(slots.outputGrad.place(outputGrad, true), slots.inputGrad.place(inputGrad, false), length, channels * arena.bytes, scale);
      slots.inputGrad.settle(inputGrad);
    },
  };
}
