import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { UserError } from '../common/errors';
import { silentLog, type Log } from '../common/log';
import { progressLog, startProgress } from '../common/progress';
import { Random } from '../common/random';
import { readWindowStore, type LoadedWindowStore } from '../data/window-store';
import { exitCosts } from '../model/cost';
import type { ModelIR } from '../model/ir';
import { estimateMemory } from '../model/memory';
import { buildFlashBlob } from '../quantize/flash-blob';
import { runQuantized, type InterpreterResult } from '../quantize/interpreter';
import { quantizationErrors } from '../quantize/error-report';
import { U_Q15_ONE, evidentialDecision, thresholdQ15 } from '../quantize/evidential';
import { exportOnnx, onnxUnsupported } from '../quantize/onnx/onnx-export';
import { quantizeInput, quantizeModel } from '../quantize/ptq';
import { physicalToRaw, rawInputSpec, rawToInput, type RawInputSpec } from '../quantize/raw-input';
import { getAdapter } from '../data/adapters';
import type { QuantizedModel } from '../quantize/quantized-model';
import type { BoardDefinition, NormalizedQuantize } from '../spec/types';
import { CascadeNetwork, type CascadeWeights } from '../train/cascade/cascade-network';
import { applyThresholds, cascadeExitPredictions, PredictionSet } from '../train/cascade/predictions';
import { scorePredictions, type PredictionScores } from '../train/cascade/scoring';
import { uniformSubsample, WindowSampler } from '../train/window-source';
import { readStageOutput } from './read-stage-output';
import type { WindowManifest } from './window';

export interface QuantizeStageInput {
  experiment: string;
  quantize: NormalizedQuantize;
  seed: number;
  board: BoardDefinition;
  windowDir: string;
  /** The train-cascade stage's output folder (cascade-model.json). */
  cascadeDir: string;
  outDir: string;
  log?: Log;
}

/** What train-cascade hands on (cascade-model.json). */
interface CascadeModelFile {
  ir: ModelIR;
  weights: CascadeWeights;
  events: string[];
  eventClasses: number[];
  classes: string[];
  thresholds: number[];
  fold: string;
  subjects: { train: string[]; validation: string[]; test: string[] };
  normalization: { mean: number[]; std: number[] };
  windows: string;
}

export const QUANTIZED_MODEL_FILE = 'quantized-model.json';
export const FLASH_BLOB_FILE = 'model.bin';
export const GOLDEN_FILE = 'golden.json';
export const ONNX_FLOAT_FILE = 'model.onnx';
export const ONNX_INT8_FILE = 'model.int8.onnx';
export const RAW_INPUT_FILE = 'raw-input.json';

/** One golden vector: an int8 window and what the integer model answers, as the firmware must reproduce it. */
export interface GoldenVector {
  /** Window index in the store, its subject and true class. */
  window: number;
  subject: string;
  label: string;
  /** The window as the device's sensors give it: int16 [t][c] counts (raw-input.json says their units). */
  raw: number[];
  /** The int8 model input the raw window maps to (rawToInput). */
  input: number[];
  /** The cascade as it runs: the exits evaluated until one took the window. */
  exitTaken: number | null;
  exits: { exit: number; evidence: number[]; pQ15: number[]; uQ15: number[]; present: number[]; maxUQ15: number; takes: boolean }[];
  /** The prediction tensor of the exit taken (or the model's output). */
  output: number[];
  /** (E + 1)-class decision: 0 = no event, 1 + j = event j. */
  decision: number;
  /** Every exit evaluated (runAllExits): the heads the thresholds would skip are checked too. */
  allExits: { exit: number; evidence: number[]; pQ15: number[]; uQ15: number[] }[];
}

/**
 * The `quantize` stage: int8 post-training quantisation of the trained cascade (calibrated on windows of the fold's
 * training subjects), the flash blob laid out as the memory model declares, the float-vs-int8 report on the held-out
 * test subjects (per-event F1, accuracy, ECE, exit rates, per-tensor error), and golden vectors — int8 windows with
 * the integer reference interpreter's outputs, u values and exits — for flash-test to check the firmware against.
 */
