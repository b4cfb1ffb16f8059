import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheHit, TempWorkspace } from './temp-workspace';

/**
 * The plugin as a user meets it: the real nx CLI in a fresh git workspace, the committed SisFall sample as data.
 * Tests run in order and build on each other's cache state. The stages after window are in stages.e2e.test.ts,
 * in a workspace of their own, so the two files run in parallel.
 */
const dataDir = path.resolve(__dirname, '../../../.data/datasets');
const STAGES = ['window', 'search', 'train-cascade', 'quantize', 'emit-firmware', 'flash-test'];
let ws: TempWorkspace;

beforeAll(() => {
  ws = new TempWorkspace({ NX_TINYML_DATA_DIR: dataDir });
});

afterAll(() => ws?.dispose());

describe('project inference', () => {
  it('finds one project per projects/*/experiment.yaml, named by its spec', async () => {
    const { exitCode, output } = await ws.nx('show', 'projects', '--projects=tag:type:experiment', '--json');
    expect(exitCode).toBe(0);
    expect(JSON.parse(output.slice(output.indexOf('['))).sort()).toEqual([
      'ecg-mitbih-f446',
      'ecg5000-f446',
      'fall-budget-f446',
      'fall-esp32',
      'fall-f446',
      'fall-gru-f446',
      'har-hapt-h747',
    ]);
  });

  it('gives each experiment tags and the six stages chained by dependsOn, with described targets', async () => {
    const { output } = await ws.nx('show', 'project', 'fall-esp32', '--json');
    const project = JSON.parse(output.slice(output.indexOf('{')));
    expect(project.tags).toEqual(expect.arrayContaining(['board:esp32-s2', 'dataset:sisfall']));
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(STAGES));
    STAGES.forEach((stage, i) => {
      const target = project.targets[stage];
      expect(target.dependsOn).toEqual(i === 0 ? [] : [STAGES[i - 1]]);
      expect(target.outputs).toEqual([`{workspaceRoot}/dist/experiments/fall-esp32/${stage}`]);
      expect(target.metadata.description.length).toBeGreaterThan(20);
      expect(target.cache).toBe(true);
    });
  });
});

// Several nx runs each: a shared 2-core machine needs more than the default minute.
describe('window stage through nx', { timeout: 180_000 }, () => {
  it('(a) builds the window store, and a second run is a cache hit', async () => {
    const first = await ws.nx('run', 'fall-esp32:window');
    expect(first.exitCode, first.output).toBe(0);
    expect(cacheHit(first.output)).toBe(false);
    const manifest = JSON.parse(readFileSync(path.join(ws.root, 'dist/experiments/fall-esp32/window/windows.json'), 'utf8'));
    expect(manifest.dataset).toMatchObject({ id: 'sisfall', variant: 'sample' });
    expect(manifest.window).toMatchObject({ length: 120, stride: 12, sampleRateHz: 100 });
    expect(manifest.counts.perClass.every((n: number) => n > 0)).toBe(true);

    const second = await ws.nx('run', 'fall-esp32:window');
    expect(second.exitCode).toBe(0);
    expect(cacheHit(second.output), second.output).toBe(true);
  });

  it('(b) editing only search: or quantize: keeps window cached and changes only that stage and what follows', async () => {
    const before = await ws.taskHashes('fall-esp32', STAGES);
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('trials: 20', 'trials: 21'));
    const afterSearch = await ws.taskHashes('fall-esp32', STAGES);
    expect(afterSearch['fall-esp32:window']).toBe(before['fall-esp32:window']);
    expect(afterSearch['fall-esp32:search']).not.toBe(before['fall-esp32:search']);
    expect(afterSearch['fall-esp32:quantize']).toBe(before['fall-esp32:quantize']);
    const run = await ws.nx('run', 'fall-esp32:window');
    expect(cacheHit(run.output), run.output).toBe(true);

    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('calibration: minmax', 'calibration: percentile'));
    const afterQuantize = await ws.taskHashes('fall-esp32', STAGES);
    expect(afterQuantize['fall-esp32:quantize']).not.toBe(afterSearch['fall-esp32:quantize']);
    for (const stage of ['window', 'search', 'train-cascade']) {
      expect(afterQuantize[`fall-esp32:${stage}`]).toBe(afterSearch[`fall-esp32:${stage}`]);
    }
    expect(cacheHit((await ws.nx('run', 'fall-esp32:window')).output)).toBe(true);
  });

  it('(d) a comment-only or formatting edit changes no stage hash and hits the cache', async () => {
    const before = await ws.taskHashes('fall-esp32', STAGES);
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => `# a note for the reader\n${t.replace('seed: 42', 'seed:   42   # same seed')}`);
    expect(await ws.taskHashes('fall-esp32', STAGES)).toEqual(before);
    expect(cacheHit((await ws.nx('run', 'fall-esp32:window')).output)).toBe(true);
  });

  it('early cutoff: a window edit that yields byte-identical output reruns window but leaves search cached', async () => {
    const before = await ws.taskHashes('fall-esp32', ['window', 'search']);
    // naming every subject of the sample explicitly changes the window fingerprint, not its output
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('    scheme: loso', '    scheme: loso\n    subjects: [SA01, SA02, SE01, SE06]'));
    const run = await ws.nx('run', 'fall-esp32:window');
    expect(run.exitCode, run.output).toBe(0);
    expect(cacheHit(run.output)).toBe(false);
    const after = await ws.taskHashes('fall-esp32', ['window', 'search']);
    expect(after['fall-esp32:window']).not.toBe(before['fall-esp32:window']);
    expect(after['fall-esp32:search']).toBe(before['fall-esp32:search']);
  });

  it('(c) editing window: reruns it, and the new output changes the next stage', async () => {
    const before = await ws.taskHashes('fall-esp32', ['window', 'search']);
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('overlap: 0.9', 'overlap: 0.5'));
    expect((await ws.taskHashes('fall-esp32', ['window']))['fall-esp32:window']).not.toBe(before['fall-esp32:window']);
    const run = await ws.nx('run', 'fall-esp32:window');
    expect(run.exitCode, run.output).toBe(0);
    expect(cacheHit(run.output)).toBe(false);
    const manifest = JSON.parse(ws.read('dist/experiments/fall-esp32/window/windows.json'));
    expect(manifest.window.stride).toBe(60);
    // later stages follow through their upstream's outputs (non-transitive), not through the spec
    const after = await ws.taskHashes('fall-esp32', ['window', 'search']);
    expect(after['fall-esp32:search']).not.toBe(before['fall-esp32:search']);
  });

  it('a stage whose input is missing fails with a clear message and writes nothing', async () => {
    const run = await ws.nx('run', 'fall-esp32:emit-firmware', '--exclude-task-dependencies');
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(/quantized-model\.json: cannot read the quantised model .*; run the quantize stage first/);
    expect(run.output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    expect(existsSync(path.join(ws.root, 'dist/experiments/fall-esp32/emit-firmware'))).toBe(false);
  });

  it('a broken spec fails the task with file:line:column and no stack trace', async () => {
    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('overlap: 0.5', 'overlap: 1.5'));
    const run = await ws.nx('run', 'fall-esp32:window');
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(/projects\/fall-esp32\/experiment\.yaml:\d+:\d+: window\.overlap/);
    expect(run.output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });
});

