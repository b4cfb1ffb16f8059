import { SPACE_KEYS } from '../model/space-defaults';
import type { SearchSpaceKind } from '../model/space-types';
import { DATASETS, MODE_NEEDS, POLICY_MODES, POLICY_NEEDS, datasetsWith } from './datasets';
import { Diagnostic } from './errors';
import { SpecPath } from './path';
import { unknownName } from './suggest';
import type { NormalizedSpec } from './types';
import { YamlSource } from './yaml-source';

/**
 * Checks the schema cannot express: settings that contradict the dataset, the board or each other. Each finding
 * points at the setting the user wrote (a default is never to blame), and findings that would only restate an
 * earlier one are skipped.
 */
export function checkSpec(spec: NormalizedSpec, source: YamlSource): Diagnostic[] {
  const modeAndPolicy = checkModeAndPolicy(spec, source);
  return [
    ...checkTags(spec, source),
    ...(modeAndPolicy ? [modeAndPolicy] : [...checkSettingsThatDoNotApply(spec, source), ...checkWindowSize(spec, source)]),
    ...checkChannels(spec, source),
    ...checkClasses(spec, source),
    ...checkFolds(spec, source),
    ...checkBudget(spec, source),
    ...checkSearchSpace(spec, source),
    ...checkPostProcessing(spec, source),
  ];
}

/** k of n needs k ≤ n, or no alarm could ever be raised; a recording-mode window is alone in its recording, so n = 1. */
function checkPostProcessing(spec: NormalizedSpec, source: YamlSource): Diagnostic[] {
  const { k, n } = spec.evaluate.postProcessing;
  if (spec.window.mode === 'recording' && n > 1) {
    const place: SpecPath = source.has(['evaluate', 'postProcessing', 'n']) ? ['evaluate', 'postProcessing', 'n'] : ['evaluate', 'postProcessing', 'k'];
    return [source.diagnostic(place, `window.mode recording makes each recording one window, so the alarm rule votes over one window: n must be 1, got ${n}`)];
  }
  const sweep = spec.evaluate.alarmSweep.flatMap((rule, i) =>
    rule.k <= rule.n
      ? []
      : [source.diagnostic(['evaluate', 'alarmSweep', i, 'k'], `k of n needs k ≤ n, got k ${rule.k} and n ${rule.n}: no alarm could ever be raised`)],
  );
  if (k <= n) return sweep;
  const place: SpecPath = source.has(['evaluate', 'postProcessing', 'k']) ? ['evaluate', 'postProcessing', 'k'] : ['evaluate', 'postProcessing', 'n'];
  return [source.diagnostic(place, `k of n needs k ≤ n, got k ${k} and n ${n}: no alarm could ever be raised`), ...sweep];
}

const WINDOW = (...rest: (string | number)[]): SpecPath => ['window', ...rest];

function checkTags(spec: NormalizedSpec, source: YamlSource): Diagnostic[] {
  return spec.tags.flatMap((tag, i) =>
    /^(board|dataset):/.test(tag)
      ? [source.diagnostic(['tags', i], `"${tag}" is reserved: board:<board> and dataset:<dataset> tags are added automatically; remove it`)]
      : [],
  );
}

function checkModeAndPolicy(spec: NormalizedSpec, source: YamlSource): Diagnostic | undefined {
  const id = spec.dataset.name;
  const facts = DATASETS[id];
  const { mode, lengthSeconds } = spec.window;
  const policy = spec.window.labels.policy;
  if (!facts.modes.includes(mode)) {
    return source.diagnostic(
      WINDOW('mode'),
      `mode "${mode}" does not fit ${id}: ${MODE_NEEDS[mode]}, ${onlyIn(datasetsWith('modes', mode))}; ${id} supports: ${facts.modes.join(', ')}`,
    );
  }
  if (!facts.policies.includes(policy)) {
    return source.diagnostic(
      WINDOW('labels', 'policy'),
      `policy "${policy}" does not fit ${id}: ${POLICY_NEEDS[policy]}, ${onlyIn(datasetsWith('policies', policy))}; ${id} supports: ${facts.policies.join(', ')}`,
    );
  }
  if (!POLICY_MODES[policy].includes(mode)) {
    const place = source.has(WINDOW('labels', 'policy')) ? WINDOW('labels', 'policy') : WINDOW('mode');
    return source.diagnostic(place, `policy "${policy}" needs mode ${POLICY_MODES[policy].join(' or ')}, but mode is ${mode}`);
  }
  if (mode !== 'recording' && lengthSeconds === null) {
    return source.diagnostic(WINDOW('mode'), `${mode} mode needs lengthSeconds (${id} has no default window length for it)`);
  }
  return undefined;
}

