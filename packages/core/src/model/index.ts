/** The model IR and everything computed from it: shapes, parameter layout, cost, search spaces, memory. */
export * from './ir';
export { InvalidModelError, convolvedLength, exitShapes, inferShapes, inputShapes, isLinearLayer, layerOutputShape, samePadding, validateIR } from './shapes';
export type { LinearLayer } from './shapes';
export { elementCount, paramCount, paramLayout } from './params';
export type { ParamTensor } from './params';
export { lowerToOps, opsBeforeExit } from './ops';
export type { DeployedOp } from './ops';
export { exitCosts, layerMacs, modelCost, summarizeIR, totalParams } from './cost';
export type { ExitCost, LayerCost, ModelCost } from './cost';
export { ARENA_ALIGNMENT, alignUp, arenaPlanProblems, planArena } from './arena';
export type { ArenaPlan, PlacedTensor, PlacementOrder, TensorLifetime } from './arena';
export { arenaTensors, planModelArena } from './arena-tensors';
export type { ArenaTensor } from './arena-tensors';
export {
  EXIT_ENTRY_BYTES,
  MODEL_HEADER_BYTES,
  OP_HEADER_BYTES,
  budgetProblems,
  exitTableBytes,
  defaultBudget,
  estimateMemory,
  fitsBudget,
  flashOfOp,
} from './memory';
export type { FlashBreakdown, MemoryBudget, MemoryReport, OpFlash, SramBreakdown } from './memory';
export * from './space-types';
export { DEFAULT_SPACES, SPACE_KEYS, normalizeSearchSpace } from './space-defaults';
export type { RawSearchSpace } from './space-defaults';
export { enumerateArchitectures, headForClasses, sampleArchitecture, spaceSize, thirdSizes } from './spaces';
export type { Architecture, BlockSpan, HeadSpec, ThirdSpan } from './spaces';
export { referenceCnn } from './reference';
export { channelImportance, prunableLayers, pruneToFit, removeChannel } from './prune';
export type { ChannelImportance, LayerWeights, PruneOptions, PruneResult, PrunedModel } from './prune';
