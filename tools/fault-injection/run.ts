/**
 * Fault injection: hostile things a careful but unlucky user does, run through the real nx CLI on the committed
 * SisFall / ECG5000 samples in a temp copy of this workspace (tiny search settings), each outcome classified:
 *
 *   clear error       the run failed with a message naming what is wrong (no stack trace, bounded length)
 *   correct recovery  the run succeeded and its result is the right one
 *   silent            the run succeeded but did something wrong without saying so (a poisoned or wasted result)
 *   stale             the run succeeded with an old result, or left an old result beside a failure
 *   stack trace       a stack trace reached the user
 *   lost trials       finished trials were lost or a journal was damaged
 *
 * Prints a table; exits non-zero when any case is silent, stale, a stack trace, lost trials, or not the outcome
 * it should have. `npm run faults` (also in .ci/run). KEEP_FAULTS_WORKSPACE=1 keeps the temp workspace.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { TrialJournal } from '../../packages/core/src/search/journal';
import { TempWorkspace, type NxResult } from '../../packages/nx-tinyml/e2e/temp-workspace';

type Outcome = 'clear error' | 'correct recovery' | 'silent' | 'stale' | 'stack trace' | 'lost trials';
const BAD: readonly Outcome[] = ['silent', 'stale', 'stack trace', 'lost trials'];

interface Case {
  name: string;
  expected: Outcome;
  run: () => Promise<{ outcome: Outcome; detail: string }>;
}

const FAULTS_SPEC = (name: string, search: string) => `name: ${name}
board: esp32-s2
dataset: sisfall
seed: 7
window:
  sampleRateHz: 100
  lengthSeconds: 1.2
  overlap: 0.5
search:
${search}`;
const TINY_SEARCH = `  space: cnn1d
  strategy: random
  trials: 4
  epochs: 2
  maxTrainWindows: 600
  maxValidationWindows: 600
  workers: 2
  baselines:
    twoStage: false
    unweighted: false
`;
// Long enough to still be running when the second run starts on any machine: early stopping is out of reach
// (patience = epochs), so each trial trains all its epochs; the next case kills it long before the end.
const LONG_SEARCH = TINY_SEARCH.replace('trials: 4', 'trials: 64')
  .replace('epochs: 2', 'epochs: 40\n  patience: 40')
  .replace(/maxTrainWindows: \d+/, 'maxTrainWindows: 4000');

const STACK_LINE = /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/m;

function main(): Promise<void> {
  return runSuite().then((failed) => process.exit(failed ? 1 : 0));
}

async function runSuite(): Promise<boolean> {
  const started = Date.now();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nx-tinyml-faults-data-'));
  const ws = new TempWorkspace({ NX_TINYML_DATA_DIR: dataDir });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`fault injection in ${ws.root}`);
  for (const project of readdirSync(path.join(ws.root, 'projects'))) rmSync(path.join(ws.root, 'projects', project), { recursive: true, force: true });
  ws.write('projects/faults/experiment.yaml', FAULTS_SPEC('faults', TINY_SEARCH));
  ws.write('projects/faults-long/experiment.yaml', FAULTS_SPEC('faults-long', LONG_SEARCH));
  ws.commit('fault-injection projects');

  const spec = 'projects/faults/experiment.yaml';
  const searchDir = path.join(ws.root, 'dist/experiments/faults/search');
  const windowDir = path.join(ws.root, 'dist/experiments/faults/window');
  const journalDir = path.join(ws.root, 'dist/.journals/faults');
  const runLog = () =>
    readFileSync(path.join(searchDir, 'run-log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { resumed: boolean });
  const trained = () => runLog().filter((t) => !t.resumed).length;
  const journals = () =>
    existsSync(journalDir)
      ? readdirSync(journalDir)
          .filter((f) => f.endsWith('.jsonl'))
          .map((f) => path.join(journalDir, f))
      : [];
  const payloadSha = () => (JSON.parse(readFileSync(path.join(windowDir, 'windows.json'), 'utf8')) as { payload: { sha256: string } }).payload.sha256;

  const first = await ws.nx('run', 'faults:search');
  if (first.exitCode !== 0) throw new Error(`the baseline search failed:\n${first.output}`);
  const baselineTrials = runLog().length;
  // The journal of the code under test; later cases (an engine edit) add journals of other code beside it.
  const [baselineJournal] = journals().filter((f) => !f.includes('.r'));
  const baselinePayload = payloadSha();

  const longJournals = path.join(ws.root, 'dist/.journals/faults-long');
  const longTrialLines = () =>
    existsSync(longJournals)
      ? readdirSync(longJournals).reduce((n, f) => n + readFileSync(path.join(longJournals, f), 'utf8').split('\n').filter(Boolean).length - 1, 0)
      : 0;
  let wrapper: ChildProcess | undefined;

  const cases: Case[] = [
    {
      name: 'engine change (Adam β1 in train/adam.ts), then search',
      expected: 'correct recovery',
      run: async () => {
        const adam = 'packages/core/src/train/adam.ts';
        const before = ws.read(adam);
        ws.edit(adam, (t) => t.replace('beta1 ?? 0.9', 'beta1 ?? 0.85'));
        try {
          const result = await ws.nx('run', 'faults:search');
          if (result.exitCode !== 0) return failure(result, /./);
          const n = trained();
          return n === baselineTrials
            ? { outcome: 'correct recovery', detail: `all ${n} trials retrained by the new code` }
            : { outcome: 'stale', detail: `${n}/${baselineTrials} trials retrained; the rest replayed from the old code's journal` };
        } finally {
          ws.write(adam, before);
        }
      },
    },
    {
      name: 'comment-only edit in train/, then search',
      expected: 'correct recovery',
      run: async () => {
        const adam = 'packages/core/src/train/adam.ts';
        const before = ws.read(adam);
        ws.write(adam, `// a comment only\n${before}`);
        try {
          const result = await ws.nx('run', 'faults:search');
          if (result.exitCode !== 0) return failure(result, /./);
          const n = trained();
          return n === 0
            ? { outcome: 'correct recovery', detail: `Nx reran search; all ${runLog().length} trials replayed, none retrained` }
            : { outcome: 'silent', detail: `${n} trials retrained for a comment` };
        } finally {
          ws.write(adam, before);
        }
      },
    },
    {
      name: 'one corrupt byte in a journal line, then search',
      expected: 'correct recovery',
      run: async () => {
        const journal = baselineJournal;
        const lines = readFileSync(journal, 'utf8').split('\n');
        // line 2 is the first trial: change one digit of its validation loss (still valid JSON)
        const before = lines[1];
        lines[1] = lines[1].replace(/("validationLoss":\d\.\d)(\d)/, (_, head: string, digit: string) => `${head}${(Number(digit) + 1) % 10}`);
        if (lines[1] === before) throw new Error(`${journal}: line 2 has no validationLoss digit to corrupt; the case cannot run`);
        writeFileSync(journal, lines.join('\n'));
        const result = await ws.nx('run', 'faults:search', '--skip-nx-cache');
        if (result.exitCode !== 0) return failure(result, /./);
        const n = trained();
        if (n === 0) return { outcome: 'silent', detail: 'the corrupt trial was replayed' };
        if (n > 1) return { outcome: 'lost trials', detail: `${n} trials retrained after one bad line` };
        return /line 2 damaged \(checksum mismatch\); skipped/.test(result.output)
          ? { outcome: 'correct recovery', detail: 'warned, skipped the bad line, retrained 1 trial, replayed the rest' }
          : { outcome: 'silent', detail: 'retrained one trial without a warning' };
      },
    },
    {
      name: 'two concurrent runs of the same search',
      expected: 'clear error',
      run: async () => {
        // the first run is the long search, started the way a user would (npx → sh -c → nx); it keeps running for
        // the next case, which kills its wrapper
        wrapper = spawn(
          'sh',
          ['-c', `"${process.execPath}" "${path.join(ws.root, 'node_modules/nx/dist/bin/nx.js')}" run faults-long:search --skip-nx-cache; true`],
          {
            cwd: ws.root,
            stdio: 'ignore',
            env: { ...process.env, ...ws.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_TINYML_DATASET_MIRROR: '' },
          },
        );
        if (!(await until(() => longTrialLines() >= 1, 240_000))) return { outcome: 'silent', detail: 'the first run journaled no trial within 4 minutes' };
        const second = await ws.nx('run', 'faults-long:search', '--skip-nx-cache', '--excludeTaskDependencies');
        // a first run that ended before the second began proves nothing about the lock: the case could not run
        if (wrapper.exitCode !== null) throw new Error(`the long search ended before the second run did (exit ${wrapper.exitCode}); make LONG_SEARCH longer`);
        if (second.exitCode === 0) return { outcome: 'lost trials', detail: 'both runs trained the same search at once' };
        return failure(second, /faults-long:search is already running \(pid \d+, since /);
      },
    },
    {
      name: 'killing the sh -c wrapper of `nx run … search`',
      expected: 'correct recovery',
      run: async () => {
        if (!wrapper) return { outcome: 'silent', detail: 'no run to kill' };
        wrapper.kill('SIGKILL');
        const gone = await until(() => processesIn(ws.root).length === 0, 15_000);
        const left = processesIn(ws.root);
        for (const pid of left) process.kill(pid, 'SIGKILL');
        const linesAfter = longTrialLines();
        await delay(2000);
        if (!gone) return { outcome: 'silent', detail: `orphans kept running: pids ${left.join(', ')}` };
        const warnings: string[] = [];
        for (const file of readdirSync(longJournals).map((f) => path.join(longJournals, f))) {
          TrialJournal.open(file, (JSON.parse(readFileSync(file, 'utf8').split('\t')[0]) as { header: unknown }).header, (m) => warnings.push(m)).close();
        }
        if (warnings.length > 0) return { outcome: 'lost trials', detail: warnings.join('; ') };
        return longTrialLines() === linesAfter
          ? { outcome: 'correct recovery', detail: 'nx, the executor and its trainers ended within seconds; journal intact and no longer written' }
          : { outcome: 'silent', detail: 'the journal was still written after the kill' };
      },
    },
    {
      name: 'damaged file in the extracted dataset, then window',
      expected: 'correct recovery',
      run: async () => {
        const [extraction] = readdirSync(dataDir).filter((d) => d.startsWith('sisfall-sample-'));
        const manifest = JSON.parse(readFileSync(path.join(dataDir, extraction, 'MANIFEST.json'), 'utf8')) as { files: { path: string }[] };
        const victim = path.join(dataDir, extraction, manifest.files.find((f) => f.path.endsWith('.txt') && /F\d\d/.test(f.path))!.path);
        writeFileSync(victim, readFileSync(victim, 'utf8').replace(/\d/g, '9'));
        const result = await ws.nx('run', 'faults:window', '--skip-nx-cache');
        if (result.exitCode !== 0) return failure(result, /./);
        if (payloadSha() !== baselinePayload) return { outcome: 'silent', detail: 'windows built from the damaged file' };
        return /no longer matches MANIFEST\.json; extracting the archive again/.test(result.output)
          ? { outcome: 'correct recovery', detail: 'noticed, re-extracted, windows identical to the clean run' }
          : { outcome: 'silent', detail: 'windows right but nothing said' };
      },
    },
    {
      name: 'corrupt archive under the same name while window is cached',
      expected: 'clear error',
      run: async () => {
        const archive = 'tools/datasets/samples/sisfall-sample.tar.xz';
        const good = readFileSync(path.join(ws.root, archive));
        const bad = Buffer.from(good);
        bad[bad.length >> 1] ^= 0xff;
        writeFileSync(path.join(ws.root, archive), bad);
        try {
          return judgeError(await ws.nx('run', 'faults:window'), /archive .*sisfall-sample\.tar\.xz is corrupt/);
        } finally {
          writeFileSync(path.join(ws.root, archive), good);
        }
      },
    },
    {
      name: '1e999 in a dataset file (ECG5000 sample rebuilt with it)',
      expected: 'clear error',
      run: async () => {
        const unpacked = mkdtempSync(path.join(tmpdir(), 'nx-tinyml-faults-ecg-'));
        try {
          const sample = path.join(ws.root, 'tools/datasets/samples/ecg5000-sample.tar.xz');
          spawnSync('tar', ['-xJf', sample, '-C', unpacked]);
          const [root] = readdirSync(unpacked);
          const train = path.join(unpacked, root, 'ECG5000_TRAIN.txt');
          const rows = readFileSync(train, 'utf8').split('\n');
          rows[2] = rows[2].replace(/(\S+\s+)(\S+)/, '$11e999');
          writeFileSync(train, rows.join('\n'));
          spawnSync('tar', ['-cJf', sample, '-C', unpacked, root]);
          const bytes = readFileSync(sample);
          ws.edit('tools/datasets/ecg5000.json', (t) => {
            const entry = JSON.parse(t) as { sample: { sha256: string; bytes: number } };
            entry.sample.sha256 = createHash('sha256').update(bytes).digest('hex');
            entry.sample.bytes = bytes.length;
            return `${JSON.stringify(entry, null, 2)}\n`;
          });
          ws.write('projects/faults-ecg/experiment.yaml', 'name: faults-ecg\nboard: stm32f446ze\ndataset: ecg5000\n');
          return judgeError(await ws.nx('run', 'faults-ecg:window'), /ECG5000_TRAIN\.txt:3: "1e999" is not a finite number/);
        } finally {
          rmSync(unpacked, { recursive: true, force: true });
        }
      },
    },
    {
      name: 'stage fails after an earlier success (bad spec value)',
      expected: 'clear error',
      run: async () => {
        const before = ws.read(spec);
        ws.edit(spec, (t) => t.replace('overlap: 0.5', 'overlap: 1.5'));
        try {
          const result = await ws.nx('run', 'faults:window');
          if (result.exitCode === 0) return { outcome: 'silent', detail: 'accepted overlap 1.5' };
          if (existsSync(windowDir)) return { outcome: 'stale', detail: 'the previous window store is still in dist/ beside the failure' };
          return judgeError(result, /experiment\.yaml:\d+:\d+: window\.overlap/);
        } finally {
          ws.write(spec, before);
        }
      },
    },
    {
      name: 'temp folders left by a kill -9 (extraction, atomic write, QEMU log)',
      expected: 'correct recovery',
      run: async () => {
        const dead = spawnSync('true').pid;
        const planted = [
          path.join(dataDir, `.sisfall-sample-000000000000.tmp-${dead}-1`),
          path.join(ws.root, `dist/experiments/faults/.window.tmp-${dead}-1`),
          path.join(tmpdir(), `nx-tinyml-qemu-${dead}-AbCdEf`),
        ];
        for (const dir of planted) {
          mkdirSync(dir, { recursive: true });
          writeFileSync(path.join(dir, 'junk'), 'x'.repeat(1 << 16));
        }
        const result = await ws.nx('run', 'faults:window', '--skip-nx-cache');
        if (result.exitCode !== 0) return failure(result, /./);
        const left = planted.filter((dir) => existsSync(dir));
        for (const dir of left) rmSync(dir, { recursive: true, force: true });
        return left.length === 0
          ? { outcome: 'correct recovery', detail: `${planted.length} stale temp folders swept` }
          : { outcome: 'stale', detail: `left: ${left.join(', ')}` };
      },
    },
    {
      name: 'labels.classes: [nonexistent]',
      expected: 'clear error',
      run: async () => {
        const before = ws.read(spec);
        ws.edit(spec, (t) => t.replace('  overlap: 0.5\n', '  overlap: 0.5\n  labels:\n    classes: [nonexistent]\n'));
        try {
          return judgeError(
            await ws.nx('run', 'faults:window'),
            /experiment\.yaml:\d+:\d+: window\.labels\.classes\[0\]: unknown class "nonexistent"; known sisfall labels: adl, fall/,
          );
        } finally {
          ws.write(spec, before);
        }
      },
    },
    {
      name: 'a 2 MB scalar in the spec',
      expected: 'clear error',
      run: async () => {
        const before = ws.read(spec);
        ws.edit(spec, (t) => t.replace('board: esp32-s2', `board: ${'x'.repeat(2 << 20)}`));
        try {
          const result = await ws.nx('run', 'faults:window');
          if (result.output.length > 20_000) return { outcome: 'silent', detail: `the error output is ${result.output.length} characters` };
          return judgeError(result, /experiment\.yaml:\d+:\d+: board/);
        } finally {
          ws.write(spec, before);
        }
      },
    },
    {
      name: 'project-name clash between two specs',
      expected: 'clear error',
      run: async () => {
        ws.write('projects/faults-twin/experiment.yaml', `# a copy\n${ws.read(spec)}`);
        try {
          return judgeError(
            await ws.nx('show', 'projects'),
            /projects\/faults\/experiment\.yaml:1:7 and projects\/faults-twin\/experiment\.yaml:2:7 both name the experiment "faults"/,
          );
        } finally {
          rmSync(path.join(ws.root, 'projects/faults-twin'), { recursive: true, force: true });
        }
      },
    },
    {
      name: 'plugin option outputRoot',
      expected: 'correct recovery',
      run: async () => {
        const before = ws.read('nx.json');
        ws.edit('nx.json', (t) =>
          t.replace('"plugins": ["./packages/nx-tinyml"]', '"plugins": [{ "plugin": "./packages/nx-tinyml", "options": { "outputRoot": "out/ml" } }]'),
        );
        try {
          const result = await ws.nx('run', 'faults:window');
          const written = path.join(ws.root, 'out/ml/faults/window/windows.json');
          if (result.exitCode !== 0) return failure(result, /./);
          if (!existsSync(written)) return { outcome: 'silent', detail: 'nothing written under out/ml' };
          rmSync(path.join(ws.root, 'out'), { recursive: true });
          const again = await ws.nx('run', 'faults:window');
          return again.exitCode === 0 && existsSync(written) && /read the output from the cache/.test(again.output)
            ? { outcome: 'correct recovery', detail: 'written to out/ml/faults/window and restored there from the Nx cache' }
            : { outcome: 'silent', detail: 'the cache restored nothing to out/ml' };
        } finally {
          ws.write('nx.json', before);
          rmSync(path.join(ws.root, 'out'), { recursive: true, force: true });
        }
      },
    },
  ];

  const results: { name: string; expected: Outcome; outcome: Outcome; detail: string; seconds: number }[] = [];
  for (const c of cases) {
    const t = Date.now();
    let result: { outcome: Outcome; detail: string };
    try {
      result = await c.run();
    } catch (error) {
      result = { outcome: 'stack trace', detail: `the suite itself failed: ${(error as Error).stack?.split('\n').slice(0, 3).join(' ')}` };
    }
    results.push({ name: c.name, expected: c.expected, ...result, seconds: (Date.now() - t) / 1000 });
    log(`${result.outcome === c.expected && !BAD.includes(result.outcome) ? 'ok  ' : 'FAIL'} ${c.name}: ${result.outcome} — ${result.detail}`);
  }

  log('');
  log('| case | expected | outcome | detail | s |');
  log('|---|---|---|---|---:|');
  for (const r of results)
    log(
      `| ${r.name} | ${r.expected} | ${r.outcome === r.expected ? r.outcome : `**${r.outcome}**`} | ${r.detail.replace(/\|/g, '\\|')} | ${r.seconds.toFixed(0)} |`,
    );
  const counts = new Map<Outcome, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  log('');
  log(
    (['clear error', 'correct recovery', 'silent', 'stale', 'stack trace', 'lost trials'] as Outcome[]).map((o) => `${o}: ${counts.get(o) ?? 0}`).join(', ') +
      ` — ${results.length} cases in ${((Date.now() - started) / 1000).toFixed(0)} s (wall; plus a baseline search)`,
  );
  const failed = results.some((r) => BAD.includes(r.outcome) || r.outcome !== r.expected);
  // whatever a failed case left running in the workspace (processes this suite started)
  for (const pid of processesIn(ws.root)) process.kill(pid, 'SIGKILL');
  if (process.env.KEEP_FAULTS_WORKSPACE) log(`kept ${ws.root}`);
  else {
    ws.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return failed;
}

/** A failed run: a clear error when it says what `pattern` expects without a stack trace, else a stack trace. */
function judgeError(result: NxResult, pattern: RegExp): { outcome: Outcome; detail: string } {
  if (result.exitCode === 0) return { outcome: 'silent', detail: 'exit 0' };
  return failure(result, pattern);
}

function failure(result: NxResult, pattern: RegExp): { outcome: Outcome; detail: string } {
  if (STACK_LINE.test(result.output)) return { outcome: 'stack trace', detail: firstLine(result.output, STACK_LINE) };
  if (!pattern.test(result.output)) return { outcome: 'silent', detail: `exit ${result.exitCode} without the expected message: ${tailOf(result.output)}` };
  return { outcome: 'clear error', detail: firstLine(result.output, pattern) };
}

function firstLine(output: string, pattern: RegExp): string {
  const line = output.split('\n').find((l) => pattern.test(l)) ?? '';
  return line
    .trim()
    .replace(/^nx-tinyml /, '')
    .slice(0, 200);
}

function tailOf(output: string): string {
  return output.trim().split('\n').slice(-3).join(' / ').slice(0, 300);
}

/** pids of processes running in (or with a command line naming) `dir`, this process excluded. */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // a zombie waiting for its parent
      if (cmdline.includes(dir) || readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) pids.push(pid);
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const t = Date.now(); Date.now() - t < timeoutMs; await delay(250)) if (condition()) return true;
  return condition();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

void main();
