import * as path from 'node:path';
import { missingFields, readJsonArtifact, writeJsonArtifact } from '../../common/json-artifact';
import type { ExitCost } from '../../model/cost';
import type { ModelIR } from '../../model/ir';
import type { MemoryReport } from '../../model/memory';
import type { CascadeWeights } from './cascade-network';

/** train-cascade's hand-off to quantize and evaluate (`cascade-model.json`): the trained cascade as deployed. */
export const CASCADE_MODEL_FILE = 'cascade-model.json';
export const CASCADE_MODEL_FORMAT = 'nx-tinyml/cascade@1';

export interface CascadeModelFile {
  format: typeof CASCADE_MODEL_FORMAT;
  experiment: string;
  /** The searched architecture the cascade grew from. */
  backbone: { candidate: string; summary: string };
  summary: string;
  ir: ModelIR;
  weights: CascadeWeights;
  /** The events the heads detect, and the store class each one is. */
  events: string[];
  eventClasses: number[];
  classes: string[];
  /** One uncertainty threshold per early exit, calibrated on the validation subjects. */
  thresholds: number[];
  fold: string;
  subjects: { train: string[]; validation: string[]; test: string[] };
  normalization: { mean: number[]; std: number[] };
  /** The window store's payload sha256 it was trained on. */
  windows: string;
  exitCosts: ExitCost[];
  memory: MemoryReport;
}

/** Reads `<dir>/cascade-model.json`; missing, malformed or foreign is a UserError naming it. */
export async function readCascadeModel(dir: string): Promise<CascadeModelFile> {
  return readJsonArtifact<CascadeModelFile>(
    path.join(dir, CASCADE_MODEL_FILE),
    { what: 'the trained cascade', producer: 'train-cascade', format: CASCADE_MODEL_FORMAT },
    (model) =>
      missingFields(model, {
        ir: 'object',
        weights: 'object',
        events: 'array',
        eventClasses: 'array',
        classes: 'array',
        thresholds: 'array',
        subjects: 'object',
        normalization: 'object',
        windows: 'string',
      }),
  );
}

export async function writeCascadeModel(dir: string, model: CascadeModelFile): Promise<void> {
  await writeJsonArtifact(path.join(dir, CASCADE_MODEL_FILE), model);
}
