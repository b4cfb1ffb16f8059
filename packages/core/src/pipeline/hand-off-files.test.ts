import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../common/errors';
import { readJsonArtifact, writeJsonArtifact } from '../common/json-artifact';
import { MANIFEST_FILE, readWindowManifest, WINDOW_STORE_FORMAT, writeWindowManifest, type WindowManifest } from '../data/window-manifest';
import {
  FIRMWARE_MANIFEST_FILE,
  FIRMWARE_MANIFEST_FORMAT,
  readFirmwareManifest,
  writeFirmwareManifest,
  type FirmwareManifest,
} from '../codegen/firmware-manifest';
import { FLASH_REPORT_FILE, FLASH_REPORT_FORMAT, readFlashTestReport, writeFlashTestReport, type FlashTestSkipped } from '../build-and-run/flash-report';
import { QUANTIZED_MODEL_FORMAT, type QuantizedModel } from '../quantize/quantized-model';
import { GOLDEN_FILE, GOLDEN_FORMAT, QUANTIZED_MODEL_FILE, readGoldenVectors, readQuantizedModel } from '../quantize/quantized-files';
import { readSearchedModel, SEARCHED_MODEL_FILE, writeSearchedModel, type SearchedModel } from '../search/searched-model';
import { CASCADE_MODEL_FILE, CASCADE_MODEL_FORMAT, readCascadeModel, writeCascadeModel, type CascadeModelFile } from '../train/cascade/cascade-model-file';
import { EVALUATE_SHARD_FILE, EVALUATE_SHARD_FORMAT, readEvaluateShardOutput, writeEvaluateShardOutput } from '../evaluate/shard-output';

/**
 * Every hand-off file between stages has one reader and one writer, in the library that produces it. What they
 * promise: what is written reads back equal, in canonical JSON; a missing, unparsable or foreign file is a
 * UserError that names the file, what it should hold and which stage writes it.
 */
