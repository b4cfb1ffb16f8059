import type { Log } from '../common/log';
import { progressLog, startProgress } from '../common/progress';
import type { LoadedWindowStore } from '../data/window-store';
import { exitCosts } from '../model/cost';
import type { CascadeModelFile } from '../train/cascade/cascade-model-file';
import { CascadeNetwork } from '../train/cascade/cascade-network';
import { applyThresholds, cascadeExitPredictions, PredictionSet } from '../train/cascade/predictions';
import { scorePredictions, type PredictionScores } from '../train/cascade/scoring';
import type { WindowSampler } from '../train/window-source';
import { evidentialDecision, U_Q15_ONE, type HeadEstimate } from './evidential';
import { deviceInput } from './golden-vectors';
import { runQuantized } from './interpreter';
import { quantizeInput } from './ptq';
import type { Int8Agreement } from './quantize-report';
import type { QuantizedModel } from './quantized-model';
import type { RawInputSpec } from './raw-input';

/** Window i of a fixed-point head estimate: p_q15 and u_q15 as fractions, the firmware's decision, the exit. */
export function writeFixedPointEstimate(estimate: HeadEstimate, exit: number, set: PredictionSet, i: number): void {
  estimate.events.forEach((e, j) => (set.p[i * set.events + j] = e.pQ15 / U_Q15_ONE));
  set.uncertainty[i] = estimate.maxUQ15 / U_Q15_ONE;
  set.cls[i] = evidentialDecision(estimate.events);
  (set.exit as Uint8Array)[i] = exit;
}

/**
 * The integer reference interpreter on `windows` fed as the device is (`inputOf`: raw samples, integer
 * normalisation), as deployed (the exit its thresholds take), and its agreement with the float predictions.
 */
export function int8TestPredictions(
  model: QuantizedModel,
  sampler: WindowSampler,
  windows: Uint32Array,
  floatSet: PredictionSet,
  inputOf: (w: number) => Int8Array,
  log: Log,
): { set: PredictionSet; agreement: Int8Agreement } {
  const started = Date.now();
  const set = new PredictionSet(windows.length, floatSet.events, true);
  let agreeDecision = 0;
  let agreeExit = 0;
  let inputBytesEqual = 0;
  // A synchronous loop: the line comes from update(), the heartbeat timer cannot fire inside it.
  const progress = startProgress('quantize: int8 reference on test windows', windows.length, { log: progressLog(log) });
  windows.forEach((w, i) => {
    progress.update(i);
    const input = inputOf(w);
    const fromFloat = quantizeInput(model, sampler.sample(w));
    for (let k = 0; k < input.length; k++) if (input[k] === fromFloat[k]) inputBytesEqual++;
    const result = runQuantized(model, input);
    const taken = result.exits.find((e) => e.exit === result.exitTaken) ?? result.exits[result.exits.length - 1];
    writeFixedPointEstimate(taken.estimate, taken.exit, set, i);
    if (set.cls[i] === floatSet.cls[i]) agreeDecision++;
    if ((set.exit as Uint8Array)[i] === (floatSet.exit as Uint8Array)[i]) agreeExit++;
  });
  progress.stop();
  const rawInputBytes = inputBytesEqual / Math.max(1, windows.length * sampler.windowSize);
  log(
    `quantize: int8 reference interpreter on ${windows.length} test windows (raw sensor input, integer normalisation) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `${(100 * rawInputBytes).toFixed(2)} % of input bytes equal to quantising the float z-scored window`,
  );
  const n = Math.max(1, windows.length);
  return { set, agreement: { decision: agreeDecision / n, exit: agreeExit / n, rawInputBytes } };
}

/**
 * The float cascade and the int8 model (fed as the device is) on the held-out test windows, scored alike, and how
 * often they agree.
 */
export function floatVsInt8(
  cascade: CascadeModelFile,
  model: QuantizedModel,
  store: LoadedWindowStore,
  sampler: WindowSampler,
  testWindows: Uint32Array,
  rawInput: RawInputSpec,
  seed: number,
  log: Log,
): { float: PredictionScores; int8: PredictionScores; agreement: Int8Agreement } {
  const eventOfClass = cascade.classes.map((_, c) => cascade.eventClasses.indexOf(c));
  const truth = Uint8Array.from(testWindows, (w) => eventOfClass[store.windowLabel[w]] + 1);
  const subjects = Uint16Array.from(testWindows, (w) => store.windowSubject[w]);
  const network = new CascadeNetwork(cascade.ir);
  network.importWeights(cascade.weights);
  const floatSet = applyThresholds(cascadeExitPredictions(network, cascade.events.length, sampler, testWindows, { kind: 'clean' }, seed), cascade.thresholds);
  const int8 = int8TestPredictions(model, sampler, testWindows, floatSet, (w) => deviceInput(rawInput, store, w), log);
  const macs = exitCosts(cascade.ir).map((c) => c.macs);
  const subjectNames = store.manifest.subjects.map((s) => s.id);
  const score = (set: PredictionSet) => scorePredictions(set, truth, subjects, subjectNames, cascade.events, macs);
  return { float: score(floatSet), int8: score(int8.set), agreement: int8.agreement };
}
