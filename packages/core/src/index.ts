/**
 * The library's public entry: each pipeline stage as a plain async function (spec section + input artifacts →
 * output artifacts), the spec loader and the errors a caller can tell apart. The Nx plugin is one caller; a script
 * or a notebook can be another. Deeper modules are reachable as `@nx-tinyml/core/<folder>/<module>` but are not
 * a stable interface.
 */
export { loadSpec, parseSpec } from './spec/load';
export { knownBoards, loadBoard } from './spec/board';
export { SpecError, formatDiagnostic, type Diagnostic } from './spec/errors';
export type { NormalizedSpec, BoardDefinition } from './spec/types';
export { UserError, DataFormatError, isUserError } from './common/errors';
export { STAGES } from './pipeline/stage-contracts';
export { runWindowStage, type WindowStageInput } from './stages/window';
export { runSearchStage, type SearchStageInput } from './stages/search';
export { runTrainCascadeStage } from './stages/train-cascade';
export { runQuantizeStage } from './stages/quantize';
export { runEmitFirmwareStage } from './stages/emit-firmware';
export { runFlashTestStage } from './stages/flash-test';
export { runEvaluateStage, type EvaluateStageInput } from './stages/evaluate';
export { runReportStage, type ReportStageInput } from './stages/report';
