import { UserError } from '../../common/errors';
import type { EvidenceFunction, ExitUncertainty, Layer, ModelIR } from '../../model/ir';
import { validateIR } from '../../model/shapes';
import type { BlockSpan } from '../../model/spaces';

/**
 * Where the exits of an `exits`-prediction cascade attach: the spec's layer indices, or the searched backbone's
 * blocks split into `exits` consecutive groups (UR2M's shallow / medium / deep thirds for 3; sizes ⌊(B + i)/exits⌋,
 * the remainder going to the deeper groups), each early exit tapping the last layer of its group. With fewer blocks
 * than exits, each block gets one. Returns the taps of the early exits (the last prediction is the backbone's own).
 */
export function cascadeTaps(blocks: readonly BlockSpan[], exits: number, explicit: readonly number[] | null, backboneLayers: number): number[] {
  if (explicit) {
    explicit.forEach((tap, i) => {
      if (!Number.isInteger(tap) || tap < 0 || tap >= backboneLayers - 1 || (i > 0 && tap <= explicit[i - 1])) {
        throw new UserError(
          `train-cascade.exitAfter: exit taps must be ascending layer indices of the searched backbone in 0..${backboneLayers - 2}, got ${JSON.stringify(explicit)}`,
        );
      }
    });
    return [...explicit];
  }
  const groups = Math.min(exits, blocks.length);
  const taps: number[] = [];
  let end = 0;
  for (let g = 0; g < groups - 1; g++) {
    end += Math.floor((blocks.length + g) / groups);
    taps.push(blocks[end - 1].end - 1);
  }
  return taps;
}

/** An exit head (UR2M): global average pooling, then one dense layer of 2·events evidence units (model/evidence.ts). */
export function evidenceHead(events: number, evidence: EvidenceFunction = 'relu'): Layer[] {
  return [{ kind: 'globalavgpool' }, evidenceLayer(events, evidence)];
}

function evidenceLayer(events: number, evidence: EvidenceFunction): Layer {
  return { kind: 'dense', units: 2 * events, activation: evidence === 'relu' ? 'relu' : 'none' };
}

/**
 * The searched model with its logits layer replaced: by 2·events ReLU evidence units (evidential) or by (E + 1)
 * logits (the softmax baseline, class 0 = no event). Everything before it — the architecture the search chose — is kept.
 */
export function withHead(searched: ModelIR, head: 'evidential' | 'softmax', events: number, evidence: EvidenceFunction = 'relu'): ModelIR {
  const last = searched.layers[searched.layers.length - 1];
  if (last.kind !== 'dense') throw new UserError(`the searched model must end in a dense logits layer, it ends in ${last.kind}`);
  const layers = [
    ...searched.layers.slice(0, -1),
    head === 'evidential' ? evidenceLayer(events, evidence) : { kind: 'dense' as const, units: events + 1, activation: 'none' as const },
  ];
  const ir: ModelIR =
    head === 'evidential'
      ? { input: { ...searched.input }, layers, head, events, ...(evidence === 'relu' ? {} : { evidence }) }
      : { input: { ...searched.input }, layers, head: 'softmax' };
  validateIR(ir);
  return ir;
}

/**
 * The evidential cascade: the searched backbone with an evidence head, and an early exit at each tap whose threshold
 * is compared with `exitUncertainty` (left out of the IR when it is the default, vacuity).
 */
export function buildCascadeIR(
  searched: ModelIR,
  taps: readonly number[],
  events: number,
  evidence: EvidenceFunction = 'relu',
  exitUncertainty: ExitUncertainty = 'vacuity',
): ModelIR {
  const ir: ModelIR = {
    ...withHead(searched, 'evidential', events, evidence),
    ...(exitUncertainty === 'vacuity' ? {} : { exitUncertainty }),
    exits: taps.map((after) => ({ after, layers: evidenceHead(events, evidence) })),
  };
  validateIR(ir);
  return ir;
}
