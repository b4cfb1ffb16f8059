import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TempWorkspace } from './temp-workspace';

/**
 * The stages after window through the real nx CLI in a fresh git workspace (the committed samples as data): search,
 * train-cascade, quantize and emit-firmware of fall-esp32, and the whole chain down to QEMU for ecg-mitbih-f446.
 * Tests run in order and build on each other's cache state. Split from plugin.e2e.test.ts so the two run in parallel.
 */
const dataDir = path.resolve(__dirname, '../../../.data/datasets');
const toolchains = inject('toolchainState');
let ws: TempWorkspace;

beforeAll(() => {
  ws = new TempWorkspace({ NX_TINYML_DATA_DIR: dataDir });
});

afterAll(() => ws?.dispose());

describe('search stage through nx', { timeout: 180_000 }, () => {
  it('`nx run fall-esp32:search` runs window then a memory-constrained search, and reruns from the cache', async () => {
    ws.git('checkout', '--', '.');
    ws.edit('projects/fall-esp32/experiment.yaml', (t) =>
      t.replace(
        /search:\n(  .*\n)+/,
        'search:\n  space: cnn1d\n  strategy: successive-halving\n  trials: 3\n  epochs: 2\n  maxTrainWindows: 1000\n  maxValidationWindows: 1000\n  baselines:\n    twoStage: false\n    unweighted: true\n',
      ),
    );
    const run = await ws.nx('run', 'fall-esp32:search');
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(/search: 3 cnn1d candidates fit esp32-s2/);
    const trials = JSON.parse(ws.read('dist/experiments/fall-esp32/search/trials.json'));
    expect(trials.candidates).toHaveLength(3);
    const best = JSON.parse(ws.read('dist/experiments/fall-esp32/search/best-model.json'));
    expect(best.memory.fits).toBe(true);
    expect(best.memory.sram.arena).toBeLessThanOrEqual(262144);
    const again = await ws.nx('run', 'fall-esp32:search');
    expect(again.output).toMatch(/Nx read the output from the cache instead of running the command for 2 out of 2 tasks/);
  });
});

describe('train-cascade stage through nx', () => {
  it('`nx run fall-esp32:train-cascade` trains the evidential cascade on the searched backbone and its baselines', async () => {
    ws.edit('projects/fall-esp32/experiment.yaml', (t) =>
      t.replace(
        /train-cascade:\n(  .*\n)+/,
        'train-cascade:\n  exits: 3\n  events: [fall]\n  epochs: 2\n  maxTrainWindows: 1500\n  maxValidationWindows: 1000\n  ensembleSize: 2\n  robustness: { noise: [1], missing: [1], maxWindows: 300 }\n',
      ),
    );
    const run = await ws.nx('run', 'fall-esp32:train-cascade');
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(/train-cascade: thresholds .* on validation: event F1/);
    const model = JSON.parse(ws.read('dist/experiments/fall-esp32/train-cascade/cascade-model.json'));
    expect(model.ir.head).toBe('evidential');
    expect(model.events).toEqual(['fall']);
    const comparison = JSON.parse(ws.read('dist/experiments/fall-esp32/train-cascade/comparison.json'));
    expect(comparison.rows.map((r: { method: string }) => r.method)).toEqual(['ur2m-cascade', 'evidential', 'softmax', 'deep-ensemble', 'tta']);
    const again = await ws.nx('run', 'fall-esp32:train-cascade');
    expect(again.output).toMatch(/Nx read the output from the cache instead of running the command for 3 out of 3 tasks/);
  }, 300_000);

  it('editing only train-cascade: changes that stage and what follows, never window or search', async () => {
    const stages = ['window', 'search', 'train-cascade', 'quantize', 'emit-firmware', 'flash-test'];
    const before = await ws.taskHashes('fall-esp32', stages);
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('ensembleSize: 2', 'ensembleSize: 3'));
    const after = await ws.taskHashes('fall-esp32', stages);
    expect(after['fall-esp32:window']).toBe(before['fall-esp32:window']);
    expect(after['fall-esp32:search']).toBe(before['fall-esp32:search']);
    expect(after['fall-esp32:train-cascade']).not.toBe(before['fall-esp32:train-cascade']);
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('ensembleSize: 3', 'ensembleSize: 2'));
  }, 120_000);
});

