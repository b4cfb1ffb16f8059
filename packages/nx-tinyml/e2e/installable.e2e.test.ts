import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { cacheHit } from './temp-workspace';

/**
 * The plugin as someone outside this repository gets it: both packages built and packed with `npm run pack:plugin`,
 * installed from the tarballs (npm, from the registry or its cache, for everything else) into a fresh Nx workspace
 * that holds nothing of this repository, then `nx g nx-tinyml:init`, `nx g nx-tinyml:experiment` and the real
 * `window` target on the SisFall sample the core package ships, and (with the cross compilers and QEMU) the whole
 * chain down to flash-test. Tests run in order and build on each other.
 */
const repoRoot = path.resolve(__dirname, '../../..');
const nxVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/nx/package.json'), 'utf8')) as { version: string }).version;
let root: string;
const toolchains = inject('toolchainState');
const firmwareRuns = toolchains.crossCompilers && toolchains.qemu;

async function run(command: string, args: string[]): Promise<{ exitCode: number; output: string }> {
  const result = await execa(command, args, {
    cwd: root,
    reject: false,
    all: true,
    env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', NX_TINYML_DATASET_MIRROR: undefined, NX_TINYML_DATA_DIR: undefined },
    extendEnv: true,
  });
  return { exitCode: result.exitCode ?? 1, output: result.all ?? '' };
}

