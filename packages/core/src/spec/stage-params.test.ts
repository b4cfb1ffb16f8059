import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STAGES } from '../pipeline/stage-contracts';
import { parseSpec } from './load';
import { stageParams } from './stage-params';

const WORKSPACE = path.resolve(__dirname, '../../../..');
const HEAD = 'name: t\nboard: stm32f446ze\ndataset: sisfall\n';
const fingerprints = (text: string) => {
  const spec = parseSpec(text, 'projects/t/experiment.yaml', { workspaceRoot: WORKSPACE });
  return Object.fromEntries([...STAGES, 'evaluate' as const].map((stage) => [stage, JSON.stringify(stageParams(spec, stage))]));
};
const changed = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).filter((stage) => a[stage] !== b[stage]);

describe('stage params: the alarm rule reaches emit-firmware, the rest of evaluate does not', () => {
  const base = fingerprints(`${HEAD}evaluate:\n  folds: all\n  postProcessing: { k: 2, n: 3, refractorySeconds: 5 }\n`);

  it('editing evaluate.postProcessing changes emit-firmware (the rule is in model.h) and evaluate, nothing else', () => {
    expect(changed(base, fingerprints(`${HEAD}evaluate:\n  folds: all\n  postProcessing: { k: 2, n: 3, refractorySeconds: 10 }\n`))).toEqual([
      'emit-firmware',
      'evaluate',
    ]);
    expect(changed(base, fingerprints(`${HEAD}evaluate:\n  folds: all\n  postProcessing: { k: 1, n: 3, refractorySeconds: 5 }\n`))).toEqual([
      'emit-firmware',
      'evaluate',
    ]);
  });

  it('editing the rest of evaluate changes only evaluate; writing the defaults out changes nothing', () => {
    expect(changed(base, fingerprints(`${HEAD}evaluate:\n  folds: [SA02]\n  int8: false\n  postProcessing: { k: 2, n: 3, refractorySeconds: 5 }\n`))).toEqual([
      'evaluate',
    ]);
    expect(changed(base, fingerprints(HEAD))).toEqual([]);
  });

  it('emit-firmware carries only the rule, under its own key', () => {
    expect(JSON.parse(base['emit-firmware'])['evaluate.postProcessing']).toEqual({ k: 2, n: 3, refractorySeconds: 5 });
    expect(JSON.parse(base['emit-firmware']).evaluate).toBeUndefined();
  });
});
