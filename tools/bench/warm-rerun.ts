/**
 * Warm-rerun benchmark (issue 14 item 5): how long Nx takes when there is nothing to do.
 *   npm run bench:warm                                  the working tree
 *   npm run bench:warm -- --baseline e9e37fd            the same figures for a commit too, side by side
 *   npm run bench:warm -- --runs 7 --keep               more runs; keep the temp workspaces
 *   npm run bench:warm -- --daemon                      also with the Nx daemon on (after one warm-up command)
 * Each variant runs in a fresh copy of the repository (tools/bench/bench-workspace.ts) with fall-esp32's search and
 * training shrunk (the settings of the stages e2e test) so priming the cache takes minutes, not hours: the warm
 * figures do not depend on them. Then, daemon off as in CI (NX_DAEMON=false): `nx run fall-esp32:flash-test` with
 * all six tasks from the cache, `nx show projects`, and the cached run through npx. Figures per command: wall seconds (median and best of the
 * runs), CPU seconds of the processes Nx waited for (user + system, from /proc/self/stat), and for `nx run` the "Run
 * duration" Nx reports itself. The machine is shared: the load average is printed with each variant.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { copyWorkspace, editFile, removeWorkspace } from './bench-workspace';

const repoRoot = path.resolve(__dirname, '../..');
const EXPERIMENT = 'fall-esp32';
const TASKS = 6;

interface Timing {
  wallSeconds: number;
  cpuSeconds: number;
  output: string;
  status: number | null;
}

interface Figures {
  label: string;
  loadBefore: string;
  loadAfter: string;
  rows: { command: string; wall: number[]; cpu: number[]; nxReported: number[] }[];
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds of this process's children that have been waited for (cutime + cstime). */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // after "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function timed(root: string, command: string, args: string[], daemon = false): Timing {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      NX_DAEMON: daemon ? 'true' : 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      FORCE_COLOR: '0',
      NX_TINYML_DATA_DIR: path.join(repoRoot, '.data/datasets'),
      NX_TINYML_DATASET_MIRROR: '',
    },
    maxBuffer: 1 << 28,
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { wallSeconds, cpuSeconds: childrenCpuSeconds() - cpuBefore, output: `${result.stdout}${result.stderr}`, status: result.status };
}

const nxBin = (root: string) => path.join(root, 'node_modules/nx/dist/bin/nx.js');
const nx = (root: string, ...args: string[]) => timed(root, process.execPath, [nxBin(root), ...args]);
const nxWithDaemon = (root: string, ...args: string[]) => timed(root, process.execPath, [nxBin(root), ...args], true);

/** The stages e2e test's small search and cascade: the pipeline primes in a few minutes on the committed sample. */
function shrinkTraining(root: string): void {
  editFile(root, `projects/${EXPERIMENT}/experiment.yaml`, (t) =>
    t
      .replace(
        /search:\n( {2}.*\n)+/,
        'search:\n  space: cnn1d\n  strategy: successive-halving\n  trials: 3\n  epochs: 2\n  maxTrainWindows: 1000\n  maxValidationWindows: 1000\n  baselines:\n    twoStage: false\n    unweighted: false\n',
      )
      .replace(
        /train-cascade:\n( {2}.*\n)+/,
        'train-cascade:\n  exits: 3\n  events: [fall]\n  epochs: 2\n  maxTrainWindows: 1500\n  maxValidationWindows: 1000\n  baselines: { softmax: false, ensemble: false, tta: false, evidential: false }\n  robustness: { noise: [1], missing: [1], maxWindows: 300 }\n',
      ),
  );
}

