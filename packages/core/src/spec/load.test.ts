import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STAGES as PIPELINE_STAGES } from '../pipeline/stage-contracts';
import { DEFAULT_SPACES } from '../model/space-defaults';
import experimentSchema from './experiment.schema.json';
import { DATASET_IDS } from './datasets';
import { SpecError } from './errors';
import { knownBoards, loadBoard } from './board';
import { loadSpec, parseSpec } from './load';
import type { NormalizedSpec } from './types';
import { STAGES } from '../index';

const WORKSPACE = path.resolve(__dirname, '../../../..');
const FILE = 'projects/t/experiment.yaml';

/** The SpecError that parsing `text` throws (fails the test when it parses). */
function specError(text: string, root = WORKSPACE): SpecError {
  try {
    parseSpec(text, FILE, { workspaceRoot: root });
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error(`expected a SpecError for:\n${text}`);
}

const HEAD = 'name: t\nboard: host\ndataset: sisfall\n';
const withDataset = (dataset: string, rest: string): string => `name: t\nboard: host\ndataset: ${dataset}\n${rest}`;
/** A spec whose search.space mapping holds `lines` (indented by 4); its first line is line 6. */
const SPACE = (lines: string): string => `${HEAD}search:\n  space:\n${lines}`;

interface Malformed {
  what: string;
  yaml: string;
  /** line:column */
  at: string;
  path: string;
  says: string | string[];
}

const MALFORMED: Malformed[] = [
  // Keys
  {
    what: 'unknown top-level key',
    yaml: `${HEAD}sead: 1\n`,
    at: '4:1',
    path: '(root)',
    says: 'unknown key "sead" — did you mean "seed"? (allowed: name, description, tags, board,',
  },
  {
    what: 'misspelt required key (reported once)',
    yaml: 'name: t\nboardd: host\ndataset: sisfall\n',
    at: '2:1',
    path: '(root)',
    says: 'unknown key "boardd" — did you mean "board"?',
  },
  {
    what: 'unknown nested key',
    yaml: `${HEAD}window:\n  overlapp: 0.5\n`,
    at: '5:3',
    path: 'window',
    says: 'unknown key "overlapp" — did you mean "overlap"? (allowed: mode, sampleRateHz, lengthSeconds, overlap,',
  },
  {
    what: 'unknown key, nothing close',
    yaml: `${HEAD}quantize:\n  zzz: 1\n`,
    at: '5:3',
    path: 'quantize',
    says: 'unknown key "zzz" (allowed: calibration, percentile, calibrationWindows, goldenVectors, inputGate)',
  },
  { what: 'missing name', yaml: 'board: host\ndataset: sisfall\n', at: '1:1', path: '(root)', says: 'required key "name" is missing' },
  { what: 'missing board', yaml: '# an experiment\nname: t\ndataset: sisfall\n', at: '2:1', path: '(root)', says: 'required key "board" is missing' },
  { what: 'missing dataset', yaml: 'name: t\nboard: host\n', at: '1:1', path: '(root)', says: 'required key "dataset" is missing' },
  // Scalars
  { what: 'overlap 1', yaml: `${HEAD}window:\n  overlap: 1\n`, at: '5:12', path: 'window.overlap', says: 'must be a number in [0, 1), got 1' },
  { what: 'overlap -0.1', yaml: `${HEAD}window:\n  overlap: -0.1\n`, at: '5:12', path: 'window.overlap', says: 'must be a number in [0, 1), got -0.1' },
  {
    what: 'lengthSeconds 0',
    yaml: `${HEAD}window:\n  lengthSeconds: 0\n`,
    at: '5:18',
    path: 'window.lengthSeconds',
    says: 'must be a number in (0, 3600], got 0',
  },
  {
    what: 'lengthSeconds negative',
    yaml: `${HEAD}window:\n  lengthSeconds: -2\n`,
    at: '5:18',
    path: 'window.lengthSeconds',
    says: 'must be a number in (0, 3600], got -2',
  },
  { what: 'seed -1', yaml: `${HEAD}seed: -1\n`, at: '4:7', path: 'seed', says: 'must be an integer in [0, 4294967295], got -1' },
  { what: 'seed 1.5', yaml: `${HEAD}seed: 1.5\n`, at: '4:7', path: 'seed', says: 'must be an integer in [0, 4294967295], got 1.5' },
  { what: 'seed "x"', yaml: `${HEAD}seed: x\n`, at: '4:7', path: 'seed', says: 'must be an integer in [0, 4294967295], got "x"' },
  { what: 'seed left empty', yaml: `${HEAD}seed:\n`, at: '4:1', path: 'seed', says: 'got an empty value' },
  {
    what: 'name with capitals',
    yaml: 'name: FallEsp32\nboard: host\ndataset: sisfall\n',
    at: '1:7',
    path: 'name',
    says: ['lower-case letters, digits and dashes', 'got "FallEsp32"'],
  },
  { what: 'description a list', yaml: `${HEAD}description: [a, b]\n`, at: '4:14', path: 'description', says: 'must be a string, got a list' },
  { what: 'search.trials 0', yaml: `${HEAD}search:\n  trials: 0\n`, at: '5:11', path: 'search.trials', says: 'must be an integer in [1, 100000], got 0' },
  {
    what: 'train-cascade.weightedLoss neither a boolean nor sqrt',
    yaml: `${HEAD}train-cascade:\n  weightedLoss: sqr\n`,
    at: '5:17',
    path: 'train-cascade.weightedLoss',
    says: 'must be one of true, false, sqrt, got "sqr" — did you mean "sqrt"?',
  },
  {
    what: 'strategy typo',
    yaml: `${HEAD}search:\n  strategy: succesive-halving\n`,
    at: '5:13',
    path: 'search.strategy',
    says: 'must be one of random, grid, successive-halving, got "succesive-halving" — did you mean "successive-halving"?',
  },
  {
    what: 'quantize.percentile 40',
    yaml: `${HEAD}quantize:\n  calibration: percentile\n  percentile: 40\n`,
    at: '6:15',
    path: 'quantize.percentile',
    says: 'must be a number in (50, 100], got 40',
  },
  {
    what: 'flash-test.runner bad',
    yaml: `${HEAD}flash-test:\n  runner: qemu-arm\n`,
    at: '5:11',
    path: 'flash-test.runner',
    says: 'must be one of auto, qemu, host, board, got "qemu-arm"',
  },
  {
    what: 'train.precision bad',
    yaml: `${HEAD}train:\n  precision: float16\n`,
    at: '5:14',
    path: 'train.precision',
    says: 'must be one of float32, float64, got "float16"',
  },
  // Evaluate
  { what: 'evaluate key typo', yaml: `${HEAD}evaluate:\n  int9: true\n`, at: '5:3', path: 'evaluate', says: 'unknown key "int9" — did you mean "int8"?' },
  { what: 'evaluate.folds a word', yaml: `${HEAD}evaluate:\n  folds: some\n`, at: '5:10', path: 'evaluate.folds', says: 'got "some"' },
  {
    what: 'evaluate k of n with k > n',
    yaml: `${HEAD}evaluate:\n  postProcessing: { k: 4, n: 3 }\n`,
    at: '5:24',
    path: 'evaluate.postProcessing.k',
    says: 'k of n needs k ≤ n, got k 4 and n 3',
  },
  {
    what: 'evaluate k > default n',
    yaml: `${HEAD}evaluate:\n  postProcessing:\n    k: 5\n`,
    at: '6:8',
    path: 'evaluate.postProcessing.k',
    says: 'k of n needs k ≤ n, got k 5 and n 3',
  },
  {
    what: 'evaluate alarm sweep rule with k > n',
    yaml: `${HEAD}evaluate:\n  alarmSweep: [{ k: 1, n: 1 }, { k: 6, n: 5 }]\n`,
    at: '5:37',
    path: 'evaluate.alarmSweep[1].k',
    says: 'k of n needs k ≤ n, got k 6 and n 5',
  },
  {
    what: 'evaluate alarm sweep rule without n',
    yaml: `${HEAD}evaluate:\n  alarmSweep: [{ k: 2 }]\n`,
    at: '5:16',
    path: 'evaluate.alarmSweep[0]',
    says: 'required key "n" is missing',
  },
  {
    what: 'evaluate refractory negative',
    yaml: `${HEAD}evaluate:\n  postProcessing:\n    refractorySeconds: -1\n`,
    at: '6:24',
    path: 'evaluate.postProcessing.refractorySeconds',
    says: 'must be a number in [0, 86400], got -1',
  },
  // Board and dataset
  {
    what: 'unknown board',
    yaml: 'name: t\nboard: esp32-s9\ndataset: sisfall\n',
    at: '2:8',
    path: 'board',
    says: ['unknown board "esp32-s9"', 'known boards: esp32-c3, esp32-s2, host, stm32f446ze, stm32h747xi'],
  },
  {
    what: 'unknown dataset',
    yaml: withDataset('sisfal', ''),
    at: '3:10',
    path: 'dataset',
    says: 'unknown dataset "sisfal" — did you mean "sisfall"? known datasets: ecg5000, hapt_uci, mitbih, sisfall',
  },
  { what: 'dataset object without name', yaml: withDataset('', '  source: full\n'), at: '4:3', path: 'dataset', says: 'required key "name" is missing' },
  {
    what: 'dataset object, unknown name',
    yaml: withDataset('', '  name: mitbh\n'),
    at: '4:9',
    path: 'dataset.name',
    says: 'unknown dataset "mitbh" — did you mean "mitbih"?',
  },
  {
    what: 'dataset.source bad',
    yaml: withDataset('', '  name: sisfall\n  source: ful\n'),
    at: '5:11',
    path: 'dataset.source',
    says: 'must be one of auto, full, sample, got "ful" — did you mean "full"?',
  },
  {
    what: 'dataset.url not http(s)/file',
    yaml: withDataset('', '  name: sisfall\n  url: ftp://mirror/sisfall.tar.xz\n'),
    at: '5:8',
    path: 'dataset.url',
    says: 'must be a URL starting with http://, https:// or file://, got "ftp://mirror/sisfall.tar.xz"',
  },
  {
    what: 'dataset a list',
    yaml: withDataset('[sisfall]', ''),
    at: '3:10',
    path: 'dataset',
    says: 'must be one of ecg5000, hapt_uci, mitbih, sisfall, or a mapping (keys: name, source, url), got a list',
  },
  { what: 'reserved tag', yaml: `${HEAD}tags: [fall, board:host]\n`, at: '4:14', path: 'tags[1]', says: '"board:host" is reserved' },
  // YAML itself
  { what: 'tab indentation', yaml: `${HEAD}window:\n\tmode: sliding\n`, at: '5:1', path: '(root)', says: 'tab used for indentation' },
  { what: 'duplicate key', yaml: `${HEAD}seed: 1\nseed: 2\n`, at: '5:1', path: 'seed', says: 'duplicate key "seed" (first set on line 4)' },
  {
    what: 'unclosed bracket',
    yaml: `${HEAD}window:\n  channels: [acc_x, acc_y\n  mode: sliding\n`,
    at: '5:13',
    path: 'window.channels',
    says: 'unclosed [: a list "[" needs its "]"',
  },
  { what: 'unclosed brace at the end', yaml: `${HEAD}window: {mode: sliding\n`, at: '4:9', path: 'window', says: 'unclosed {' },
  { what: 'unclosed quote', yaml: 'name: "t\nboard: host\ndataset: sisfall\n', at: '1:7', path: 'name', says: 'unclosed quote: a quote needs its closing "' },
  { what: 'key and value on one line twice', yaml: `${HEAD}seed: 1: 2\n`, at: '4:7', path: 'seed', says: 'a second "key: value" on the same line' },
  { what: 'two documents', yaml: `${HEAD}---\nname: u\n`, at: '4:1', path: '(root)', says: 'more than one YAML document' },
  { what: 'empty file', yaml: '', at: '1:1', path: '(root)', says: 'the file is empty; expected name, board, dataset' },
  {
    what: 'only comments',
    yaml: '# yaml-language-server: $schema=../../packages/core/src/spec/experiment.schema.json\n',
    at: '1:1',
    path: '(root)',
    says: 'the file is empty',
  },
  {
    what: 'top-level list',
    yaml: '- name: t\n- board: host\n',
    at: '1:1',
    path: '(root)',
    says: 'must be a mapping of settings (name, board, dataset and optional stage sections), got a list',
  },
  { what: 'top-level scalar', yaml: 'fall-esp32\n', at: '1:1', path: '(root)', says: 'got a single value ("fall-esp32")' },
  // Window
  {
    what: 'window a string',
    yaml: `${HEAD}window: sliding\n`,
    at: '4:9',
    path: 'window',
    says: 'must be a mapping (keys: mode, sampleRateHz, lengthSeconds, overlap, beatOffset, rrFeatures, channels, labels, folds), got "sliding"',
  },
  {
    what: 'channels empty',
    yaml: `${HEAD}window:\n  channels: []\n`,
    at: '5:13',
    path: 'window.channels',
    says: 'must be a non-empty list of non-empty strings, each at most once, got an empty list',
  },
  {
    what: 'channel twice',
    yaml: `${HEAD}window:\n  channels: [acc_x, acc_x]\n`,
    at: '5:13',
    path: 'window.channels',
    says: 'got "acc_x" twice (items 0 and 1)',
  },
  {
    what: 'unknown channel',
    yaml: `${HEAD}window:\n  channels: [acc_x, gyr_y]\n`,
    at: '5:21',
    path: 'window.channels[1]',
    says: 'unknown channel "gyr_y" — did you mean "gyro_y"? known sisfall channels: acc_x, acc_y, acc_z, gyro_x, gyro_y, gyro_z, acc2_x, acc2_y, acc2_z',
  },
  {
    what: 'class no window can have',
    yaml: `${HEAD}window:\n  labels:\n    classes: [nonexistent]\n`,
    at: '6:15',
    path: 'window.labels.classes[0]',
    says: 'unknown class "nonexistent"; known sisfall labels: adl, fall',
  },
  {
    what: 'class misspelt',
    yaml: `${HEAD}window:\n  labels:\n    classes: [adl, fal]\n`,
    at: '6:20',
    path: 'window.labels.classes[1]',
    says: 'unknown class "fal" — did you mean "fall"? known sisfall labels: adl, fall',
  },
  {
    what: 'sampleRateHz not dividing',
    yaml: `${HEAD}window:\n  sampleRateHz: 70\n`,
    at: '5:17',
    path: 'window.sampleRateHz',
    says: "must be sisfall's native 200 Hz divided by a whole number (e.g. 200, 100, 50, 40, 25, 20), got 70",
  },
  {
    what: 'sampleRateHz above native',
    yaml: withDataset('hapt_uci', 'window:\n  sampleRateHz: 100\n'),
    at: '5:17',
    path: 'window.sampleRateHz',
    says: "hapt_uci's native 50 Hz divided by a whole number",
  },
  {
    what: 'window under 2 samples',
    yaml: `${HEAD}window:\n  lengthSeconds: 0.01\n`,
    at: '5:18',
    path: 'window.lengthSeconds',
    says: 'the window holds 1 sample (0.01 s at 100 Hz); it needs at least 2',
  },
  {
    what: 'impact policy on mitbih',
    yaml: withDataset('mitbih', 'window:\n  labels:\n    policy: impact\n'),
    at: '6:13',
    path: 'window.labels.policy',
    says: 'policy "impact" does not fit mitbih: impact labels windows around the impact of a fall trial, which only sisfall provides; mitbih supports: beat',
  },
  {
    what: 'beat policy on sisfall',
    yaml: `${HEAD}window:\n  labels:\n    policy: beat\n`,
    at: '6:13',
    path: 'window.labels.policy',
    says: 'policy "beat" does not fit sisfall',
  },
  {
    what: 'recording mode on sisfall',
    yaml: `${HEAD}window:\n  mode: recording\n`,
    at: '5:9',
    path: 'window.mode',
    says: 'mode "recording" does not fit sisfall: recording mode makes each recording one window and needs short recordings of equal length, which only ecg5000 provides',
  },
  {
    what: 'beat mode on hapt_uci',
    yaml: withDataset('hapt_uci', 'window:\n  mode: beat\n'),
    at: '5:9',
    path: 'window.mode',
    says: 'needs beat annotations, which only mitbih provides; hapt_uci supports: sliding',
  },
  {
    what: 'sliding without lengthSeconds',
    yaml: withDataset('ecg5000', 'window:\n  mode: sliding\n'),
    at: '5:9',
    path: 'window.mode',
    says: 'sliding mode needs lengthSeconds',
  },
  {
    what: 'overlap in beat mode',
    yaml: withDataset('mitbih', 'window:\n  overlap: 0.5\n'),
    at: '5:3',
    path: 'window.overlap',
    says: 'only applies when mode is sliding, but mode is beat; remove it',
  },
  {
    what: 'rrFeatures on sliding windows',
    yaml: `${HEAD}window:\n  rrFeatures: true\n`,
    at: '5:3',
    path: 'window.rrFeatures',
    says: 'only applies when mode is beat, but mode is sliding; remove it',
  },
  {
    what: 'rrFeatures not a boolean',
    yaml: withDataset('mitbih', 'window:\n  rrFeatures: yes please\n'),
    at: '5:15',
    path: 'window.rrFeatures',
    says: 'must be true or false, got "yes please"',
  },
  {
    what: 'validationSubjects when validation holds out windows',
    yaml: `${HEAD}train-cascade:\n  validationBy: windows\n  validationSubjects: 3\n`,
    at: '6:3',
    path: 'train-cascade.validationSubjects',
    says: 'only applies when validationBy is subjects, but validationBy is windows; remove it',
  },
  {
    what: 'search.validationSubjects when the search validates on windows',
    yaml: `${HEAD}search:\n  validationBy: windows\n  validationSubjects: 3\n`,
    at: '6:3',
    path: 'search.validationSubjects',
    says: 'only applies when validationBy is subjects, but validationBy is windows; remove it',
  },
  {
    what: 'validationBy neither subjects nor windows',
    yaml: `${HEAD}train-cascade:\n  validationBy: records\n`,
    at: '5:17',
    path: 'train-cascade.validationBy',
    says: 'subjects',
  },
  {
    what: 'exitUncertainty neither vacuity nor decision',
    yaml: `${HEAD}train-cascade:\n  exitUncertainty: margin\n`,
    at: '5:20',
    path: 'train-cascade.exitUncertainty',
    says: 'vacuity',
  },
  {
    what: 'minPurity with impact policy',
    yaml: `${HEAD}window:\n  labels:\n    minPurity: 0.8\n`,
    at: '6:5',
    path: 'window.labels.minPurity',
    says: 'only applies when policy is majority, but policy is impact',
  },
  // Folds
  {
    what: 'scheme split without split',
    yaml: withDataset('hapt_uci', 'window:\n  folds:\n    scheme: split\n'),
    at: '6:13',
    path: 'window.folds.scheme',
    says: "scheme split needs split: the name of one of hapt_uci's splits (uci)",
  },
  {
    what: 'scheme split on sisfall',
    yaml: `${HEAD}window:\n  folds:\n    scheme: split\n`,
    at: '6:13',
    path: 'window.folds.scheme',
    says: 'sisfall has no named splits; use scheme: loso',
  },
  {
    what: 'unknown split',
    yaml: withDataset('mitbih', 'window:\n  folds:\n    split: ds1-ds3\n'),
    at: '6:12',
    path: 'window.folds.split',
    says: 'unknown split "ds1-ds3" — did you mean "ds1-ds2"? known mitbih splits: ds1-ds2',
  },
  {
    what: 'split with loso',
    yaml: withDataset('hapt_uci', 'window:\n  folds:\n    scheme: loso\n    split: uci\n'),
    at: '7:5',
    path: 'window.folds.split',
    says: 'only applies with scheme: split, but scheme is loso',
  },
  {
    what: 'one subject',
    yaml: `${HEAD}window:\n  folds:\n    subjects: [SA01]\n`,
    at: '6:15',
    path: 'window.folds.subjects',
    says: 'leave-one-subject-out needs at least 2 subjects, got 1',
  },
  {
    what: 'k without stratified',
    yaml: `${HEAD}window:\n  folds:\n    k: 5\n`,
    at: '6:5',
    path: 'window.folds.k',
    says: 'only applies with scheme: stratified, but scheme is loso',
  },
  {
    what: 'stratified over windows cut from streams',
    yaml: `${HEAD}window:\n  folds:\n    scheme: stratified\n`,
    at: '6:13',
    path: 'window.folds.scheme',
    says: 'stratified deals whole recordings into folds by their label, so it needs labels.policy recording',
  },
  {
    what: 'k of n over one-window recordings',
    yaml: withDataset('ecg5000', 'evaluate:\n  postProcessing: { k: 2, n: 3 }\n'),
    at: '5:30',
    path: 'evaluate.postProcessing.n',
    says: 'window.mode recording makes each recording one window',
  },
  // Budgets
  {
    what: 'SRAM budget above board',
    yaml: 'name: t\nboard: stm32f446ze\ndataset: sisfall\nsearch:\n  budget:\n    sramBytes: 131072\n',
    at: '6:16',
    path: 'search.budget.sramBytes',
    says: 'must be at most 126976, the SRAM bytes stm32f446ze leaves for the model (131072 bytes of SRAM minus 4096 reserved), got 131072',
  },
  {
    what: 'flash budget above board',
    yaml: 'name: t\nboard: stm32f446ze\ndataset: sisfall\nsearch:\n  budget:\n    flashBytes: 1048576\n',
    at: '6:17',
    path: 'search.budget.flashBytes',
    says: 'must be at most 524288, the flash bytes of stm32f446ze, got 1048576',
  },
  {
    what: 'budget below schema minimum',
    yaml: `${HEAD}search:\n  budget:\n    sramBytes: 100\n`,
    at: '6:16',
    path: 'search.budget.sramBytes',
    says: 'must be an integer ≥ 1024, got 100',
  },
  // Search spaces
  {
    what: 'unknown space kind',
    yaml: `${HEAD}search:\n  space: cnn2d\n`,
    at: '5:10',
    path: 'search.space',
    says: 'must be one of cnn1d, gru, dsconv, got "cnn2d" — did you mean "cnn1d"?',
  },
  {
    what: 'space a list',
    yaml: `${HEAD}search:\n  space: [cnn1d]\n`,
    at: '5:10',
    path: 'search.space',
    says: 'must be one of cnn1d, gru, dsconv, or a mapping (keys: kind, blocks, filters,',
  },
  { what: 'space without kind', yaml: SPACE('    blocks: [1, 2]\n'), at: '6:5', path: 'search.space', says: 'required key "kind" is missing' },
  {
    what: 'space kind typo',
    yaml: SPACE('    kind: dscnv\n'),
    at: '6:11',
    path: 'search.space.kind',
    says: 'must be one of cnn1d, gru, dsconv, got "dscnv" — did you mean "dsconv"?',
  },
  {
    what: 'range of another kind',
    yaml: SPACE('    kind: gru\n    blocks: [1, 3]\n'),
    at: '7:5',
    path: 'search.space.blocks',
    says: 'only applies when kind is cnn1d or dsconv, but kind is gru; remove it',
  },
  {
    what: 'blocks min above max',
    yaml: SPACE('    kind: cnn1d\n    blocks: [4, 2]\n'),
    at: '7:13',
    path: 'search.space.blocks',
    says: 'must be [min, max] with min ≤ max, got [4, 2]',
  },
  {
    what: 'blocks not a pair',
    yaml: SPACE('    kind: cnn1d\n    blocks: [1, 2, 3]\n'),
    at: '7:13',
    path: 'search.space.blocks',
    says: 'must be a list of 2 integers, got a list of 3',
  },
  {
    what: 'blocks a number',
    yaml: SPACE('    kind: dsconv\n    blocks: 5\n'),
    at: '7:13',
    path: 'search.space.blocks',
    says: 'must be a list of 2 integers, got 5',
  },
  {
    what: 'dsconv under 3 blocks',
    yaml: SPACE('    kind: dsconv\n    blocks: [2, 5]\n'),
    at: '7:13',
    path: 'search.space.blocks',
    says: 'dsconv needs at least 3 blocks, one per third (shallow, medium, deep), got [2, 5]',
  },
  {
    what: 'downsample block beyond the last',
    yaml: SPACE('    kind: dsconv\n    blocks: [3, 5]\n    downsampleBlocks: [1, 5]\n'),
    at: '8:27',
    path: 'search.space.downsampleBlocks[1]',
    says: 'block 5 never exists: blocks are numbered from 0 and there are at most 5 (blocks: [3, 5])',
  },
  {
    what: 'channels above 512',
    yaml: SPACE('    kind: dsconv\n    channels: [32, 1024]\n'),
    at: '7:20',
    path: 'search.space.channels[1]',
    says: 'must be an integer in [1, 512], got 1024',
  },
  {
    what: 'no filter choices',
    yaml: SPACE('    kind: cnn1d\n    filters: []\n'),
    at: '7:14',
    path: 'search.space.filters',
    says: 'must be a non-empty list of integers, each at most once, got an empty list',
  },
  {
    what: 'a kernel twice',
    yaml: SPACE('    kind: cnn1d\n    kernels: [3, 3]\n'),
    at: '7:14',
    path: 'search.space.kernels',
    says: 'got 3 twice (items 0 and 1)',
  },
  {
    what: 'unknown pool',
    yaml: SPACE('    kind: cnn1d\n    pools: [none, min]\n'),
    at: '7:19',
    path: 'search.space.pools[1]',
    says: 'must be one of none, max, avg, got "min"',
  },
  {
    what: 'gru layers 0',
    yaml: SPACE('    kind: gru\n    layers: [0, 2]\n'),
    at: '7:14',
    path: 'search.space.layers[0]',
    says: 'must be an integer in [1, 4], got 0',
  },
  {
    what: 'front end key typo',
    yaml: SPACE('    kind: gru\n    frontEnd:\n      kernel: [3]\n'),
    at: '8:7',
    path: 'search.space.frontEnd',
    says: 'unknown key "kernel" — did you mean "kernels"? (allowed: filters, kernels, strides)',
  },
  {
    what: 'stem without filters',
    yaml: SPACE('    kind: dsconv\n    stem: { filters: [0] }\n'),
    at: '7:23',
    path: 'search.space.stem.filters[0]',
    says: 'must be an integer in [1, 512], got 0',
  },
];

describe('malformed experiment.yaml', () => {
  it.each(MALFORMED)('$what', ({ yaml, at, path: where, says }) => {
    const error = specError(yaml);
    expect(error.diagnostics).toHaveLength(1);
    const prefix = `${FILE}:${at}: ${where}: `;
    expect(error.message.startsWith(prefix), `${error.message}\n  should start with\n${prefix}`).toBe(true);
    for (const phrase of Array.isArray(says) ? says : [says]) expect(error.message).toContain(phrase);
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain('    at ');
    const [line, column] = at.split(':').map(Number);
    expect(error.diagnostics[0]).toMatchObject({ file: FILE, line, column, path: where });
  });

  it('has a broad table', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(35);
  });

  it('reports independent mistakes together, one line each, in file order', () => {
    const error = specError(`${HEAD}seed: -1\nwindow:\n  overlap: 2\nsearch:\n  strategy: best\n`);
    expect(error.message.split('\n')).toEqual([
      `${FILE}:4:7: seed: must be an integer in [0, 4294967295], got -1`,
      `${FILE}:6:12: window.overlap: must be a number in [0, 1), got 2`,
      `${FILE}:8:13: search.strategy: must be one of random, grid, successive-halving, got "best"`,
    ]);
  });

  it('is a UserError named SpecError', () => {
    const error = specError('');
    expect(error.name).toBe('SpecError');
    expect(error).toBeInstanceOf(Error);
  });
});

