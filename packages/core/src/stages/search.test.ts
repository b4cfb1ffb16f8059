import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { parseSpec } from '../spec/load';
import type { NormalizedSpec } from '../spec/types';
import { runSearchStage } from './search';
import { windowSample } from '../../testing/sample-pipeline';

/** The search stage on the committed SisFall sample, with a budget small enough for a test. */
const scratch = mkdtempSync(path.join(tmpdir(), 'nxt-search-'));
const windowDir = path.join(scratch, 'window');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function specWith(search: string): NormalizedSpec {
  const yaml = `name: search-test\nboard: stm32f446ze\ndataset: sisfall\nseed: 7\nsearch:\n${search}`;
  return parseSpec(yaml, 'experiment.yaml', { workspaceRoot: defaultWorkspaceRoot });
}

const tiny = `  trials: 4\n  epochs: 2\n  maxTrainWindows: 1500\n  maxValidationWindows: 1500\n  validationSubjects: 1\n  baselines:\n    twoStage: false\n    unweighted: false\n`;

async function search(spec: NormalizedSpec, name: string, workers = 1) {
  const outDir = path.join(scratch, name);
  const result = await runSearchStage({
    experiment: spec.name,
    search: { ...spec.search, workers },
    precision: spec.train.precision,
    seed: spec.seed,
    board: spec.boardDefinition,
    windowDir,
    outDir,
    journalDir: path.join(scratch, `${name}-journal`),
  });
  return { result, outDir, read: (file: string) => JSON.parse(readFileSync(path.join(outDir, file), 'utf8')) };
}

beforeAll(async () => {
  const spec = specWith(tiny);
  await windowSample(spec, windowDir);
});