export async function runQuantizeStage(input: QuantizeStageInput): Promise<{ eventF1Drop: number; accuracyDrop: number }> {
  const log = input.log ?? silentLog;
  const settings = input.quantize;
  const cascade = await readStageOutput<CascadeModelFile>(path.join(input.cascadeDir, 'cascade-model.json'), 'the trained cascade', 'train-cascade');
  const store = await readWindowStore<WindowManifest>(input.windowDir);
  if (cascade.windows !== store.manifest.payload.sha256) {
    throw new UserError(`${path.join(input.cascadeDir, 'cascade-model.json')}: trained on other windows than ${input.windowDir} holds; rerun train-cascade`);
  }
  const sampler = new WindowSampler(store, cascade.normalization);
  const random = Random.derive(input.seed, 0x9a17);
  const calibrationWindows = uniformSubsample(sampler.windowsOf(cascade.subjects.train), settings.calibrationWindows, random);
  const calibration = Array.from(calibrationWindows, (w) => sampler.sample(w));
  const percentile = settings.calibration === 'percentile' ? settings.percentile : undefined;
  const thresholdsQ15 = cascade.thresholds.map(thresholdQ15);
  log(
    `quantize: ${cascade.ir.layers.length} layers + ${cascade.ir.exits?.length ?? 0} exits; calibrating on ${calibration.length} windows of ${cascade.subjects.train.join(', ')} ` +
      `(${settings.calibration}${percentile !== undefined ? ` ${percentile}` : ''}); thresholds ${thresholdsQ15.join(', ') || '–'} (Q15)`,
  );
  const model = quantizeModel(cascade.ir, cascade.weights, calibration, { percentile, thresholdsQ15 });
  const blob = buildFlashBlob(model);
  const memory = estimateMemory(cascade.ir, input.board);
  const expectedBlob = memory.flash.total - memory.flash.runtimeCode;
  if (blob.bytes.length !== expectedBlob) throw new Error(`flash blob of ${blob.bytes.length} bytes, the memory model says ${expectedBlob}`);
  // The device is fed raw samples; every int8 figure below goes through the same integer map the firmware runs.
  const adapterChannels = getAdapter(store.manifest.dataset.id).channels;
  const rawInput = rawInputSpec(model, {
    sampleRateHz: store.manifest.window.sampleRateHz,
    windowLength: store.manifest.window.length,
    hop: store.manifest.window.stride,
    channels: store.manifest.window.channels.map((c) => ({ ...c, perCount: adapterChannels.find((a) => a.name === c.name)?.perCount })),
    normalization: cascade.normalization,
  });
  const deviceInput = (w: number) => rawToInput(rawInput, physicalToRaw(rawInput, physicalWindow(store, w)));

  // Float vs int8 on the held-out test subjects.
  const testWindows = sampler.windowsOf(cascade.subjects.test);
  const E = cascade.events.length;
  const eventOfClass = cascade.classes.map((_, c) => cascade.eventClasses.indexOf(c));
  const truth = Uint8Array.from(testWindows, (w) => eventOfClass[store.windowLabel[w]] + 1);
  const subjects = Uint16Array.from(testWindows, (w) => store.windowSubject[w]);
  const subjectNames = store.manifest.subjects.map((s) => s.id);
  const macs = exitCosts(cascade.ir).map((c) => c.macs);
  const network = new CascadeNetwork(cascade.ir);
  network.importWeights(cascade.weights);
  const floatSet = applyThresholds(cascadeExitPredictions(network, E, sampler, testWindows, { kind: 'clean' }, input.seed), cascade.thresholds);
  const started = Date.now();
  const intSet = new PredictionSet(testWindows.length, E, true);
  let agreeDecision = 0;
  let agreeExit = 0;
  let inputBytesEqual = 0;
  // A synchronous loop: the line comes from update(), the heartbeat timer cannot fire inside it.
  const progress = startProgress('quantize: int8 reference on test windows', testWindows.length, { log: progressLog(log) });
  testWindows.forEach((w, i) => {
    progress.update(i);
    const input = deviceInput(w);
    const fromFloat = quantizeInput(model, sampler.sample(w));
    for (let k = 0; k < input.length; k++) if (input[k] === fromFloat[k]) inputBytesEqual++;
    const result = runQuantized(model, input);
    writeInt8Prediction(result, intSet, i);
    if (intSet.cls[i] === floatSet.cls[i]) agreeDecision++;
    if ((intSet.exit as Uint8Array)[i] === (floatSet.exit as Uint8Array)[i]) agreeExit++;
  });
  progress.stop();
  const rawAgreement = inputBytesEqual / Math.max(1, testWindows.length * sampler.windowSize);
  log(
    `quantize: int8 reference interpreter on ${testWindows.length} test windows (raw sensor input, integer normalisation) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `${(100 * rawAgreement).toFixed(2)} % of input bytes equal to quantising the float z-scored window`,
  );
  const score = (set: PredictionSet) => scorePredictions(set, truth, subjects, subjectNames, cascade.events, macs);
  const floatScores = score(floatSet);
  const intScores = score(intSet);
  const errorWindows = Array.from(uniformSubsample(testWindows, Math.min(256, testWindows.length), Random.derive(input.seed, 0xe77)), (w) => sampler.sample(w));
  const tensorErrors = quantizationErrors(model, cascade.weights, errorWindows);
  const golden = goldenVectors(model, rawInput, store, testWindows, eventOfClass, settings.goldenVectors, Random.derive(input.seed, 0x601d));

  const report = {
    format: 'nx-tinyml/quantize@1',
    experiment: input.experiment,
    events: cascade.events,
    testSubjects: cascade.subjects.test,
    windows: testWindows.length,
    calibration: { method: settings.calibration, percentile: percentile ?? null, windows: calibration.length },
    thresholds: { float: cascade.thresholds, q15: thresholdsQ15 },
    float: summarize(floatScores),
    int8: summarize(intScores),
    drop: {
      eventF1: floatScores.eventF1 - intScores.eventF1,
      accuracy: floatScores.accuracy - intScores.accuracy,
      ece: intScores.ece - floatScores.ece,
      perEvent: floatScores.events.map((e, j) => ({ event: e.event, f1: e.f1 - intScores.events[j].f1 })),
    },
    agreement: { decision: agreeDecision / Math.max(1, testWindows.length), exit: agreeExit / Math.max(1, testWindows.length), rawInputBytes: rawAgreement },
    tensors: tensorErrors,
    flash: { blobBytes: blob.bytes.length, memoryModel: memory.flash, sections: blob.sections.length },
  };
  // model.onnx (float) and model.int8.onnx (QDQ), every exit an output (quantize/onnx/onnx-export.ts).
  const onnxSkipped = onnxUnsupported(model);
  const onnx = onnxSkipped === null ? exportOnnx(model, cascade.weights) : null;
  if (onnxSkipped !== null) log(`quantize: no ONNX files: ${onnxSkipped}`);
  await replaceDirAtomic(input.outDir, async (dir) => {
    if (onnx) {
      await writeFile(path.join(dir, ONNX_FLOAT_FILE), onnx.float);
      await writeFile(path.join(dir, ONNX_INT8_FILE), onnx.int8);
    }
    await writeFile(path.join(dir, QUANTIZED_MODEL_FILE), `${canonicalJson(model, 1)}\n`);
    await writeFile(path.join(dir, FLASH_BLOB_FILE), blob.bytes);
    await writeFile(path.join(dir, 'flash-sections.json'), `${canonicalJson(blob.sections, 1)}\n`);
    await writeFile(path.join(dir, RAW_INPUT_FILE), `${canonicalJson(rawInput, 1)}\n`);
    await writeFile(
      path.join(dir, GOLDEN_FILE),
      `${canonicalJson({ format: 'nx-tinyml/golden@1', events: cascade.events, classes: cascade.classes, vectors: golden }, 1)}\n`,
    );
    await writeFile(path.join(dir, 'report.json'), `${canonicalJson(report, 1)}\n`);
    await writeFile(path.join(dir, 'summary.md'), quantizeMarkdown(input.experiment, report));
  });
  log(
    `quantize: float → int8 on ${cascade.subjects.test.length <= 4 ? cascade.subjects.test.join(', ') : `${cascade.subjects.test.length} test subjects`}: ` +
      `event F1 ${floatScores.eventF1.toFixed(3)} → ${intScores.eventF1.toFixed(3)} (drop ${(100 * report.drop.eventF1).toFixed(2)} points), accuracy ${floatScores.accuracy.toFixed(3)} → ${intScores.accuracy.toFixed(3)}; ` +
      `decisions agree on ${(100 * report.agreement.decision).toFixed(2)} %, exits on ${(100 * report.agreement.exit).toFixed(2)} %; blob ${blob.bytes.length} B; ${golden.length} golden vectors`,
  );
  return { eventF1Drop: report.drop.eventF1, accuracyDrop: report.drop.accuracy };
}

/** Window w as stored: [t][c] in each channel's physical unit (not z-scored). */
function physicalWindow(store: LoadedWindowStore<WindowManifest>, w: number): Float32Array {
  const C = store.manifest.window.channels.length;
  const from = store.windowStart[w] * C;
  return store.signals.subarray(from, from + store.manifest.window.length * C);
}

function writeInt8Prediction(result: InterpreterResult, set: PredictionSet, i: number): void {
  const taken = result.exits.find((e) => e.exit === result.exitTaken) ?? result.exits[result.exits.length - 1];
  const E = set.events;
  taken.estimate.events.forEach((e, j) => (set.p[i * E + j] = e.pQ15 / U_Q15_ONE));
  set.uncertainty[i] = taken.estimate.maxUQ15 / U_Q15_ONE;
  set.cls[i] = evidentialDecision(taken.estimate.events);
  (set.exit as Uint8Array)[i] = taken.exit;
}

/**
 * Up to `count` test windows, a round-robin over the (E + 1) classes so every event is represented, each with the
 * integer model's full answer. Drawn by `random`, ordered by window index.
 */
function goldenVectors(
  model: QuantizedModel,
  rawInput: RawInputSpec,
  store: LoadedWindowStore<WindowManifest>,
  windows: Uint32Array,
  eventOfClass: number[],
  count: number,
  random: Random,
): GoldenVector[] {
  const byClass = new Map<number, number[]>();
  for (const w of windows) {
    const c = eventOfClass[store.windowLabel[w]] + 1;
    const list = byClass.get(c);
    if (list) list.push(w);
    else byClass.set(c, [w]);
  }
  const pools = [...byClass.keys()].sort((a, b) => a - b).map((c) => random.shuffle(byClass.get(c) as number[]));
  const chosen: number[] = [];
  for (let round = 0; chosen.length < Math.min(count, windows.length); round++) {
    for (const pool of pools) if (round < pool.length && chosen.length < count) chosen.push(pool[round]);
  }
  return chosen
    .sort((a, b) => a - b)
    .map((w) => {
      const raw = physicalToRaw(rawInput, physicalWindow(store, w));
      const input = rawToInput(rawInput, raw);
      const result = runQuantized(model, input);
      const all = runQuantized(model, input, { runAllExits: true });
      const evidenceOf = (r: InterpreterResult, op: number) => Array.from(r.tensors[op + 1] as Int8Array);
      const taken = result.exits.find((e) => e.exit === result.exitTaken);
      return {
        window: w,
        subject: store.manifest.subjects[store.windowSubject[w]].id,
        label: store.manifest.classes[store.windowLabel[w]],
        raw: Array.from(raw),
        input: Array.from(input),
        exitTaken: result.exitTaken,
        exits: result.exits.map((e) => ({
          exit: e.exit,
          evidence: evidenceOf(result, e.op),
          pQ15: e.estimate.events.map((x) => x.pQ15),
          uQ15: e.estimate.events.map((x) => x.uQ15),
          present: e.estimate.events.map((x) => (x.present ? 1 : 0)),
          maxUQ15: e.estimate.maxUQ15,
          takes: e.takes,
        })),
        output: Array.from(result.output),
        decision: taken ? evidentialDecision(taken.estimate.events) : 0,
        allExits: all.exits.map((e) => ({
          exit: e.exit,
          evidence: evidenceOf(all, e.op),
          pQ15: e.estimate.events.map((x) => x.pQ15),
          uQ15: e.estimate.events.map((x) => x.uQ15),
        })),
      };
    });
}

function summarize(scores: PredictionScores) {
  return {
    eventF1: scores.eventF1,
    accuracy: scores.accuracy,
    ece: scores.ece,
    brier: scores.brier,
    events: scores.events.map(({ event, precision, recall, f1, support }) => ({ event, precision, recall, f1, support })),
    exitRates: scores.exits?.rates ?? null,
    expectedMacs: scores.exits?.expectedMacs ?? null,
  };
}

function quantizeMarkdown(
  experiment: string,
  report: {
    events: string[];
    windows: number;
    testSubjects: string[];
    float: ReturnType<typeof summarize>;
    int8: ReturnType<typeof summarize>;
    drop: { eventF1: number; accuracy: number; ece: number };
    agreement: { decision: number; exit: number };
    tensors: { tensor: number; kind: string; maxSteps: number; meanSteps: number; maxAbsolute: number }[];
    flash: { blobBytes: number };
  },
): string {
  const f = (v: number | null) => (v === null ? '–' : v.toFixed(3));
  const rates = (r: number[] | null) => (r ? r.map((x) => `${(100 * x).toFixed(1)} %`).join(' / ') : '–');
  return [
    `# quantize: ${experiment}`,
    '',
    `int8 post-training quantisation; ${report.windows} test windows of ${report.testSubjects.length} subject(s); flash blob ${report.flash.blobBytes} B.`,
    '',
    '| model | event F1 | accuracy | ECE | Brier | exit rates | MACs / window |',
    '|---|---|---|---|---|---|---|',
    `| float | ${f(report.float.eventF1)} | ${f(report.float.accuracy)} | ${f(report.float.ece)} | ${f(report.float.brier)} | ${rates(report.float.exitRates)} | ${Math.round(report.float.expectedMacs ?? 0)} |`,
    `| int8 | ${f(report.int8.eventF1)} | ${f(report.int8.accuracy)} | ${f(report.int8.ece)} | ${f(report.int8.brier)} | ${rates(report.int8.exitRates)} | ${Math.round(report.int8.expectedMacs ?? 0)} |`,
    '',
    `Drop: event F1 ${(100 * report.drop.eventF1).toFixed(2)} points, accuracy ${(100 * report.drop.accuracy).toFixed(2)} points (UR2M's target: ≤ 1). ` +
      `Decisions agree on ${(100 * report.agreement.decision).toFixed(2)} % of windows, exits on ${(100 * report.agreement.exit).toFixed(2)} %.`,
    '',
    '| tensor | written by | max error (steps) | mean error (steps) | max error (absolute) |',
    '|---|---|---|---|---|',
    ...report.tensors.map((t) => `| ${t.tensor} | ${t.kind} | ${t.maxSteps.toFixed(2)} | ${t.meanSteps.toFixed(2)} | ${t.maxAbsolute.toPrecision(3)} |`),
    '',
  ].join('\n');
}