const nx = (...args: string[]) => run(path.join(root, 'node_modules/.bin/nx'), args);

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'nx-tinyml-installed-'));
  const packed = path.join(root, '.packed');
  execFileSync('node', ['-r', '@swc-node/register', 'tools/pack/build-packages.ts', '--out', packed], { cwd: repoRoot, stdio: 'pipe' });
  const tarballs = readdirSync(packed)
    .filter((file) => file.endsWith('.tgz'))
    .map((file) => path.join(packed, file));
  expect(tarballs.map((file) => path.basename(file)).sort()).toEqual(['nx-tinyml-0.1.0.tgz', 'nx-tinyml-core-0.1.0.tgz']);
  writeFileSync(
    path.join(root, 'package.json'),
    `${JSON.stringify({ name: 'fresh-workspace', private: true, devDependencies: { nx: nxVersion } }, null, 2)}\n`,
  );
  writeFileSync(path.join(root, 'nx.json'), '{ "$schema": "./node_modules/nx/schemas/nx-schema.json" }\n');
  mkdirSync(path.join(root, 'projects'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root });
  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs]);
  if (install.exitCode !== 0) throw new Error(`npm install of the packed plugin failed:\n${install.output}`);
}, 600_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('nx-tinyml installed from its npm packages into a fresh workspace', () => {
  it('installs compiled JavaScript, not this repository: no TypeScript sources and no path back to the checkout', () => {
    const core = path.join(root, 'node_modules/@nx-tinyml/core');
    expect(existsSync(path.join(core, 'src/index.js'))).toBe(true);
    expect(existsSync(path.join(core, 'src/index.ts'))).toBe(false);
    expect(existsSync(path.join(core, 'firmware/runtime/tinyml_runtime.h'))).toBe(true);
    expect(existsSync(path.join(core, 'firmware/boards/esp32-s2/board.yaml'))).toBe(true);
    expect(existsSync(path.join(root, 'node_modules/nx-tinyml/src/executors/window.js'))).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(core, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain('@swc-node/register');
  });

  it('init registers the plugin, ignores the stage outputs and writes a CI workflow with the search shards as a job matrix', async () => {
    const { exitCode, output } = await nx('g', 'nx-tinyml:init', '--searchShards=2', '--searchRounds=3');
    expect(exitCode, output).toBe(0);
    const nxJson = JSON.parse(readFileSync(path.join(root, 'nx.json'), 'utf8')) as { plugins: unknown[] };
    expect(nxJson.plugins).toEqual([{ plugin: 'nx-tinyml', options: { searchShards: 2, searchRounds: 3 } }]);
    expect(readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['/dist', '/.nx/cache', '/.data']));
    const workflow = parse(readFileSync(path.join(root, '.github/workflows/nx-tinyml.yml'), 'utf8')) as {
      env: Record<string, string>;
      jobs: Record<string, { needs?: string; strategy?: { matrix: { shard: number[] } }; steps: { run?: string }[] }>;
    };
    expect(Object.keys(workflow.jobs)).toEqual(['search-round-0', 'search-round-1', 'search-round-2', 'pipeline']);
    expect(workflow.jobs['search-round-1'].needs).toBe('search-round-0');
    expect(workflow.jobs['search-round-2'].strategy?.matrix.shard).toEqual([0, 1]);
    expect(workflow.jobs['search-round-2'].steps.map((step) => step.run)).toContain('npx nx affected -t search-r2-s${{ matrix.shard }}');
    expect(workflow.jobs.pipeline.needs).toBe('search-round-2');
    expect(workflow.jobs.pipeline.steps.map((step) => step.run)).toContain('npx nx affected -t flash-test evaluate report');
    expect(workflow.env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER).toContain('NX_SELF_HOSTED_REMOTE_CACHE_SERVER');

    const again = await nx('g', 'nx-tinyml:init');
    expect(again.exitCode, again.output).toBe(0);
    expect(again.output).not.toMatch(/UPDATE|CREATE/);
  });

  it('generates an experiment from the shipped boards and datasets, and Nx infers its project', async () => {
    const generated = await nx('g', 'nx-tinyml:experiment', 'wrist-fall', '--board=esp32-s2', '--dataset=sisfall');
    expect(generated.exitCode, generated.output).toBe(0);
    const spec = readFileSync(path.join(root, 'projects/wrist-fall/experiment.yaml'), 'utf8');
    expect(spec).toContain('$schema=../../node_modules/@nx-tinyml/core/src/spec/experiment.schema.json');
    expect(existsSync(path.join(root, 'node_modules/@nx-tinyml/core/src/spec/experiment.schema.json'))).toBe(true);

    const shown = await nx('show', 'project', 'wrist-fall', '--json');
    expect(shown.exitCode, shown.output).toBe(0);
    const project = JSON.parse(shown.output.slice(shown.output.indexOf('{'))) as { targets: Record<string, { inputs: unknown[] }> };
    expect(Object.keys(project.targets)).toEqual(
      expect.arrayContaining(['window', 'search', 'search-r0-s0', 'search-r2-s1', 'flash-test', 'evaluate', 'report']),
    );
    // the installed packages' locked versions stand for the code (there are no sources to hash)
    expect(project.targets.window.inputs).toContainEqual({ externalDependencies: ['nx-tinyml', '@nx-tinyml/core'] });
  });

  it('runs the window target on the shipped SisFall sample, then takes it from the cache', async () => {
    const first = await nx('run', 'wrist-fall:window');
    expect(first.exitCode, first.output).toBe(0);
    expect(first.output).toMatch(/windows of 120×6 from \d+ recordings of 4 subjects/);
    const manifest = JSON.parse(readFileSync(path.join(root, 'dist/experiments/wrist-fall/window/windows.json'), 'utf8')) as { counts: { windows: number } };
    expect(manifest.counts.windows).toBeGreaterThan(10_000);

    const second = await nx('run', 'wrist-fall:window');
    expect(second.exitCode, second.output).toBe(0);
    expect(cacheHit(second.output)).toBe(true);
  });

  // 22 tasks: 58 s on an idle machine, over 180 s (the suite's default timeout) at load 12 on 2 cores.
  it.skipIf(!firmwareRuns)(
    'runs the chain down to flash-test from the package: its runtime, platform code and board, bit-exact on QEMU',
    async () => {
      const { exitCode, output } = await nx('run', 'wrist-fall:flash-test');
      expect(exitCode, output).toBe(0);
      expect(output).toMatch(/flash-test: (\d+)\/\1 golden vectors bit-exact on esp32-s2 \(qemu: lx106/);
      expect(output).toContain('Successfully ran target flash-test');
    },
    420_000,
  );

  it('refuses an unknown board with the boards it knows, workspace and package alike', async () => {
    const { exitCode, output } = await nx('g', 'nx-tinyml:experiment', 'nope', '--board=esp99', '--dataset=sisfall');
    expect(exitCode).not.toBe(0);
    expect(output).toContain('unknown board "esp99"; known boards: esp32-c3, esp32-s2, host, stm32f446ze, stm32h747xi');
  });
});