describe('search stage (MicroNAS) on the SisFall sample', () => {
  it('trains only candidates that fit, and writes the trial table, the Pareto front and the best model', async () => {
    const { result, read, outDir } = await search(specWith(tiny), 'basic');
    const trials = read('trials.json');
    expect(trials.candidates).toHaveLength(4);
    for (const candidate of trials.candidates) {
      expect(candidate.sramBytes).toBeLessThanOrEqual(trials.budget.sramBytes);
      expect(candidate.flashBytes).toBeLessThanOrEqual(trials.budget.flashBytes);
    }
    // the outer fold's test subject is never used for selection
    expect(trials.subjects.test).toEqual([trials.fold]);
    expect(trials.subjects.train).not.toContain(trials.fold);
    expect(trials.subjects.validation).not.toContain(trials.fold);
    // successive halving: 4 candidates → 1 promoted to the full budget
    expect(trials.schedule.map((r: { candidates: number }) => r.candidates)).toEqual([4, 1]);
    expect(trials.trials).toHaveLength(5);
    const best = read('best-model.json');
    expect(best.candidate).toBe(result.best.id);
    expect(best.memory.fits).toBe(true);
    expect(best.weights.length).toBe(best.ir.layers.length);
    const front = read('pareto.json').front;
    expect(front.length).toBeGreaterThan(0);
    for (let i = 1; i < front.length; i++) {
      expect(front[i].sramBytes).toBeGreaterThan(front[i - 1].sramBytes);
      expect(front[i].score).toBeGreaterThan(front[i - 1].score);
    }
    expect(readFileSync(path.join(outDir, 'summary.md'), 'utf8')).toMatch(/\| c\d{3} \(best\)/);
  });

  it('counts candidates the board cannot hold and never trains them', async () => {
    const spec = specWith(`${tiny}  strategy: random\n  budget:\n    sramBytes: 10000\n`);
    const { read } = await search(spec, 'tight');
    const trials = read('trials.json');
    expect(trials.rejected.count).toBeGreaterThan(0);
    expect(trials.rejected.reasons.SRAM).toBe(trials.rejected.count);
    for (const candidate of trials.candidates) expect(candidate.sramBytes).toBeLessThanOrEqual(10000);
    expect(trials.trials.every((t: { candidate: string }) => trials.candidates.some((c: { id: string }) => c.id === t.candidate))).toBe(true);
  });

  it('fails clearly when nothing in the space fits', async () => {
    await expect(search(specWith(`${tiny}  budget:\n    sramBytes: 2000\n`), 'none-fits')).rejects.toThrow(
      /no architecture of the cnn1d space fits the budget \(SRAM 2000 B.*all rejected \(SRAM \d+\)/,
    );
  });

  it('runs the MicroNAS baselines: unweighted ablation and two-stage (unconstrained search, prune to fit, fine-tune)', async () => {
    const spec = specWith(`${tiny.replace(/  baselines:[\s\S]*/, '')}  strategy: random\n  budget:\n    sramBytes: 11000\n`);
    const { read, outDir } = await search(spec, 'baselines');
    const baselines = read('baselines.json');
    expect(baselines.constrained.fits).toBe(true);
    expect(baselines.unweighted.summary).toBe(baselines.constrained.summary);
    const { unconstrained, pruned, note } = baselines.twoStage;
    // with this seed the unconstrained winner is too big for 11,000 B, so pruning whole channels must make it fit
    expect(unconstrained.fits).toBe(false);
    expect(unconstrained.sramBytes).toBeGreaterThan(11000);
    expect(note).toBeNull();
    expect(pruned.fits).toBe(true);
    expect(pruned.sramBytes).toBeLessThanOrEqual(11000);
    expect(pruned.removedChannels).toBeGreaterThan(0);
    expect(pruned.validationF1).not.toBeNull();
    expect(readFileSync(path.join(outDir, 'summary.md'), 'utf8')).toMatch(/## Baselines \(MicroNAS\)[\s\S]*two-stage: unconstrained winner/);
  });

  it('ranks multi-class problems by macro-F1 by default, and positive-f1 targets the named class (MIT-BIH sample, AAMI classes)', async () => {
    const yaml = (extra: string) =>
      `name: ecg-test\nboard: stm32f446ze\ndataset: mitbih\nseed: 3\nwindow:\n  sampleRateHz: 180\nsearch:\n  space: dsconv\n  strategy: random\n  trials: 2\n  epochs: 1\n  maxTrainWindows: 1500\n  maxValidationWindows: 1500\n  validationSubjects: 1\n  baselines:\n    twoStage: false\n    unweighted: false\n${extra}`;
    const spec = parseSpec(yaml(''), 'experiment.yaml', { workspaceRoot: defaultWorkspaceRoot });
    const ecgWindows = path.join(scratch, 'ecg-window');
    await windowSample(spec, ecgWindows);
    const run = async (s: NormalizedSpec, name: string) => {
      const outDir = path.join(scratch, name);
      await runSearchStage({
        experiment: s.name,
        search: { ...s.search, workers: 1 },
        precision: s.train.precision,
        seed: s.seed,
        board: s.boardDefinition,
        windowDir: ecgWindows,
        outDir,
        journalDir: path.join(scratch, `${name}-journal`),
      });
      return JSON.parse(readFileSync(path.join(outDir, 'trials.json'), 'utf8'));
    };
    const macro = await run(spec, 'ecg-macro');
    expect(macro.metric).toBe('macro-f1');
    expect(macro.classes).toEqual(['N', 'S', 'V', 'F', 'Q']);
    for (const trial of macro.trials) expect(trial.score).toBe(trial.validationMacroF1);
    const named = await run(
      parseSpec(yaml('  metric: positive-f1\n  positiveClass: V\n'), 'experiment.yaml', { workspaceRoot: defaultWorkspaceRoot }),
      'ecg-v',
    );
    expect(named.metric).toBe('positive-f1');
    expect(named.positiveClass).toBe(2);
    for (const trial of named.trials) expect(trial.score).toBe(trial.validationF1);
    await expect(run(parseSpec(yaml('  positiveClass: fall\n'), 'experiment.yaml', { workspaceRoot: defaultWorkspaceRoot }), 'ecg-bad')).rejects.toThrow(
      /search.positiveClass: no class "fall" in the window store; classes: N, S, V, F, Q/,
    );
  });

  it('shares identical trials: where every candidate fits, the two-stage baseline trains nothing again', async () => {
    const spec = specWith(`${tiny.replace(/  baselines:[\s\S]*/, '')}  strategy: random\n  baselines:\n    twoStage: true\n    unweighted: false\n`);
    const { read, outDir } = await search(spec, 'shared');
    const log = readFileSync(path.join(outDir, 'run-log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const twoStage = log.filter((t) => t.key.startsWith('two-stage/'));
    expect(twoStage).toHaveLength(4);
    expect(twoStage.every((t) => t.resumed)).toBe(true);
    expect(log.filter((t) => !t.resumed)).toHaveLength(4);
    expect(read('baselines.json').twoStage.note).toMatch(/fits the budget as it is/);
  });

  it('is deterministic: same spec and seed give byte-identical artifacts on one thread or two', async () => {
    const one = await search(specWith(tiny), 'det-1', 1);
    const two = await search(specWith(tiny), 'det-2', 2);
    for (const file of ['trials.json', 'pareto.json', 'best-model.json', 'summary.md']) {
      expect(readFileSync(path.join(two.outDir, file)).equals(readFileSync(path.join(one.outDir, file))), file).toBe(true);
    }
  });

  it('resumes after kill -9: no finished trial is lost or run twice, and the result equals an uninterrupted run', async () => {
    const name = 'killed';
    const journalDir = path.join(scratch, `${name}-journal`);
    const journalPath = () => path.join(journalDir, readdirSync(journalDir)[0]);
    const script = path.join(scratch, 'run-search.ts');
    writeFileSync(
      script,
      `import { parseSpec } from '${path.join(__dirname, '../spec/load')}';
       import { runSearchStage } from '${path.join(__dirname, 'search')}';
       const spec = parseSpec(${JSON.stringify(`name: search-test\nboard: stm32f446ze\ndataset: sisfall\nseed: 7\nsearch:\n${tiny}`)}, 'experiment.yaml', { workspaceRoot: ${JSON.stringify(defaultWorkspaceRoot)} });
       runSearchStage({ experiment: spec.name, search: { ...spec.search, workers: 1 }, precision: spec.train.precision, seed: spec.seed, board: spec.boardDefinition,
         windowDir: ${JSON.stringify(windowDir)}, outDir: ${JSON.stringify(path.join(scratch, name))}, journalDir: ${JSON.stringify(journalDir)}, log: (l) => console.log(l) });`,
    );
    // Kill the search once two trials are journaled (line 1 is the header).
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', script], { cwd: defaultWorkspaceRoot });
      child.stdout.on('data', () => {
        if (existsSync(journalDir) && readdirSync(journalDir).length > 0 && readFileSync(journalPath(), 'utf8').split('\n').filter(Boolean).length >= 3) {
          child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolve());
    });
    expect(existsSync(path.join(scratch, name))).toBe(false); // no partial artifacts
    const journaled = readFileSync(journalPath(), 'utf8').split('\n').filter(Boolean).length - 1;
    expect(journaled).toBeGreaterThanOrEqual(2);
    expect(journaled).toBeLessThan(5);

    const resumed = await search(specWith(tiny), name);
    const log = readFileSync(path.join(resumed.outDir, 'run-log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.filter((t) => t.resumed)).toHaveLength(journaled);
    expect(log).toHaveLength(5);
    expect(new Set(log.map((t) => t.key)).size).toBe(5);
    const lines = readFileSync(journalPath(), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(6);

    const clean = await search(specWith(tiny), 'uninterrupted');
    for (const file of ['trials.json', 'best-model.json']) {
      expect(readFileSync(path.join(resumed.outDir, file)).equals(readFileSync(path.join(clean.outDir, file))), file).toBe(true);
    }
    expect(readdirSync(scratch).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
