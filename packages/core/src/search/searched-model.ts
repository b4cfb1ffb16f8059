import * as path from 'node:path';
import { missingFields, readJsonArtifact, writeJsonArtifact } from '../common/json-artifact';
import type { ModelIR } from '../model/ir';
import type { MemoryBudget, MemoryReport } from '../model/memory';
import type { BlockSpan } from '../model/spaces';
import type { Metrics } from '../train/metrics';
import type { NetworkWeights } from '../train/network';
import type { TrialEpoch } from './trial';

/** The search's hand-off to train-cascade (`best-model.json`): the winning architecture, its weights and provenance. */
export const SEARCHED_MODEL_FILE = 'best-model.json';

export interface SearchedModel {
  candidate: string;
  summary: string;
  ir: ModelIR;
  /** The space's repeated blocks as IR layer spans: where the cascade attaches its exits. */
  blocks: BlockSpan[];
  weights: NetworkWeights;
  /** The window store's payload sha256 it was searched on. */
  windows: string;
  classes: string[];
  /** The outer fold the search ranked candidates on. */
  fold: string;
  normalization: { mean: number[]; std: number[] };
  memory: {
    flash: MemoryReport['flash'];
    sram: MemoryReport['sram'];
    budget: MemoryBudget & { sramUsed: number; flashUsed: number };
    fits: boolean;
    arena: number;
  };
  validation: Metrics | null;
  test: Metrics | null;
  history: TrialEpoch[] | null;
}

/** Reads `<dir>/best-model.json`; a missing file, or one from a search stage without blocks/windows, is a UserError naming it. */
export async function readSearchedModel(dir: string): Promise<SearchedModel> {
  return readJsonArtifact<SearchedModel>(path.join(dir, SEARCHED_MODEL_FILE), { what: 'the searched model', producer: 'search' }, (model) =>
    missingFields(model, { candidate: 'string', summary: 'string', ir: 'object', blocks: 'array', fold: 'string', windows: 'string' }),
  );
}

export async function writeSearchedModel(dir: string, model: SearchedModel): Promise<void> {
  await writeJsonArtifact(path.join(dir, SEARCHED_MODEL_FILE), model);
}
