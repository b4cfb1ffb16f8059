import { runQuantized } from '../quantize/interpreter';
import { quantizeInput } from '../quantize/ptq';
import type { QuantizedModel } from '../quantize/quantized-model';
import { writeFixedPointEstimate } from '../quantize/int8-agreement';
import { PredictionSet } from '../train/cascade/predictions';
import type { WindowSource } from '../train/window-source';

/**
 * The integer reference interpreter's answers for `windows` with every exit evaluated: the cascade's is the exit
 * its Q15 thresholds take (as the firmware decides), the deep exit's is the last one.
 */
export function int8CascadePredictions(
  model: QuantizedModel,
  source: WindowSource,
  windows: ArrayLike<number>,
  events: number,
): { cascade: PredictionSet; deep: PredictionSet } {
  const cascade = new PredictionSet(windows.length, events, true);
  const deep = new PredictionSet(windows.length, events, true);
  const sample = new Float64Array(source.windowSize);
  for (let i = 0; i < windows.length; i++) {
    source.fill(windows[i], sample);
    const result = runQuantized(model, quantizeInput(model, sample), { runAllExits: true });
    const taken = result.exits.find((e) => e.exit === result.exitTaken) ?? result.exits[result.exits.length - 1];
    const last = result.exits[result.exits.length - 1];
    writeFixedPointEstimate(taken.estimate, taken.exit, cascade, i);
    writeFixedPointEstimate(last.estimate, last.exit, deep, i);
  }
  return { cascade, deep };
}