/** "which only sisfall provides", "which only sisfall and ecg5000 provide". */
function onlyIn(ids: readonly string[]): string {
  if (ids.length === 1) return `which only ${ids[0]} provides`;
  return `which only ${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]} provide`;
}

interface Applicability {
  path: SpecPath;
  applies: (spec: NormalizedSpec) => boolean;
  need: string;
  actual: (spec: NormalizedSpec) => string;
}

const mode = (s: NormalizedSpec): string => `mode is ${s.window.mode}`;
const policy = (s: NormalizedSpec): string => `policy is ${s.window.labels.policy}`;
const isImpact = (s: NormalizedSpec): boolean => s.window.labels.policy === 'impact';

/** Settings that only mean something in some configurations; written elsewhere, they would be silently ignored. */
const APPLICABILITY: readonly Applicability[] = [
  { path: WINDOW('lengthSeconds'), applies: (s) => s.window.mode !== 'recording', need: 'mode is sliding or beat', actual: mode },
  { path: WINDOW('overlap'), applies: (s) => s.window.mode === 'sliding', need: 'mode is sliding', actual: mode },
  { path: WINDOW('beatOffset'), applies: (s) => s.window.mode === 'beat', need: 'mode is beat', actual: mode },
  { path: WINDOW('rrFeatures'), applies: (s) => s.window.mode === 'beat', need: 'mode is beat', actual: mode },
  { path: WINDOW('labels', 'preSeconds'), applies: isImpact, need: 'policy is impact', actual: policy },
  { path: WINDOW('labels', 'postSeconds'), applies: isImpact, need: 'policy is impact', actual: policy },
  { path: WINDOW('labels', 'fallTrialRest'), applies: isImpact, need: 'policy is impact', actual: policy },
  { path: WINDOW('labels', 'minPurity'), applies: (s) => s.window.labels.policy === 'majority', need: 'policy is majority', actual: policy },
  {
    path: WINDOW('labels', 'unlabelled'),
    applies: (s) => ['majority', 'centre'].includes(s.window.labels.policy),
    need: 'policy is majority or centre',
    actual: policy,
  },
  {
    path: ['search', 'validationSubjects'],
    applies: (s) => s.search.validationBy === 'subjects',
    need: 'validationBy is subjects',
    actual: (s) => `validationBy is ${s.search.validationBy}`,
  },
  {
    path: ['train-cascade', 'validationSubjects'],
    applies: (s) => s['train-cascade'].validationBy === 'subjects',
    need: 'validationBy is subjects',
    actual: (s) => `validationBy is ${s['train-cascade'].validationBy}`,
  },
  {
    path: ['quantize', 'percentile'],
    applies: (s) => s.quantize.calibration === 'percentile',
    need: 'calibration is percentile',
    actual: (s) => `calibration is ${s.quantize.calibration}`,
  },
];

function checkSettingsThatDoNotApply(spec: NormalizedSpec, source: YamlSource): Diagnostic[] {
  return APPLICABILITY.filter((a) => source.has(a.path) && !a.applies(spec)).map((a) =>
    source.diagnostic(a.path, `only applies when ${a.need}, but ${a.actual(spec)}; remove it`, 'key'),
  );
}