describe('the files it reads', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'spec-test-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function writeWorkspace(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(scratch, 'ws-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), text);
    }
    return root;
  }

  const TINY_BOARD =
    'name: tiny\ntitle: Tiny test board\ncpu: cortex-m0\nmemory:\n  sramBytes: 32768\n  flashBytes: 131072\n  reserveSramBytes: 1024\n  stackBytes: 2048\n  runtimeCodeBytes: 8192\n  runtimeRamBytes: 64\ntoolchain: arm-none-eabi\nemulator: none\n';

  it('loadSpec resolves a workspace-relative path and names it relative in errors', async () => {
    const root = writeWorkspace({
      'firmware/boards/tiny/board.yaml': TINY_BOARD,
      'projects/ok/experiment.yaml': 'name: ok\nboard: tiny\ndataset: sisfall\n',
      'projects/bad/experiment.yaml': 'name: bad\nboard: tiny\ndataset: sisfall\nseed: -3\n',
    });
    const spec = await loadSpec('projects/ok/experiment.yaml', { workspaceRoot: root });
    expect(spec.file).toBe(path.join(root, 'projects/ok/experiment.yaml'));
    expect(spec.search.budget).toEqual({ sramBytes: 32768 - 1024, flashBytes: 131072 });
    await expect(loadSpec(path.join(root, 'projects/bad/experiment.yaml'), { workspaceRoot: root })).rejects.toThrow(
      /^projects\/bad\/experiment\.yaml:4:7: seed: /,
    );
  });

  it('reports a file it cannot read in the same format', async () => {
    const error = await loadSpec('projects/missing/experiment.yaml', { workspaceRoot: WORKSPACE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).message).toBe('projects/missing/experiment.yaml:1:1: (root): cannot read the file: no such file');
  });

  it('names board.yaml, with line and column, when the board definition is wrong', () => {
    const root = writeWorkspace({
      'firmware/boards/tiny/board.yaml': TINY_BOARD.replace('sramBytes: 32768', 'sramBytes: lots'),
    });
    const error = specError('name: t\nboard: tiny\ndataset: sisfall\n', root);
    expect(error.message).toBe('firmware/boards/tiny/board.yaml:5:14: memory.sramBytes: must be an integer ≥ 1024, got "lots"');
  });

  it('checks board.yaml beyond its schema', async () => {
    const root = writeWorkspace({
      'firmware/boards/tiny/board.yaml': TINY_BOARD.replace('name: tiny', 'name: tiny2').replace('reserveSramBytes: 1024', 'reserveSramBytes: 31000'),
    });
    const error = await loadBoard(root, 'tiny').catch((e: unknown) => e);
    expect((error as SpecError).message.split('\n')).toEqual([
      'firmware/boards/tiny/board.yaml:1:7: name: must be the board\'s folder name "tiny", got "tiny2"',
      'firmware/boards/tiny/board.yaml:7:21: memory.reserveSramBytes: reserveSramBytes + stackBytes + runtimeRamBytes (31000 + 2048 + 64) must be less than sramBytes (32768), or no SRAM is left for the model',
    ]);
  });

  it('requires runtimeCodeBytes, and leaves flash for the model', async () => {
    const missing = writeWorkspace({ 'firmware/boards/tiny/board.yaml': TINY_BOARD.replace('  runtimeCodeBytes: 8192\n', '') });
    expect(((await loadBoard(missing, 'tiny').catch((e: unknown) => e)) as SpecError).message).toBe(
      'firmware/boards/tiny/board.yaml:5:3: memory: required key "runtimeCodeBytes" is missing',
    );
    const huge = writeWorkspace({ 'firmware/boards/tiny/board.yaml': TINY_BOARD.replace('runtimeCodeBytes: 8192', 'runtimeCodeBytes: 131072') });
    expect(((await loadBoard(huge, 'tiny').catch((e: unknown) => e)) as SpecError).message).toBe(
      'firmware/boards/tiny/board.yaml:9:21: memory.runtimeCodeBytes: runtimeCodeBytes (131072) must be less than flashBytes (131072), or no flash is left for the model',
    );
    expect((await loadBoard(writeWorkspace({ 'firmware/boards/tiny/board.yaml': TINY_BOARD }), 'tiny')).memory.runtimeCodeBytes).toBe(8192);
  });

  it('requires runtimeRamBytes (the static RAM besides the model) and counts it against SRAM', async () => {
    const missing = writeWorkspace({ 'firmware/boards/tiny/board.yaml': TINY_BOARD.replace('  runtimeRamBytes: 64\n', '') });
    expect(((await loadBoard(missing, 'tiny').catch((e: unknown) => e)) as SpecError).message).toBe(
      'firmware/boards/tiny/board.yaml:5:3: memory: required key "runtimeRamBytes" is missing',
    );
    const huge = writeWorkspace({ 'firmware/boards/tiny/board.yaml': TINY_BOARD.replace('runtimeRamBytes: 64', 'runtimeRamBytes: 29696') });
    expect(((await loadBoard(huge, 'tiny').catch((e: unknown) => e)) as SpecError).message).toBe(
      'firmware/boards/tiny/board.yaml:7:21: memory.reserveSramBytes: reserveSramBytes + stackBytes + runtimeRamBytes (1024 + 2048 + 29696) must be less than sramBytes (32768), or no SRAM is left for the model',
    );
    expect((await loadBoard(writeWorkspace({ 'firmware/boards/tiny/board.yaml': TINY_BOARD }), 'tiny')).memory.runtimeRamBytes).toBe(64);
  });

  it('lists board folders that hold a board.yaml: those of the workspace besides the shipped ones', () => {
    const root = writeWorkspace({ 'firmware/boards/tiny/board.yaml': TINY_BOARD, 'firmware/boards/notes/README.md': 'x' });
    expect(knownBoards(root)).toEqual(['esp32-c3', 'esp32-s2', 'host', 'stm32f446ze', 'stm32h747xi', 'tiny']);
  });

  it('reads a shipped board from the package when the workspace has none, and the copy in the workspace when it has one', async () => {
    const empty = writeWorkspace({ 'projects/.keep': '' });
    expect((await loadBoard(empty, 'esp32-s2')).file).toBe(path.join(WORKSPACE, 'firmware/boards/esp32-s2/board.yaml'));
    const own = writeWorkspace({ 'firmware/boards/esp32-s2/board.yaml': TINY_BOARD.replace('name: tiny', 'name: esp32-s2') });
    expect((await loadBoard(own, 'esp32-s2')).file).toBe(path.join(own, 'firmware/boards/esp32-s2/board.yaml'));
  });
});

