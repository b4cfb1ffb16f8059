import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultWorkspaceRoot } from '../src/common/workspace';
import { parseSpec } from '../src/spec/load';
import type { NormalizedSpec } from '../src/spec/types';
import { runSearchStage } from '../src/stages/search';
import { runTrainCascadeStage } from '../src/stages/train-cascade';
import { runWindowStage } from '../src/stages/window';

/**
 * For the tests of the stages after training: the real pipeline — window, a one-candidate search, a short
 * train-cascade — on the committed SisFall sample, in a temp folder. Small budgets, real data, real training.
 */
export const SAMPLE_PIPELINE_SPEC = `name: pipeline-test
board: stm32f446ze
dataset: sisfall
seed: 3
search:
  strategy: random
  trials: 1
  epochs: 2
  maxTrainWindows: 2000
  maxValidationWindows: 1500
  validationSubjects: 1
  baselines: { twoStage: false, unweighted: false }
  space: { kind: cnn1d, blocks: [3, 3], filters: [8], kernels: [5], strides: [1], pools: [max], denseUnits: [0] }
train-cascade:
  epochs: 3
  patience: 3
  maxTrainWindows: 2000
  maxValidationWindows: 1500
  validationSubjects: 1
  workers: 1
  baselines: { softmax: false, ensemble: false, tta: false, evidential: false }
  robustness: { noise: [1], missing: [1], maxWindows: 200 }
`;

export interface SamplePipeline {
  spec: NormalizedSpec;
  root: string;
  windowDir: string;
  searchDir: string;
  cascadeDir: string;
  dispose(): void;
}

/** The window stage on the spec's dataset's committed sample, written to `outDir`. */
export async function windowSample(spec: NormalizedSpec, outDir: string): Promise<void> {
  await runWindowStage({
    experiment: spec.name,
    dataset: { ...spec.dataset, source: 'sample' },
    window: spec.window,
    outDir,
    workspaceRoot: defaultWorkspaceRoot,
    env: { NX_TINYML_DATA_DIR: path.join(defaultWorkspaceRoot, '.data', 'datasets') },
  });
}

/** window and search only (cascadeDir is where train-cascade would write). */
export async function runSampleSearch(specText = SAMPLE_PIPELINE_SPEC): Promise<SamplePipeline> {
  const root = mkdtempSync(path.join(tmpdir(), 'nxt-pipeline-'));
  const spec = parseSpec(specText, 'experiment.yaml', { workspaceRoot: defaultWorkspaceRoot });
  const windowDir = path.join(root, 'window');
  const searchDir = path.join(root, 'search');
  const cascadeDir = path.join(root, 'train-cascade');
  await windowSample(spec, windowDir);
  await runSearchStage({
    experiment: spec.name,
    search: { ...spec.search, workers: 1 },
    precision: spec.train.precision,
    seed: spec.seed,
    board: spec.boardDefinition,
    windowDir,
    outDir: searchDir,
    journalDir: path.join(root, 'journal'),
  });
  // KEEP_SCRATCH=1 keeps the folder for a look at the artifacts.
  const dispose = () => (process.env.KEEP_SCRATCH ? console.log(`kept ${root}`) : rmSync(root, { recursive: true, force: true }));
  return { spec, root, windowDir, searchDir, cascadeDir, dispose };
}

/** window, search and train-cascade. */
export async function runSamplePipeline(specText = SAMPLE_PIPELINE_SPEC): Promise<SamplePipeline> {
  const pipeline = await runSampleSearch(specText);
  const { spec } = pipeline;
  await runTrainCascadeStage({
    experiment: spec.name,
    cascade: spec['train-cascade'],
    seed: spec.seed,
    precision: spec.train.precision,
    board: spec.boardDefinition,
    windowDir: pipeline.windowDir,
    searchDir: pipeline.searchDir,
    outDir: pipeline.cascadeDir,
  });
  return pipeline;
}