function checkWindowSize(spec: NormalizedSpec, source: YamlSource): Diagnostic[] {
  const id = spec.dataset.name;
  const native = DATASETS[id].nativeRateHz;
  const { sampleRateHz: rate, lengthSeconds, mode } = spec.window;
  const factor = native / rate;
  if (Math.abs(factor - Math.round(factor)) > 1e-9 || Math.round(factor) < 1) {
    const examples = [1, 2, 3, 4, 5, 6, 8, 9, 10]
      .map((k) => native / k)
      .filter(Number.isInteger)
      .slice(0, 6);
    return [
      source.diagnostic(WINDOW('sampleRateHz'), `must be ${id}'s native ${native} Hz divided by a whole number (e.g. ${examples.join(', ')}), got ${rate}`),
    ];
  }
  const recordingSamples = DATASETS[id].recordingSamples;
  const samples =
    mode === 'recording' ? (recordingSamples === null ? Infinity : Math.round(recordingSamples / factor)) : Math.round((lengthSeconds ?? 0) * rate);
  if (samples >= 2) return [];
  const place = [WINDOW('lengthSeconds'), WINDOW('sampleRateHz')].find((p) => source.has(p)) ?? WINDOW();
  const how = mode === 'recording' ? `each ${id} recording at ${rate} Hz` : `${lengthSeconds} s at ${rate} Hz`;
  return [source.diagnostic(place, `the window holds ${samples} sample${samples === 1 ? '' : 's'} (${how}); it needs at least 2`)];
}

function checkChannels(spec: NormalizedSpec, source: YamlSource): Diagnostic[] {
  const id = spec.dataset.name;
  const known = DATASETS[id].channels;
  return spec.window.channels.flatMap((channel, i) =>
    known.includes(channel) ? [] : [source.diagnostic(WINDOW('channels', i), unknownName('channel', channel, known, `${id} channels`))],
  );
}

/** `labels.classes` may only name labels the windows can have: the dataset's, after `labels.map`, and `other`. */
function checkClasses(spec: NormalizedSpec, source: YamlSource): Diagnostic[] {
  const { classes, map, policy, unlabelled } = spec.window.labels;
  if (!classes) return [];
  const id = spec.dataset.name;
  const labels = [...new Set(DATASETS[id].labels.map((label) => map[label] ?? label))];
  if ((policy === 'majority' || policy === 'centre') && unlabelled === 'other') labels.push(map.other ?? 'other');
  return classes.flatMap((name, i) =>
    labels.includes(name)
      ? []
      : [
          source.diagnostic(
            WINDOW('labels', 'classes', i),
            unknownName('class', name, labels, `${id} labels${Object.keys(map).length > 0 ? ' after labels.map' : ''}`),
          ),
        ],
  );
}

function checkFolds(spec: NormalizedSpec, source: YamlSource): Diagnostic[] {
  const id = spec.dataset.name;
  const splits = DATASETS[id].splits;
  const { scheme, split } = spec.window.folds;
  const schemePath = WINDOW('folds', 'scheme');
  const splitPath = WINDOW('folds', 'split');
  const kPath = WINDOW('folds', 'k');
  const misplaced: Diagnostic[] = [];
  if (scheme !== 'split' && source.has(splitPath)) {
    misplaced.push(source.diagnostic(splitPath, `only applies with scheme: split, but scheme is ${scheme}; remove it or set scheme: split`, 'key'));
  }
  if (scheme !== 'stratified' && source.has(kPath)) {
    misplaced.push(source.diagnostic(kPath, `only applies with scheme: stratified, but scheme is ${scheme}; remove it or set scheme: stratified`, 'key'));
  }
  const subjects = spec.window.folds.subjects;
  if (scheme === 'loso' && subjects !== null && subjects.length < 2) {
    misplaced.push(
      source.diagnostic(
        WINDOW('folds', 'subjects'),
        `leave-one-subject-out needs at least 2 subjects, got ${subjects.length}; list more, or use scheme stratified`,
      ),
    );
  }
  if (scheme === 'loso') return misplaced;
  if (scheme === 'stratified') {
    // Stratifying deals whole recordings by their one label; windows cut from a labelled stream have no such label.
    if (spec.window.labels.policy !== 'recording') {
      misplaced.push(
        source.diagnostic(
          source.has(schemePath) ? schemePath : WINDOW('folds'),
          `stratified deals whole recordings into folds by their label, so it needs labels.policy recording (one label per recording); ${id} windows use policy ${spec.window.labels.policy}: use scheme loso`,
        ),
      );
    }
    return misplaced;
  }
  if (splits.length === 0) {
    const place = source.has(splitPath) ? splitPath : schemePath;
    return [...misplaced, source.diagnostic(place, `${id} has no named splits; use scheme: loso`)];
  }
  if (split === null) {
    return [...misplaced, source.diagnostic(schemePath, `scheme split needs split: the name of one of ${id}'s splits (${splits.join(', ')})`)];
  }
  return splits.includes(split) ? misplaced : [...misplaced, source.diagnostic(splitPath, unknownName('split', split, splits, `${id} splits`))];
}

