/**
 * Benchmark of the window stage on the flagship spec (projects/fall-esp32), printed as figures:
 *   npm run bench:window                         (uses NX_TINYML_DATASET_MIRROR when set: the full SisFall archive)
 * Each measurement runs in its own child process so its peak RSS is its own. Baselines: reading every extracted file
 * once (the I/O floor) and the adapter's parse alone; the warm window stage is reported as a multiple of the parse.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { getAdapter } from '../../packages/core/src/data/adapters';
import { ensureDataset } from '../../packages/core/src/data/fetch';
import { loadSpec } from '../../packages/core/src/spec/load';
import { runWindowStage } from '../../packages/core/src/stages/window';

const root = path.resolve(__dirname, '../..');
const specFile = path.join(root, 'projects/fall-esp32/experiment.yaml');

interface Measurement {
  seconds: number;
  maxRssMB: number;
  detail: string;
}

async function child(mode: string, dataDir: string, outDir: string): Promise<Measurement> {
  const env = { ...process.env, NX_TINYML_DATA_DIR: dataDir };
  const spec = await loadSpec(specFile, { workspaceRoot: root });
  const started = process.hrtime.bigint();
  let detail: string;
  if (mode === 'read') {
    const dataset = await ensureDataset(spec.dataset.name, { source: spec.dataset.source, url: spec.dataset.url, workspaceRoot: root, env });
    let bytes = 0;
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else bytes += readFileSync(full).length;
      }
    };
    walk(dataset.root);
    detail = `${(bytes / 1e6).toFixed(1)} MB of extracted files`;
  } else if (mode === 'parse') {
    const dataset = await ensureDataset(spec.dataset.name, { source: spec.dataset.source, url: spec.dataset.url, workspaceRoot: root, env });
    let samples = 0;
    for await (const recording of getAdapter(spec.dataset.name).recordings(dataset.root, { channels: spec.window.channels })) samples += recording.length;
    detail = `${samples} samples parsed`;
  } else {
    const manifest = await runWindowStage({
      experiment: spec.name,
      dataset: spec.dataset,
      window: spec.window,
      outDir,
      workspaceRoot: root,
      env,
    });
    detail =
      `${manifest.dataset.variant} archive, ${manifest.recordings.length} recordings, ${manifest.counts.windows} windows ` +
      `(${manifest.classes.map((c, i) => `${c} ${manifest.counts.perClass[i]}`).join(', ')}), payload ${(manifest.payload.bytes / 1e6).toFixed(1)} MB ` +
      `sha256 ${manifest.payload.sha256.slice(0, 16)}`;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, detail };
}

function runChild(mode: string, dataDir: string, outDir: string): Measurement {
  const out = execFileSync(process.execPath, ['-r', '@swc-node/register', __filename, '--child', mode, dataDir, outDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.toString().trim().split('\n').at(-1)!) as Measurement;
}

function main(): void {
  const scratch = mkdtempSync(path.join(tmpdir(), 'nxt-bench-'));
  const dataDir = path.join(scratch, 'data');
  try {
    const cold = runChild('window', dataDir, path.join(scratch, 'out-cold'));
    const read = runChild('read', dataDir, '');
    const parse = runChild('parse', dataDir, '');
    const warm = runChild('window', dataDir, path.join(scratch, 'out-warm'));
    const same =
      readFileSync(path.join(scratch, 'out-cold/windows.bin')).equals(readFileSync(path.join(scratch, 'out-warm/windows.bin'))) &&
      readFileSync(path.join(scratch, 'out-cold/windows.json')).equals(readFileSync(path.join(scratch, 'out-warm/windows.json')));
    const line = (name: string, m: Measurement) => `${name.padEnd(44)} ${m.seconds.toFixed(2).padStart(7)} s  ${m.maxRssMB.toFixed(0).padStart(5)} MB peak RSS`;
    console.log(`window stage benchmark: ${specFile.replace(`${root}/`, '')} (mirror: ${process.env.NX_TINYML_DATASET_MIRROR ?? 'none, committed sample'})`);
    console.log(line('cold: verify + extract + window', cold));
    console.log(line('baseline: read every extracted file once', read));
    console.log(line('baseline: adapter parse only (text -> float32)', parse));
    console.log(line('warm: window from the extracted cache', warm));
    console.log(`warm window / parse baseline: ${(warm.seconds / parse.seconds).toFixed(2)}x (resample, label, stats, write)`);
    console.log(`output: ${warm.detail}`);
    console.log(`deterministic (cold and warm outputs byte-identical): ${same ? 'yes' : 'NO'}`);
    if (!same) process.exitCode = 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [, , , mode, dataDir, outDir] = process.argv;
  child(mode, dataDir, outDir).then(
    (m) => console.log(JSON.stringify(m)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  main();
}