const root = mkdtempSync(path.join(tmpdir(), 'nxt-hand-off-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
/** A folder that does not exist yet (writers create theirs); `made` makes it. */
function freshDir(made = false): string {
  const dir = path.join(root, `dir-${++dirs}`);
  if (made) mkdirSync(dir);
  return dir;
}

async function errorOf(read: Promise<unknown>): Promise<UserError> {
  const error = await read.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

/** Objects with the fields the readers check, standing in for whole artifacts (the stage tests write real ones). */
const windowManifest = {
  format: WINDOW_STORE_FORMAT,
  experiment: 'x',
  classes: ['adl', 'fall'],
  subjects: [],
  recordings: [],
  folds: [{ name: 'SA01', train: ['SA02'], test: ['SA01'] }],
  window: { length: 4 },
  payload: { file: 'windows.bin', bytes: 0, sha256: 'e3b0' },
} as unknown as WindowManifest;
const searchedModel = { candidate: 'c1', summary: 'conv', ir: { layers: [] }, blocks: [], fold: 'SA01', windows: 'e3b0' } as unknown as SearchedModel;
const cascadeModel = {
  format: CASCADE_MODEL_FORMAT,
  ir: { layers: [] },
  weights: { backbone: [], exits: [] },
  events: ['fall'],
  eventClasses: [1],
  classes: ['adl', 'fall'],
  thresholds: [0.5],
  subjects: { train: [], validation: [], test: [] },
  normalization: { mean: [0], std: [1] },
  windows: 'e3b0',
} as unknown as CascadeModelFile;
const firmwareManifest = { format: FIRMWARE_MANIFEST_FORMAT, layout: {}, predicted: {}, postProcessing: {}, files: [] } as unknown as FirmwareManifest;
const skippedFlashTest: FlashTestSkipped = { format: FLASH_REPORT_FORMAT, experiment: 'x', board: 'stm32f4', runner: 'board', skipped: 'no board attached' };

const cases = [
  { file: MANIFEST_FILE, what: 'the window store manifest', producer: 'window', value: windowManifest, write: writeWindowManifest, read: readWindowManifest },
  { file: SEARCHED_MODEL_FILE, what: 'the searched model', producer: 'search', value: searchedModel, write: writeSearchedModel, read: readSearchedModel },
  { file: CASCADE_MODEL_FILE, what: 'the trained cascade', producer: 'train-cascade', value: cascadeModel, write: writeCascadeModel, read: readCascadeModel },
  {
    file: FIRMWARE_MANIFEST_FILE,
    what: 'the firmware package',
    producer: 'emit-firmware',
    value: firmwareManifest,
    write: writeFirmwareManifest,
    read: readFirmwareManifest,
  },
  {
    file: FLASH_REPORT_FILE,
    what: 'the flash-test report',
    producer: 'flash-test',
    value: skippedFlashTest,
    write: writeFlashTestReport,
    read: readFlashTestReport,
  },
] as {
  file: string;
  what: string;
  producer: string;
  value: object;
  write: (dir: string, value: never) => Promise<void>;
  read: (dir: string) => Promise<unknown>;
}[];

describe.each(cases)('$file', ({ file, what, producer, value, write, read }) => {
  it('reads back what was written, as canonical JSON with a final newline', async () => {
    const dir = freshDir();
    await write(dir, value as never);
    expect(await read(dir)).toEqual(value);
    expect(readFileSync(path.join(dir, file), 'utf8')).toMatch(/^\{\n "[\s\S]*\}\n$/);
  });

  it('names the missing file, what it holds and the stage to run', async () => {
    const dir = freshDir();
    const error = await errorOf(read(dir));
    expect(error.message).toContain(path.join(dir, file));
    expect(error.message).toContain(`cannot read ${what}`);
    expect(error.message).toContain(`run the ${producer} stage first`);
  });

  it('names a file that is not JSON', async () => {
    const dir = freshDir(true);
    writeFileSync(path.join(dir, file), '{"format": ');
    const error = await errorOf(read(dir));
    expect(error.message).toMatch(new RegExp(`^${escape(path.join(dir, file))}: ${escape(what)} is not valid JSON`));
  });

  it('names a file of another format, or one that lacks what readers use', async () => {
    const dir = freshDir(true);
    writeFileSync(path.join(dir, file), JSON.stringify({ format: 'someone-else@9' }));
    const foreign = await errorOf(read(dir));
    expect(foreign.message).toContain(path.join(dir, file));
    expect(foreign.message).toMatch(/format "someone-else@9", expected|missing or mistyped/);
    expect(foreign.message).toContain(`rerun the ${producer} stage`);
  });
});

describe('the quantize hand-off', () => {
  it('reads the int8 model and the golden vectors, naming a foreign one with the format it expected', async () => {
    const dir = freshDir();
    const model = { format: QUANTIZED_MODEL_FORMAT, ir: {}, header: {}, tensors: [], ops: [], exits: [] } as unknown as QuantizedModel;
    await writeJsonArtifact(path.join(dir, QUANTIZED_MODEL_FILE), model);
    await writeJsonArtifact(path.join(dir, GOLDEN_FILE), { format: GOLDEN_FORMAT, events: [], classes: [], vectors: [] });
    expect(await readQuantizedModel(dir)).toEqual(model);
    expect((await readGoldenVectors(dir)).vectors).toEqual([]);
    await writeJsonArtifact(path.join(dir, GOLDEN_FILE), { vectors: [] });
    expect((await errorOf(readGoldenVectors(dir))).message).toBe(
      `${path.join(dir, GOLDEN_FILE)}: not the golden vectors as expected: format undefined, expected "${GOLDEN_FORMAT}"; rerun the quantize stage`,
    );
  });
});

describe('an evaluate shard output', () => {
  it('round-trips, and reads as null when the shard did not run or left something else', async () => {
    const dir = freshDir();
    expect(await readEvaluateShardOutput(dir)).toBeNull();
    const output = { format: EVALUATE_SHARD_FORMAT, shard: 0, shards: 2, folds: [] } as const;
    await writeEvaluateShardOutput(dir, { ...output, folds: [] });
    expect(await readEvaluateShardOutput(dir)).toEqual(output);
    writeFileSync(path.join(dir, EVALUATE_SHARD_FILE), '{"format":"nx-tinyml/evaluate-shard@0"}');
    expect(await readEvaluateShardOutput(dir)).toBeNull();
  });
});

describe('readJsonArtifact', () => {
  it('refuses JSON that is not an object', async () => {
    const file = path.join(freshDir(), 'list.json');
    await writeJsonArtifact(file, [1, 2]);
    const error = await errorOf(readJsonArtifact(file, { what: 'a list', producer: 'window' }));
    expect(error.message).toBe(`${file}: expected a list as a JSON object; rerun the window stage`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