function checkBudget(spec: NormalizedSpec, source: YamlSource): Diagnostic[] {
  const board = spec.boardDefinition;
  const { sramBytes, flashBytes, reserveSramBytes } = board.memory;
  const usable = sramBytes - reserveSramBytes;
  const budget = spec.search.budget;
  const diagnostics: Diagnostic[] = [];
  if (budget.sramBytes > usable) {
    const reserve = reserveSramBytes > 0 ? ` (${sramBytes} bytes of SRAM minus ${reserveSramBytes} reserved)` : '';
    diagnostics.push(
      source.diagnostic(
        ['search', 'budget', 'sramBytes'],
        `must be at most ${usable}, the SRAM bytes ${board.name} leaves for the model${reserve}, got ${budget.sramBytes}`,
      ),
    );
  }
  if (budget.flashBytes > flashBytes) {
    diagnostics.push(
      source.diagnostic(['search', 'budget', 'flashBytes'], `must be at most ${flashBytes}, the flash bytes of ${board.name}, got ${budget.flashBytes}`),
    );
  }
  return diagnostics;
}

const SPACE = (...rest: (string | number)[]): SpecPath => ['search', 'space', ...rest];

/** The least dsconv block count: the cascade needs one block in each of the shallow, medium and deep thirds. */
const DSCONV_MIN_BLOCKS = 3;

/** Search-space ranges the schema cannot judge: keys of another kind, [min, max] order, dsconv's block limits. */
function checkSearchSpace(spec: NormalizedSpec, source: YamlSource): Diagnostic[] {
  const space = spec.search.space;
  const diagnostics: Diagnostic[] = [];
  const kinds = Object.keys(SPACE_KEYS) as SearchSpaceKind[];
  const allKeys = [...new Set(kinds.flatMap((kind) => SPACE_KEYS[kind]))];
  for (const key of allKeys.filter((k) => !SPACE_KEYS[space.kind].includes(k) && source.has(SPACE(k)))) {
    const users = kinds.filter((kind) => SPACE_KEYS[kind].includes(key));
    diagnostics.push(source.diagnostic(SPACE(key), `only applies when kind is ${users.join(' or ')}, but kind is ${space.kind}; remove it`, 'key'));
  }
  const range = space.kind === 'gru' ? { key: 'layers', value: space.layers } : { key: 'blocks', value: space.blocks };
  const [min, max] = range.value;
  if (min > max) {
    diagnostics.push(source.diagnostic(SPACE(range.key), `must be [min, max] with min ≤ max, got [${min}, ${max}]`));
  } else if (space.kind === 'dsconv' && min < DSCONV_MIN_BLOCKS) {
    diagnostics.push(
      source.diagnostic(SPACE('blocks'), `dsconv needs at least ${DSCONV_MIN_BLOCKS} blocks, one per third (shallow, medium, deep), got [${min}, ${max}]`),
    );
  }
  if (space.kind === 'dsconv' && min <= max && source.has(SPACE('downsampleBlocks'))) {
    // normalizeSearchSpace keeps this list in file order, so item i is the file's item i.
    space.downsampleBlocks.forEach((block, i) => {
      if (block >= max) {
        diagnostics.push(
          source.diagnostic(
            SPACE('downsampleBlocks', i),
            `block ${block} never exists: blocks are numbered from 0 and there are at most ${max} (blocks: [${min}, ${max}])`,
          ),
        );
      }
    });
  }
  return diagnostics;
}
