export { loadSpec, parseSpec } from './load';
export { loadBoard, loadBoardSync, knownBoards } from './board';
export { SpecError, formatDiagnostic } from './errors';
export type { Diagnostic } from './errors';
export { DATASET_IDS, DATASETS } from './datasets';
export type { DatasetFacts } from './datasets';
export { STAGES } from '../pipeline/stage-contracts';
export * from './types';
