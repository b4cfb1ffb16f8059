import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { UserError } from '../common/errors';
import { silentLog, type Log } from '../common/log';
import { Random } from '../common/random';
import { getAdapter } from '../data/adapters';
import { readWindowStore, type LoadedWindowStore } from '../data/window-store';
import { estimateMemory } from '../model/memory';
import { quantizationErrors } from '../quantize/error-report';
import { thresholdQ15 } from '../quantize/evidential';
import { buildFlashBlob } from '../quantize/flash-blob';
import { goldenVectors, withDeviceInputGate } from '../quantize/golden-vectors';
import { exportOnnx } from '../quantize/onnx/onnx-export';
import { quantizeModel } from '../quantize/ptq';
import { floatVsInt8 } from '../quantize/int8-agreement';
import { int8Drop, QUANTIZE_REPORT_FORMAT, summarizeScores, writeQuantizeReport, type QuantizeReport } from '../quantize/quantize-report';
import { GOLDEN_FORMAT, writeQuantizedFiles } from '../quantize/quantized-files';
import type { QuantizedModel } from '../quantize/quantized-model';
import { rawInputSpec, type RawInputSpec } from '../quantize/raw-input';
import type { BoardDefinition, NormalizedQuantize } from '../spec/types';
import { CASCADE_MODEL_FILE, readCascadeModel } from '../train/cascade/cascade-model-file';
import { uniformSubsample, WindowSampler } from '../train/window-source';

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

/**
 * The `quantize` stage: int8 post-training quantisation of the trained cascade (calibrated on windows of the fold's
 * training subjects), the flash blob laid out as the memory model declares, the float-vs-int8 report on the held-out
 * test subjects (per-event F1, accuracy, ECE, exit rates, per-tensor error), and golden vectors — int8 windows with
 * the integer reference interpreter's outputs, u values and exits — for flash-test to check the firmware against.
 */
