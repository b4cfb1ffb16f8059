import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '@nx-tinyml/core/spec/load';
import { STAGES } from '@nx-tinyml/core/pipeline/stage-contracts';
import { hashedParamsMismatch } from '../executors/hashed-params-check';
import { datasetRequestFile, stageParamsFile, writeStageParams as writeWithDigest } from './stage-params-files';

const repoRoot = path.resolve(__dirname, '../../../..');
const SPEC = 'projects/fall-esp32/experiment.yaml';
const PROJECT = 'fall-esp32';
let workspace: string;
/** The code and boards never change here: the spec's text decides. */
const writeStageParams = (root: string, spec: string, project: string) => writeWithDigest(root, spec, project, 'fixed');

/** A workspace with the boards and the dataset registry of this repository and a copy of fall-esp32's spec. */
beforeAll(() => {
  workspace = mkdtempSync(path.join(tmpdir(), 'nxt-stage-params-'));
  mkdirSync(path.join(workspace, 'tools'));
  symlinkSync(path.join(repoRoot, 'firmware'), path.join(workspace, 'firmware'));
  symlinkSync(path.join(repoRoot, 'tools/datasets'), path.join(workspace, 'tools/datasets'));
  mkdirSync(path.join(workspace, 'projects/fall-esp32'), { recursive: true });
  cpSync(path.join(repoRoot, SPEC), path.join(workspace, SPEC));
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const params = () =>
  Object.fromEntries([...STAGES, 'evaluate' as const].map((stage) => [stage, readFileSync(path.join(workspace, stageParamsFile(PROJECT, stage)), 'utf8')]));
const editSpec = (change: (text: string) => string) => writeFileSync(path.join(workspace, SPEC), change(readFileSync(path.join(workspace, SPEC), 'utf8')));

describe('stage params files', () => {
  it('hold, per stage, the normalized sections it reads, defaults filled in', async () => {
    await writeStageParams(workspace, SPEC, PROJECT);
    const search = JSON.parse(params().search);
    expect(search).toMatchObject({ stage: 'search', experiment: 'fall-esp32', seed: 42, board: 'esp32-s2', search: { trials: 20, epochs: 10 } });
    expect(search.train).toEqual({ precision: 'float32' });
    expect(JSON.parse(params().window)).not.toHaveProperty('search');
    expect(JSON.parse(readFileSync(path.join(workspace, datasetRequestFile(PROJECT)), 'utf8'))).toMatchObject({ name: 'sisfall', source: 'auto' });
  });

  it('change only for the stages whose section changed; a comment or a default written out changes none, nor their mtime', async () => {
    await writeStageParams(workspace, SPEC, PROJECT);
    const before = params();
    const mtime = statSync(path.join(workspace, stageParamsFile(PROJECT, 'window'))).mtimeMs;
    editSpec((t) => `# a note\n${t.replace('seed: 42', 'seed:   42   # same seed')}`);
    await writeStageParams(workspace, SPEC, PROJECT);
    expect(params()).toEqual(before);
    expect(statSync(path.join(workspace, stageParamsFile(PROJECT, 'window'))).mtimeMs).toBe(mtime);

    editSpec((t) => t.replace('calibration: minmax', 'calibration: percentile'));
    await writeStageParams(workspace, SPEC, PROJECT);
    const after = params();
    expect(
      Object.keys(after)
        .filter((stage) => after[stage] !== before[stage])
        .sort(),
    ).toEqual(['evaluate', 'quantize']);
    editSpec((t) => t.replace('calibration: percentile', 'calibration: minmax'));
  });

  it('are computed again when a file is not as last written, even if the spec is (another command wrote it)', async () => {
    await writeStageParams(workspace, SPEC, PROJECT);
    const before = params();
    writeFileSync(path.join(workspace, stageParamsFile(PROJECT, 'search')), '{"stage":"search","stale":true}\n');
    await writeStageParams(workspace, SPEC, PROJECT);
    expect(params()).toEqual(before);
  });

  it('for an invalid spec, hold its digest and error, so Nx can hash and the executor reports it', async () => {
    editSpec((t) => t.replace('overlap: 0.9', 'overlap: 1.5'));
    await writeStageParams(workspace, SPEC, PROJECT);
    expect(JSON.parse(params().window)).toMatchObject({
      stage: 'window',
      invalidSpec: expect.stringMatching(/^[0-9a-f]{64}$/),
      error: expect.stringMatching(/window\.overlap/),
    });
    expect(readFileSync(path.join(workspace, datasetRequestFile(PROJECT)), 'utf8')).toBe('null\n');
    editSpec((t) => t.replace('overlap: 1.5', 'overlap: 0.9'));
  });

  it('are checked by the executor against the spec it loads: a spec edited after hashing is refused', async () => {
    await writeStageParams(workspace, SPEC, PROJECT);
    const load = () => loadSpec(SPEC, { workspaceRoot: workspace });
    expect(hashedParamsMismatch(workspace, PROJECT, 'window', await load())).toBeNull();
    editSpec((t) => t.replace('trials: 20', 'trials: 21'));
    expect(hashedParamsMismatch(workspace, PROJECT, 'window', await load())).toBeNull();
    expect(hashedParamsMismatch(workspace, PROJECT, 'search', await load())).toBe(`${stageParamsFile(PROJECT, 'search')} is not what ${SPEC} says now`);
    rmSync(path.join(workspace, stageParamsFile(PROJECT, 'quantize')));
    expect(hashedParamsMismatch(workspace, PROJECT, 'quantize', await load())).toBe(`${stageParamsFile(PROJECT, 'quantize')} is missing`);
  });
});
