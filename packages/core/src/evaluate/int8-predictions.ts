import { fitInputGate } from '../quantize/input-gate';
import { runQuantized } from '../quantize/interpreter';
import { WasmLinearKernels } from '../quantize/kernels/linear-wasm';
import { quantizeInput } from '../quantize/ptq';
import type { QuantizedModel } from '../quantize/quantized-model';
import { writeFixedPointEstimate } from '../quantize/int8-agreement';
import { forEachWindow, PredictionSet, type Perturbation } from '../train/cascade/predictions';
import type { WindowSource } from '../train/window-source';

/**
 * The integer reference interpreter's answers for `windows` with every exit evaluated: the cascade's is the exit
 * its Q15 thresholds take (as the firmware decides), the deep exit's is the last one.
 */
export function int8CascadePredictions(
  model: QuantizedModel,
  source: WindowSource,
  windows: Uint32Array,
  events: number,
  perturbation: Perturbation = { kind: 'clean' },
  seed = 0,
): { cascade: PredictionSet; deep: PredictionSet; gateRejected: number } {
  const cascade = new PredictionSet(windows.length, events, true);
  const deep = new PredictionSet(windows.length, events, true);
  let gateRejected = 0;
  const linearKernels = new WasmLinearKernels();
  forEachWindow(source, windows, perturbation, seed, (sample, i) => {
    const result = runQuantized(model, quantizeInput(model, sample), { runAllExits: true, linearKernels });
    if (result.inputGate && !result.inputGate.ok) gateRejected++;
    const taken = result.exits.find((e) => e.exit === result.exitTaken) ?? result.exits[result.exits.length - 1];
    const last = result.exits[result.exits.length - 1];
    writeFixedPointEstimate(taken.estimate, taken.exit, cascade, i);
    writeFixedPointEstimate(last.estimate, last.exit, deep, i);
  });
  return { cascade, deep, gateRejected };
}

/**
 * `model` with the input gate fitted as the quantize stage fits it, but on inputs quantised from the z-scored
 * windows (what evaluate feeds the interpreter): zero = the input of a raw reading of 0, bounds from `calibration`.
 */
export function withInputGateFrom(model: QuantizedModel, source: WindowSource, calibration: Uint32Array): QuantizedModel {
  if (model.exits.length === 0 || calibration.length === 0) return model;
  const zero = quantizeInput(
    model,
    Float64Array.from({ length: source.windowSize }, (_, i) => source.normalizedZero()[i % source.channels]),
  );
  const inputs: Int8Array[] = [];
  forEachWindow(source, calibration, { kind: 'clean' }, 0, (sample) => inputs.push(quantizeInput(model, sample)));
  return { ...model, inputGate: fitInputGate(Array.from(zero.subarray(0, source.channels)), inputs) };
}