function measure(label: string, root: string, runs: number, daemon: boolean): Figures {
  shrinkTraining(root);
  process.stderr.write(`[${label}] priming: nx run ${EXPERIMENT}:flash-test (cold) in ${root}\n`);
  const prime = nx(root, 'run', `${EXPERIMENT}:flash-test`);
  if (prime.status !== 0) throw new Error(`[${label}] priming failed:\n${prime.output}`);
  process.stderr.write(`[${label}] primed in ${prime.wallSeconds.toFixed(0)} s\n`);
  const loadBefore = loadAverage();
  const fullyCached = (output: string) => {
    if (!new RegExp(`from the cache instead of running the command for ${TASKS} out of ${TASKS} tasks`).test(output)) {
      throw new Error(`[${label}] not a fully cached run:\n${output}`);
    }
  };
  const commands: { command: string; run: () => Timing; check?: (output: string) => void }[] = [
    { command: `nx run ${EXPERIMENT}:flash-test`, run: () => nx(root, 'run', `${EXPERIMENT}:flash-test`), check: fullyCached },
    { command: 'nx show projects', run: () => nx(root, 'show', 'projects') },
    { command: `npx nx run ${EXPERIMENT}:flash-test`, run: () => timed(root, 'npx', ['nx', 'run', `${EXPERIMENT}:flash-test`]), check: fullyCached },
  ];
  if (daemon) {
    nxWithDaemon(root, 'show', 'projects'); // starts the daemon: its first graph is not what a warm rerun pays
    commands.push(
      { command: `nx run ${EXPERIMENT}:flash-test (daemon on)`, run: () => nxWithDaemon(root, 'run', `${EXPERIMENT}:flash-test`), check: fullyCached },
      { command: 'nx show projects (daemon on)', run: () => nxWithDaemon(root, 'show', 'projects') },
    );
  }
  const rows: Figures['rows'] = [];
  for (const { command, run, check } of commands) {
    const row = { command, wall: [] as number[], cpu: [] as number[], nxReported: [] as number[] };
    for (let i = 0; i < runs; i++) {
      const timing = run();
      if (timing.status !== 0) throw new Error(`[${label}] ${command} failed:\n${timing.output}`);
      check?.(timing.output);
      row.wall.push(timing.wallSeconds);
      row.cpu.push(timing.cpuSeconds);
      const reported = /Run duration:\s+([\d.]+)(m?s)/.exec(timing.output);
      if (reported) row.nxReported.push(reported[2] === 'ms' ? Number(reported[1]) / 1000 : Number(reported[1]));
    }
    rows.push(row);
  }
  return { label, loadBefore, loadAfter: loadAverage(), rows };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (values: number[]) => (values.length === 0 ? '–' : `${median(values).toFixed(2)} (best ${Math.min(...values).toFixed(2)})`);

function print(all: Figures[], runs: number): void {
  console.log(`\nwarm rerun, NX_DAEMON=false unless marked, ${runs} runs each; seconds, median (best)\n`);
  console.log('| variant | command | wall s | CPU s (user+sys) | Nx-reported s |');
  console.log('|---|---|---|---|---|');
  for (const figures of all) {
    for (const row of figures.rows)
      console.log(`| ${figures.label} | \`${row.command}\` | ${seconds(row.wall)} | ${seconds(row.cpu)} | ${seconds(row.nxReported)} |`);
  }
  console.log('');
  for (const figures of all) console.log(`${figures.label}: load average ${figures.loadBefore} before, ${figures.loadAfter} after`);
}

function main(): void {
  const runs = Number(argument('--runs') ?? 5);
  const baseline = argument('--baseline');
  const keep = process.argv.includes('--keep');
  const daemon = process.argv.includes('--daemon');
  const variants: { label: string; source: Parameters<typeof copyWorkspace>[0] }[] = [];
  if (baseline) variants.push({ label: `baseline ${baseline}`, source: { commit: baseline } });
  variants.push({ label: 'working tree', source: 'working-tree' });
  const all: Figures[] = [];
  for (const variant of variants) {
    const root = copyWorkspace(variant.source);
    try {
      all.push(measure(variant.label, root, runs, daemon));
    } finally {
      if (keep) process.stderr.write(`[${variant.label}] kept ${root}\n`);
      else removeWorkspace(root);
    }
  }
  print(all, runs);
}

main();