describe('the schema agrees with the workspace', () => {
  it('lists exactly the board folders in its board enum (for editor completion)', () => {
    expect([...experimentSchema.properties.board.enum].sort()).toEqual(knownBoards(WORKSPACE));
  });

  it('lists exactly the known datasets', () => {
    expect([...experimentSchema.definitions.datasetId.enum]).toEqual([...DATASET_IDS]);
  });

  it('names the stages in pipeline order', () => {
    expect(STAGES).toEqual(['window', 'search', 'train-cascade', 'quantize', 'emit-firmware', 'flash-test']);
    // pipeline/stage-contracts.ts keeps its own copy for the stage contracts; the two must not drift apart.
    expect(STAGES).toEqual([...PIPELINE_STAGES]);
  });

  it('loads every board of the workspace', async () => {
    for (const name of knownBoards(WORKSPACE)) {
      const board = await loadBoard(WORKSPACE, name);
      expect(board.name).toBe(name);
      expect(board.file).toBe(path.join(WORKSPACE, 'firmware/boards', name, 'board.yaml'));
    }
    expect((await loadBoard(WORKSPACE, 'esp32-s2')).memory).toEqual({
      sramBytes: 327680,
      flashBytes: 4194304,
      reserveSramBytes: 65536,
      stackBytes: 8192,
      runtimeCodeBytes: 16384,
      runtimeRamBytes: 64,
    });
  });
});