export async function runQuantizeStage(input: QuantizeStageInput): Promise<{ eventF1Drop: number; accuracyDrop: number }> {
  const log = input.log ?? silentLog;
  const settings = input.quantize;
  const cascade = await readCascadeModel(input.cascadeDir);
  const store = await readWindowStore(input.windowDir);
  if (cascade.windows !== store.manifest.payload.sha256) {
    throw new UserError(`${path.join(input.cascadeDir, CASCADE_MODEL_FILE)}: trained on other windows than ${input.windowDir} holds; rerun train-cascade`);
  }
  const sampler = new WindowSampler(store, cascade.normalization);
  const calibrationWindows = uniformSubsample(sampler.windowsOf(cascade.subjects.train), settings.calibrationWindows, Random.derive(input.seed, 0x9a17));
  const calibration = Array.from(calibrationWindows, (w) => sampler.sample(w));
  const percentile = settings.calibration === 'percentile' ? settings.percentile : undefined;
  const thresholdsQ15 = cascade.thresholds.map(thresholdQ15);
  log(
    `quantize: ${cascade.ir.layers.length} layers + ${cascade.ir.exits?.length ?? 0} exits; calibrating on ${calibration.length} windows of ${cascade.subjects.train.join(', ')} ` +
      `(${settings.calibration}${percentile !== undefined ? ` ${percentile}` : ''}); thresholds ${thresholdsQ15.join(', ') || '–'} (Q15)`,
  );
  const ungated = quantizeModel(cascade.ir, cascade.weights, calibration, { percentile, thresholdsQ15 });
  const blob = buildFlashBlob(ungated);
  const memory = estimateMemory(cascade.ir, input.board);
  const expectedBlob = memory.flash.total - memory.flash.runtimeCode;
  if (blob.bytes.length !== expectedBlob) throw new Error(`flash blob of ${blob.bytes.length} bytes, the memory model says ${expectedBlob}`);
  // The device is fed raw samples; every int8 figure below goes through the same integer map the firmware runs.
  const rawInput = deviceRawInput(ungated, store, cascade.normalization);
  const model = settings.inputGate ? withDeviceInputGate(ungated, rawInput, store, calibrationWindows) : ungated;
  if (model.inputGate) {
    log(
      `quantize: input gate from the ${calibrationWindows.length} calibration windows as the device gets them: ≤ ${model.inputGate.jitterMax} second differences above ` +
        `${model.inputGate.jitterStep} steps, ≤ ${model.inputGate.zeroSamplesMax} samples reading 0 on every axis`,
    );
  }

  // Float vs int8 on the held-out test subjects.
  const testWindows = sampler.windowsOf(cascade.subjects.test);
  const scores = floatVsInt8(cascade, model, store, sampler, testWindows, rawInput, input.seed, log);
  const [floatScores, intScores] = [scores.float, scores.int8];
  const eventOfClass = cascade.classes.map((_, c) => cascade.eventClasses.indexOf(c));
  const errorWindows = Array.from(uniformSubsample(testWindows, Math.min(256, testWindows.length), Random.derive(input.seed, 0xe77)), (w) => sampler.sample(w));
  const golden = goldenVectors(model, rawInput, store, testWindows, eventOfClass, settings.goldenVectors, Random.derive(input.seed, 0x601d));
  const report: QuantizeReport = {
    format: QUANTIZE_REPORT_FORMAT,
    experiment: input.experiment,
    events: cascade.events,
    testSubjects: cascade.subjects.test,
    windows: testWindows.length,
    calibration: { method: settings.calibration, percentile: percentile ?? null, windows: calibration.length },
    thresholds: { float: cascade.thresholds, q15: thresholdsQ15 },
    float: summarizeScores(floatScores),
    int8: summarizeScores(intScores),
    drop: int8Drop(floatScores, intScores),
    agreement: scores.agreement,
    tensors: quantizationErrors(model, cascade.weights, errorWindows),
    flash: { blobBytes: blob.bytes.length, memoryModel: memory.flash, sections: blob.sections.length },
  };
  // model.onnx (float) and model.int8.onnx (QDQ), every exit an output (quantize/onnx/onnx-export.ts).
  const onnx = exportOnnx(model, cascade.weights);
  await replaceDirAtomic(input.outDir, async (dir) => {
    const goldenFile = { format: GOLDEN_FORMAT, events: cascade.events, classes: cascade.classes, vectors: golden } as const;
    await writeQuantizedFiles(dir, { model, blob, rawInput, golden: goldenFile, onnx });
    await writeQuantizeReport(dir, report);
  });
  log(
    `quantize: float → int8 on ${cascade.subjects.test.length <= 4 ? cascade.subjects.test.join(', ') : `${cascade.subjects.test.length} test subjects`}: ` +
      `event F1 ${floatScores.eventF1.toFixed(3)} → ${intScores.eventF1.toFixed(3)} (drop ${(100 * report.drop.eventF1).toFixed(2)} points), accuracy ${floatScores.accuracy.toFixed(3)} → ${intScores.accuracy.toFixed(3)}; ` +
      `decisions agree on ${(100 * report.agreement.decision).toFixed(2)} %, exits on ${(100 * report.agreement.exit).toFixed(2)} %; blob ${blob.bytes.length} B; ${golden.length} golden vectors`,
  );
  return { eventF1Drop: report.drop.eventF1, accuracyDrop: report.drop.accuracy };
}

/** The device's input map: the store's window geometry and channel units per count, the cascade's normalisation in integers. */
function deviceRawInput(model: QuantizedModel, store: LoadedWindowStore, normalization: { mean: number[]; std: number[] }): RawInputSpec {
  const adapterChannels = getAdapter(store.manifest.dataset.id).channels;
  return rawInputSpec(model, {
    sampleRateHz: store.manifest.window.sampleRateHz,
    windowLength: store.manifest.window.length,
    hop: store.manifest.window.stride,
    channels: store.manifest.window.channels.map((c) => ({ ...c, perCount: c.perCount ?? adapterChannels.find((a) => a.name === c.name)?.perCount })),
    normalization,
  });
}
