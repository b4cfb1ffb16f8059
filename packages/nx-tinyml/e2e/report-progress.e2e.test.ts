import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheHit, TempWorkspace } from './temp-workspace';

/** Progress lines and the report target through the real nx CLI, in a copy of the repository. */
let ws: TempWorkspace;
beforeAll(() => {
  // Lines every 300 ms instead of 10 s, so a short search prints several.
  ws = new TempWorkspace({ NX_TINYML_PROGRESS_INTERVAL_MS: '300' });
  ws.edit('projects/fall-esp32/experiment.yaml', (t) =>
    t.replace(
      /search:\n(  .*\n)+/,
      'search:\n  space: cnn1d\n  strategy: random\n  trials: 2\n  epochs: 2\n  workers: 1\n  maxTrainWindows: 1000\n  maxValidationWindows: 1000\n  baselines:\n    twoStage: false\n    unweighted: false\n',
    ),
  );
});
afterAll(() => ws?.dispose());

const PROGRESS = /^search: trials \d+\/2 \(\d+ %\), [\dms ]+ elapsed(, ETA [^\n]+)?$/m;

describe('progress under nx run', () => {
  it('reaches the terminal in the default output style, as the task runs', async () => {
    const run = await ws.nx('run', 'fall-esp32:search');
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(PROGRESS);
    expect(run.output).toMatch(/^search: trials 2\/2 \(100 %\)/m);
  }, 300_000);

  it('reaches the terminal in the static style too, before Nx prints the captured task output at its end', async () => {
    rmSync(path.join(ws.root, 'dist/.journals'), { recursive: true, force: true }); // or the trials are replayed
    // Nx's stdout and stderr on one real pipe, as in a terminal or a CI log (a Node parent would give it sockets).
    const piped = await execa('bash', ['-c', 'node node_modules/nx/dist/bin/nx.js run fall-esp32:search --outputStyle=static --skip-nx-cache 2>&1 | cat'], {
      cwd: ws.root,
      reject: false,
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', NX_TINYML_DATASET_MIRROR: undefined, ...ws.env },
    });
    const run = { exitCode: piped.exitCode, output: piped.stdout };
    expect(run.exitCode, run.output).toBe(0);
    const firstProgress = run.output.search(PROGRESS);
    const taskOutput = run.output.indexOf('search: 2 cnn1d candidates');
    expect(firstProgress, run.output).toBeGreaterThanOrEqual(0);
    // Static style buffers the task's own output until it ends; a progress line printed earlier was live.
    expect(firstProgress, run.output).toBeLessThan(taskOutput);
  }, 300_000);
});

describe('the report target', () => {
  it('renders what has run, shows the rest as not run, and is cached on the content of the outputs it reads', async () => {
    const first = await ws.nx('run', 'fall-esp32:report');
    expect(first.exitCode, first.output).toBe(0);
    expect(first.output).toMatch(
      /report: .*dist\/experiments\/fall-esp32\/report\/report\.html \(3 sections; not run: cascade, quantize, firmware, evaluate\)/,
    );
    const report = JSON.parse(ws.read('dist/experiments/fall-esp32/report/report.json'));
    expect(report.sections.map((s: { status: string }) => s.status)).toEqual(['shown', 'shown', 'shown', 'not-run', 'not-run', 'not-run', 'not-run']);
    expect(cacheHit((await ws.nx('run', 'fall-esp32:report')).output)).toBe(true);
    const pareto = path.join(ws.root, 'dist/experiments/fall-esp32/search/pareto.json');
    writeFileSync(pareto, `${readFileSync(pareto, 'utf8')}\n`);
    expect(cacheHit((await ws.nx('run', 'fall-esp32:report')).output)).toBe(false);
  }, 300_000);
});
