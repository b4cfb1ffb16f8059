import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { hashCode, trainingCodeFiles } from '../search/training-code';
import { UserError } from '../common/errors';
import { moduleFile } from '../common/workspace';
import { readWindowStore, type LoadedWindowStore } from '../data/window-store';
import { summarizeIR } from '../model/cost';
import { readSearchTrials } from '../search/search-results';
import { CASCADE_MODEL_FILE, readCascadeModel } from '../train/cascade/cascade-model-file';
import type { WindowManifest } from '../data/window-manifest';
import type { DeployedCascade, FoldResult, FoldSettings } from './fold-evaluation';

/** Where the evaluation reads from: the window store, the search's outputs and the trained cascade. */
export interface EvaluationSources {
  windowDir: string;
  searchDir: string;
  cascadeDir: string;
  /** The spec file, for errors about `evaluate.folds`. */
  specFile: string;
}

export interface EvaluationContext {
  store: LoadedWindowStore<WindowManifest>;
  deployed: DeployedCascade;
  summary: string;
  /** The folds to evaluate, in the store's order (or the spec's list). */
  folds: string[];
  /** What determines a fold's result: its journal entry and shard outputs are keyed by it. */
  foldKey(fold: string): string;
}

let codeHash: string | undefined;
function evaluationCodeHash(): string {
  codeHash ??= hashCode(trainingCodeFiles([moduleFile(__dirname, 'run-folds')]));
  return codeHash;
}

/** Loads what every fold needs and resolves `evaluate.folds` against the window store. */
export async function loadEvaluationContext(sources: EvaluationSources, settings: FoldSettings): Promise<EvaluationContext> {
  const cascadeFile = path.join(sources.cascadeDir, CASCADE_MODEL_FILE);
  const cascade = await readCascadeModel(sources.cascadeDir);
  const trials = await readSearchTrials(sources.searchDir);
  const store = await readWindowStore<WindowManifest>(sources.windowDir);
  if (cascade.windows !== store.manifest.payload.sha256) {
    throw new UserError(`${cascadeFile}: trained on other windows than ${sources.windowDir} holds; rerun train-cascade`);
  }
  const names = store.manifest.folds.map((f) => f.name);
  let folds = names;
  if (settings.evaluate.folds !== 'all') {
    const unknown = settings.evaluate.folds.filter((f) => !names.includes(f));
    if (unknown.length > 0) {
      throw new UserError(
        `${sources.specFile}: evaluate.folds: no fold ${unknown.map((f) => JSON.stringify(f)).join(', ')} in the window store; its folds are ${names.join(', ')}`,
      );
    }
    folds = settings.evaluate.folds;
  }
  const eventOfClass = store.manifest.classes.map((_, c) => cascade.eventClasses.indexOf(c));
  const deployed: DeployedCascade = {
    ir: cascade.ir,
    events: { names: cascade.events, classes: cascade.eventClasses, eventOfClass },
    selection: {
      searchTrain: trials.subjects?.train ?? [],
      searchValidation: trials.subjects?.validation ?? [],
      thresholdValidation: cascade.subjects.validation,
    },
  };
  const { folds: _ignored, ...evaluateSettings } = settings.evaluate;
  const common = canonicalJson({
    windows: store.manifest.payload.sha256,
    ir: cascade.ir,
    events: deployed.events,
    selection: deployed.selection,
    seed: settings.seed,
    cascade: settings.cascade,
    quantize: settings.quantize,
    evaluate: evaluateSettings,
    precision: settings.precision,
    // The code that trains and scores a fold: a fold journaled by other code is never replayed as this code's.
    code: evaluationCodeHash(),
  });
  return {
    store,
    deployed,
    summary: summarizeIR(cascade.ir),
    folds,
    foldKey: (fold) => createHash('sha256').update(common).update(`\0${fold}`).digest('hex').slice(0, 32),
  };
}

/**
 * Finished folds, one file each under `dir` (dist/.journals/<name>/evaluate, outside every cached output): a killed
 * evaluation resumes from the folds it finished. Written atomically, so a file is whole or absent.
 */
export class FoldJournal {
  constructor(private readonly dir: string) {}

  async get(key: string): Promise<FoldResult | null> {
    try {
      return JSON.parse(await readFile(path.join(this.dir, `${key}.json`), 'utf8')) as FoldResult;
    } catch {
      return null;
    }
  }

  async record(key: string, result: FoldResult): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(path.join(this.dir, `${key}.json`), canonicalJson(result));
  }
}
