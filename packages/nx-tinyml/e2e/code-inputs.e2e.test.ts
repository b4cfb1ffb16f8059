import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempWorkspace } from './temp-workspace';

/**
 * Cache keys that follow the code each target runs (its executor's import graph) and the spec sections it reads
 * (params files the plugin writes), through the real nx CLI in a fresh git workspace. Tests run in order.
 */
const dataDir = path.resolve(__dirname, '../../../.data/datasets');
const PROJECT = 'fall-esp32';
const TARGETS = ['window', 'search', 'train-cascade', 'quantize', 'emit-firmware', 'flash-test', 'evaluate-s0', 'evaluate', 'report'];
const READS_WINDOWS = ['window', 'search', 'train-cascade', 'quantize', 'evaluate-s0', 'evaluate'];
let ws: TempWorkspace;

const hashes = () => ws.taskHashes(PROJECT, TARGETS);
const changed = (before: Record<string, string>, after: Record<string, string>) =>
  TARGETS.filter((target) => before[`${PROJECT}:${target}`] !== after[`${PROJECT}:${target}`]).sort();

beforeAll(() => {
  ws = new TempWorkspace({ NX_TINYML_DATA_DIR: dataDir });
  ws.edit(`projects/${PROJECT}/experiment.yaml`, (t) =>
    t.replace(
      /search:\n(  .*\n)+/,
      'search:\n  space: cnn1d\n  strategy: successive-halving\n  trials: 3\n  epochs: 2\n  maxTrainWindows: 1000\n  maxValidationWindows: 1000\n  baselines:\n    twoStage: false\n    unweighted: false\n',
    ),
  );
  ws.commit('tiny search');
});

afterAll(() => ws?.dispose());

describe('code inputs from the import graph', { timeout: 300_000 }, () => {
  it('editing a test file or test support changes no target hash', async () => {
    const before = await hashes();
    ws.edit('packages/core/src/data/windowing.test.ts', (t) => `${t}\nexport const probe = 1;\n`);
    ws.edit('packages/core/testing/quantize/kernel-cases.ts', (t) => `${t}\nexport const probe = 1;\n`);
    ws.edit('packages/core/src/stages/search.test.ts', (t) => t.replace(/\n/, '\nconst probe = 1;\nvoid probe;\n'));
    expect(changed(before, await hashes())).toEqual([]);
  });

  it('a code change in data/window-store.ts changes every target that reads windows, search included, and reruns search', async () => {
    const first = await ws.nx('run', `${PROJECT}:search`);
    expect(first.exitCode, first.output).toBe(0);
    const again = await ws.nx('run', `${PROJECT}:search`);
    expect(again.output).toMatch(/from the cache instead of running the command for 2 out of 2 tasks/);

    const before = await hashes();
    ws.edit('packages/core/src/data/window-store.ts', (t) => `${t}\nexport const WINDOW_STORE_FORMAT_NOTE = 'probe';\n`);
    const after = await hashes();
    expect(changed(before, after)).toEqual(expect.arrayContaining(READS_WINDOWS));
    expect(changed(before, after)).not.toContain('report');

    const rerun = await ws.nx('run', `${PROJECT}:search`);
    expect(rerun.exitCode, rerun.output).toBe(0);
    expect(rerun.output).not.toMatch(/from the cache instead of running the command/);
  });

  it('a comment counts too: Nx hashes the files as they are', async () => {
    const before = await hashes();
    ws.edit('packages/core/src/data/window-store.ts', (t) => `// a note for the reader\n${t}`);
    expect(changed(before, await hashes())).toEqual(expect.arrayContaining(READS_WINDOWS));
  });

  it('an import added to a stage puts the imported file in its inputs at once', async () => {
    ws.edit('packages/core/src/stages/flash-test.ts', (t) => `${t}\nexport { alarmWindows as probeAlarmWindows } from '../evaluate/alarms';\n`);
    const before = await hashes();
    ws.edit('packages/core/src/evaluate/alarms.ts', (t) => `${t}\nexport const probe = 1;\n`);
    expect(changed(before, await hashes())).toContain('flash-test');
  });
});

describe('spec sections through the params files', { timeout: 300_000 }, () => {
  it('with the Nx daemon on, the next command sees a section edit, and only that stage and later ones change', async () => {
    const daemon = new TempWorkspace({ NX_TINYML_DATA_DIR: dataDir, NX_DAEMON: 'true' });
    try {
      const before = await daemon.taskHashes(PROJECT, TARGETS);
      expect(existsSync(path.join(daemon.root, '.nx/workspace-data/d/daemon.log')), 'the daemon ran').toBe(true);
      daemon.edit(`projects/${PROJECT}/experiment.yaml`, (t) => t.replace('calibration: minmax', 'calibration: percentile'));
      const after = await daemon.taskHashes(PROJECT, TARGETS);
      expect(changed(before, after)).toEqual(['evaluate', 'evaluate-s0', 'quantize']);
    } finally {
      await daemon.nx('daemon', '--stop');
      daemon.dispose();
    }
  });
});