describe('affected experiments', { timeout: 180_000 }, () => {
  it('(e) lists only the experiments whose spec, dataset manifest or board changed', async () => {
    ws.git('checkout', '--', '.');
    const base = ws.commit('baseline');
    const affected = async () => {
      const { output } = await ws.nx('show', 'projects', '--affected', `--base=${base}`, '--json');
      return (JSON.parse(output.slice(output.indexOf('['))) as string[]).sort();
    };
    expect(await affected()).toEqual([]);

    ws.edit('firmware/boards/stm32f446ze/board.yaml', (t) => t.replace('stackBytes: 4096', 'stackBytes: 8192'));
    expect(await affected()).toEqual(['ecg-mitbih-f446', 'ecg5000-f446', 'fall-budget-f446', 'fall-f446', 'fall-gru-f446']);
    ws.git('checkout', '--', '.');

    ws.edit('tools/datasets/hapt_uci.json', (t) => t.replace('"title": "', '"title": "Edited: '));
    expect(await affected()).toEqual(['har-hapt-h747']);
    ws.git('checkout', '--', '.');

    ws.edit('projects/fall-esp32/experiment.yaml', (t) => t.replace('trials: 20', 'trials: 30'));
    expect(await affected()).toEqual(['fall-esp32']);
    ws.git('checkout', '--', '.');
  });
});

describe('experiment generator', () => {
  it('writes a spec that validates and becomes a project', async () => {
    const gen = await ws.nx('g', 'nx-tinyml:experiment', 'ecg-host', '--board=host', '--dataset=mitbih', '--no-interactive');
    expect(gen.exitCode, gen.output).toBe(0);
    const spec = ws.read('projects/ecg-host/experiment.yaml');
    expect(spec).toMatch(/^# yaml-language-server: \$schema=\.\.\/\.\.\/packages\/core\/src\/spec\/experiment\.schema\.json/);
    const { output } = await ws.nx('show', 'project', 'ecg-host', '--json');
    expect(JSON.parse(output.slice(output.indexOf('{'))).tags).toEqual(expect.arrayContaining(['board:host', 'dataset:mitbih']));
    const run = await ws.nx('run', 'ecg-host:window');
    expect(run.exitCode, run.output).toBe(0);
  });

  it('refuses an unknown board with the list of known ones', async () => {
    const gen = await ws.nx('g', 'nx-tinyml:experiment', 'x', '--board=esp32-s9', '--dataset=sisfall', '--no-interactive');
    expect(gen.exitCode).not.toBe(0);
    expect(gen.output).toMatch(/unknown board "esp32-s9".*esp32-s2/s);
    expect(existsSync(path.join(ws.root, 'projects/x'))).toBe(false);
  });
});

describe('outputRoot (plugin option)', () => {
  it('is where the stages and the report write, what Nx caches and what it restores', async () => {
    ws.edit('nx.json', (t) =>
      t.replace('"plugins": ["./packages/nx-tinyml"]', '"plugins": [{ "plugin": "./packages/nx-tinyml", "options": { "outputRoot": "out/ml" } }]'),
    );
    try {
      const window = await ws.nx('run', 'fall-esp32:window');
      expect(window.exitCode, window.output).toBe(0);
      const manifest = path.join(ws.root, 'out/ml/fall-esp32/window/windows.json');
      expect(existsSync(manifest)).toBe(true);

      rmSync(path.join(ws.root, 'out'), { recursive: true, force: true });
      const restored = await ws.nx('run', 'fall-esp32:window');
      expect(restored.exitCode, restored.output).toBe(0);
      expect(cacheHit(restored.output)).toBe(true);
      expect(existsSync(manifest)).toBe(true);

      const report = await ws.nx('run', 'fall-esp32:report');
      expect(report.exitCode, report.output).toBe(0);
      expect(existsSync(path.join(ws.root, 'out/ml/fall-esp32/report/report.html'))).toBe(true);
    } finally {
      ws.git('checkout', '--', 'nx.json');
    }
  });
});