describe('normalized experiments', () => {
  const parse = (text: string): NormalizedSpec => parseSpec(text, FILE, { workspaceRoot: WORKSPACE });

  it('fills every default for the minimal sisfall spec', async () => {
    const spec = parse('name: fall\nboard: esp32-s2\ndataset: sisfall\n');
    const imu = ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'];
    expect(spec).toEqual({
      file: path.join(WORKSPACE, FILE),
      name: 'fall',
      description: null,
      tags: [],
      board: 'esp32-s2',
      boardDefinition: await loadBoard(WORKSPACE, 'esp32-s2'),
      dataset: { name: 'sisfall', source: 'auto', url: null },
      seed: 0,
      train: { precision: 'float32' },
      window: {
        mode: 'sliding',
        sampleRateHz: 100,
        lengthSeconds: 1.2,
        overlap: 0.9,
        beatOffset: 0.5,
        rrFeatures: false,
        channels: imu,
        labels: {
          policy: 'impact',
          preSeconds: 1,
          postSeconds: 0.5,
          fallTrialRest: 'negative',
          minPurity: 0.5,
          unlabelled: 'other',
          classes: null,
          map: {},
        },
        folds: { scheme: 'loso', split: null, k: null, subjects: null },
      },
      search: {
        space: DEFAULT_SPACES.cnn1d,
        strategy: 'successive-halving',
        trials: 20,
        epochs: 10,
        batchSize: 128,
        learningRate: 0.001,
        weightedLoss: true,
        workers: 2,
        budget: { sramBytes: 327680 - 65536, flashBytes: 4194304 },
        fold: null,
        validationSubjects: null,
        validationBy: 'subjects',
        maxTrainWindows: 40000,
        maxValidationWindows: 15000,
        patience: 3,
        baselines: { twoStage: true, unweighted: true },
        metric: null,
        positiveClass: null,
      },
      'train-cascade': {
        exits: 3,
        events: null,
        exitAfter: null,
        epochs: 20,
        lambda: 0.1,
        annealEpochs: 10,
        training: 'stagewise',
        targetDrop: 0.01,
        evidenceScaling: true,
        regularizer: 'all',
        evidence: 'relu',
        exitUncertainty: 'vacuity',
        ensembleSize: 5,
        batchSize: 128,
        learningRate: 0.001,
        patience: 5,
        weightedLoss: true,
        sampling: 'balanced',
        workers: 2,
        validationSubjects: null,
        validationBy: 'subjects',
        maxTrainWindows: 40000,
        maxValidationWindows: 15000,
        tta: { copies: 5, sigma: 0.03 },
        robustness: { noise: [0.1, 0.3, 1], missing: [0.25, 0.5, 1], maxWindows: 2000 },
        baselines: { softmax: true, ensemble: true, tta: true, evidential: true },
      },
      quantize: { calibration: 'minmax', percentile: 99.99, calibrationWindows: 1000, goldenVectors: 32, inputGate: true },
      'emit-firmware': { format: 'auto' },
      'flash-test': { runner: 'auto', vectors: 32 },
      evaluate: {
        folds: 'all',
        training: { epochs: 20, patience: 5, maxTrainWindows: 40000, maxValidationWindows: 15000 },
        baselines: false,
        int8: true,
        postProcessing: { k: 2, n: 3, refractorySeconds: 5 },
        alarmSweep: [
          { k: 1, n: 1 },
          { k: 2, n: 3 },
          { k: 3, n: 3 },
          { k: 4, n: 5 },
          { k: 5, n: 5 },
          { k: 6, n: 8 },
          { k: 8, n: 8 },
          { k: 10, n: 12 },
          { k: 12, n: 12 },
        ],
        targetDropSweep: [0, 0.0025, 0.005, 0.0075, 0.01, 0.02, 0.05],
      },
    });
  });

  it("trains evaluate's folds as train-cascade trains unless evaluate.training says otherwise", () => {
    const training = (sections: string) => parse(`${HEAD}${sections}`).evaluate.training;
    expect(training('train-cascade:\n  epochs: 60\n  patience: 8\n  maxTrainWindows: 900\n')).toEqual({
      epochs: 60,
      patience: 8,
      maxTrainWindows: 900,
      maxValidationWindows: 15000,
    });
    expect(training('train-cascade:\n  epochs: 60\nevaluate:\n  training: { epochs: 4, maxValidationWindows: 300 }\n')).toEqual({
      epochs: 4,
      patience: 5,
      maxTrainWindows: 40000,
      maxValidationWindows: 300,
    });
  });

  it("applies a dataset's default fold subjects only with its default scheme", () => {
    const folds = (window: string) => parse(withDataset('ecg5000', window)).window.folds;
    expect(folds('window:\n  folds:\n    k: 10\n')).toEqual({ scheme: 'stratified', split: null, k: 10, subjects: ['train'] });
    expect(folds('window:\n  folds:\n    scheme: split\n    split: train-test\n')).toEqual({ scheme: 'split', split: 'train-test', k: null, subjects: null });
  });

  it('takes window defaults from each dataset', () => {
    const window = (dataset: string) => parse(withDataset(dataset, '')).window;
    expect(window('mitbih')).toMatchObject({
      mode: 'beat',
      sampleRateHz: 360,
      lengthSeconds: 0.72,
      beatOffset: 0.4,
      rrFeatures: true,
      overlap: 0,
      channels: ['MLII'],
      labels: { policy: 'beat' },
      folds: { scheme: 'split', split: 'ds1-ds2' },
    });
    expect(window('ecg5000')).toMatchObject({
      mode: 'recording',
      sampleRateHz: 140,
      lengthSeconds: null,
      channels: ['ecg'],
      labels: { policy: 'recording' },
      // stratified over the TRAIN beats (the five-class ones), so the defaults run on the committed sample too
      folds: { scheme: 'stratified', split: null, k: 5, subjects: ['train'] },
    });
    expect(window('hapt_uci')).toMatchObject({
      mode: 'sliding',
      sampleRateHz: 50,
      lengthSeconds: 2.56,
      overlap: 0.5,
      labels: { policy: 'majority', minPurity: 0.5, unlabelled: 'other' },
      folds: { scheme: 'loso', split: null },
    });
  });

  it('takes search budgets from the board, and keeps budgets that fit', () => {
    expect(parse('name: t\nboard: stm32f446ze\ndataset: mitbih\n').search.budget).toEqual({ sramBytes: 126976, flashBytes: 524288 });
    const spec = parse('name: t\nboard: stm32f446ze\ndataset: mitbih\nsearch:\n  budget:\n    sramBytes: 50000\n');
    expect(spec.search.budget).toEqual({ sramBytes: 50000, flashBytes: 524288 });
  });

  it('accepts a yaml-language-server schema comment and the object form of dataset', () => {
    const spec = parse(
      '# yaml-language-server: $schema=../../packages/core/src/spec/experiment.schema.json\n' +
        'name: t\nboard: host\ndataset:\n  name: hapt_uci\n  source: sample\n  url: https://example.org/hapt.tar.xz\n' +
        'tags: [imu]\nwindow:\n  folds:\n    split: uci\n',
    );
    expect(spec.dataset).toEqual({ name: 'hapt_uci', source: 'sample', url: 'https://example.org/hapt.tar.xz' });
    expect(spec.tags).toEqual(['imu']);
    // Naming a split implies scheme: split.
    expect(spec.window.folds).toEqual({ scheme: 'split', split: 'uci', k: null, subjects: null });
  });

  it('fills a search space written as a kind, or as a kind with some ranges', () => {
    expect(parse(`${HEAD}search:\n  space: dsconv\n`).search.space).toEqual(DEFAULT_SPACES.dsconv);
    expect(parse(SPACE('    kind: gru\n    units: [32, 16]\n    frontEnd: { filters: [0] }\n')).search.space).toEqual({
      ...DEFAULT_SPACES.gru,
      units: [16, 32],
      frontEnd: { ...DEFAULT_SPACES.gru.frontEnd, filters: [0] },
    });
    expect(parse(SPACE('    kind: dsconv\n    blocks: [3, 3]\n    channels: [512]\n    downsampleBlocks: [2, 0]\n')).search.space).toEqual({
      ...DEFAULT_SPACES.dsconv,
      blocks: [3, 3],
      channels: [512],
      downsampleBlocks: [2, 0],
    });
    // Writing the defaults out changes nothing.
    expect(parse(SPACE('    kind: cnn1d\n    blocks: [1, 4]\n    pools: [avg, max, none]\n')).search).toEqual(parse(HEAD).search);
  });

  it("uses the dataset's default split when scheme: split names none", () => {
    expect(parse(withDataset('mitbih', 'window:\n  folds:\n    scheme: split\n')).window.folds.split).toBe('ds1-ds2');
  });

  it('keeps explicit settings', () => {
    const spec = parse(
      withDataset(
        'ecg5000',
        'seed: 7\nwindow:\n  mode: sliding\n  lengthSeconds: 0.5\n  sampleRateHz: 70\n  labels:\n    map: { "1": normal }\nquantize:\n  calibration: percentile\n  percentile: 99.9\n',
      ),
    );
    expect(spec.seed).toBe(7);
    expect(spec.window).toMatchObject({ mode: 'sliding', lengthSeconds: 0.5, sampleRateHz: 70, overlap: 0, labels: { map: { '1': 'normal' } } });
    expect(spec.quantize).toMatchObject({ calibration: 'percentile', percentile: 99.9 });
  });

  it('takes train-cascade.weightedLoss as true, false or sqrt', () => {
    for (const value of [true, false, 'sqrt'] as const)
      expect(parse(`${HEAD}train-cascade:\n  weightedLoss: ${value}\n`)['train-cascade'].weightedLoss).toBe(value);
  });
});