describe('quantize stage through nx', () => {
  it('`nx run fall-esp32:quantize` writes the int8 model, the drop report and golden vectors', async () => {
    const run = await ws.nx('run', 'fall-esp32:quantize');
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(/quantize: float → int8 on SA01: event F1 .* golden vectors/);
    const report = JSON.parse(ws.read('dist/experiments/fall-esp32/quantize/report.json'));
    expect(report.int8.eventF1).toBeGreaterThan(0);
    const golden = JSON.parse(ws.read('dist/experiments/fall-esp32/quantize/golden.json'));
    expect(golden.vectors).toHaveLength(32);
    expect(existsSync(path.join(ws.root, 'dist/experiments/fall-esp32/quantize/model.bin'))).toBe(true);
  }, 300_000);
});

describe('the whole chain through nx on an STM32', () => {
  it.skipIf(!(toolchains.crossCompilers && toolchains.qemu))(
    '`nx run ecg-mitbih-f446:flash-test` runs all six stages and passes bit-exact on QEMU (Cortex-M4)',
    async () => {
      ws.edit('projects/ecg-mitbih-f446/experiment.yaml', (t) =>
        t
          .replace(
            /search:\n(  .*\n)+/,
            'search:\n  space: dsconv\n  strategy: grid\n  trials: 2\n  epochs: 1\n  maxTrainWindows: 800\n  maxValidationWindows: 800\n  baselines: { twoStage: false, unweighted: false }\n',
          )
          .replace(
            /train-cascade:\n(  .*\n)+/,
            'train-cascade:\n  exits: 3\n  events: [S, V, F]\n  epochs: 1\n  maxTrainWindows: 800\n  maxValidationWindows: 800\n  baselines: { softmax: false, ensemble: false, tta: false, evidential: false }\n  robustness: { noise: [1], missing: [1], maxWindows: 100 }\n',
          )
          .replace(/quantize:\n(  .*\n)+/, 'quantize:\n  calibration: percentile\n  percentile: 99.99\n  calibrationWindows: 200\n  goldenVectors: 8\n'),
      );
      const run = await ws.nx('run', 'ecg-mitbih-f446:flash-test');
      expect(run.exitCode, run.output).toBe(0);
      expect(run.output).toMatch(/flash-test: 8\/8 golden vectors bit-exact on stm32f446ze \(qemu: cortex-m4\)/);
      const report = JSON.parse(ws.read('dist/experiments/ecg-mitbih-f446/flash-test/report.json'));
      expect(report.memory.blob.linked).toBe(report.memory.blob.predicted);
      expect(report.memory.arena.linked).toBe(report.memory.arena.predicted);
      expect(report.instructions.perInference.mean).toBeGreaterThan(0);
      expect(existsSync(path.join(ws.root, 'dist/experiments/ecg-mitbih-f446/emit-firmware/model/model.c'))).toBe(true);
      // The spec's rrFeatures: the firmware recomputed every clean golden beat's RR channels from its R peaks.
      expect(ws.read('dist/experiments/ecg-mitbih-f446/emit-firmware/model/model.h')).toContain('#define TINYML_RR_FIRST_CHANNEL 1');
      expect(ws.read('dist/experiments/ecg-mitbih-f446/flash-test/output.txt')).toMatch(/rr features: [1-9]\d* beats recomputed from R peaks/);
    },
    900_000,
  );

  it('`nx run fall-esp32:emit-firmware` writes an ESP-IDF component', async () => {
    const run = await ws.nx('run', 'fall-esp32:emit-firmware');
    expect(run.exitCode, run.output).toBe(0);
    expect(ws.read('dist/experiments/fall-esp32/emit-firmware/CMakeLists.txt')).toMatch(/idf_component_register/);
    expect(existsSync(path.join(ws.root, 'dist/experiments/fall-esp32/emit-firmware/idf_component.yml'))).toBe(true);
  }, 300_000);
});
