import * as path from 'node:path';
import { runEmitFirmwareStage } from './emit-firmware';
import { runFlashTestStage } from './flash-test';
import { runQuantizeStage } from './quantize';
import { runSamplePipeline, type SamplePipeline } from './sample-pipeline';

/**
 * For the report's tests: the real sample pipeline (window, a one-candidate search, a short train-cascade,
 * quantize, emit-firmware, flash-test on QEMU's Cortex-M4 or on the host, as the caller's toolchains allow),
 * laid out as dist/experiments/<name>/<stage>/ is.
 */
export async function runSampleReportPipeline(runner: 'qemu' | 'host'): Promise<SamplePipeline> {
  const pipeline = await runSamplePipeline();
  const { spec, root } = pipeline;
  const quantizeDir = path.join(root, 'quantize');
  const firmwareDir = path.join(root, 'emit-firmware');
  await runQuantizeStage({
    experiment: spec.name,
    quantize: { ...spec.quantize, goldenVectors: 8, calibrationWindows: 300 },
    seed: spec.seed,
    board: spec.boardDefinition,
    windowDir: pipeline.windowDir,
    cascadeDir: pipeline.cascadeDir,
    outDir: quantizeDir,
  });
  await runEmitFirmwareStage({
    experiment: spec.name,
    format: 'auto',
    board: spec.boardDefinition,
    postProcessing: spec.evaluate.postProcessing,
    quantizeDir,
    outDir: firmwareDir,
  });
  await runFlashTestStage({
    experiment: spec.name,
    runner,
    board: spec.boardDefinition,
    firmwareDir,
    quantizeDir,
    outDir: path.join(root, 'flash-test'),
  });
  return pipeline;
}
