import { readdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isUserError, UserError } from '@nx-tinyml/core/common/errors';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runNewDataEvaluation, runPredict } from '@nx-tinyml/core/evaluate/predict';
import { loadSpec } from '@nx-tinyml/core/spec/load';
import type { NormalizedSpec } from '@nx-tinyml/core/spec/types';
import { skimSpec } from '../plugin/create-nodes';
import { configuredOutputRoot } from '../plugin/output-root';

const USAGE = `usage:
  tinyml evaluate-data <experiment> --data <folder> [--out <dir>] [--float-only]
  tinyml predict <experiment> --data <folder> --recording <name> [--format csv|jsonl] [--out <file>] [--float-only]`;

/** The spec of the experiment project named `name` (projects/<folder>/experiment.yaml with that name). */
async function findSpec(root: string, name: string): Promise<NormalizedSpec> {
  const projects = path.join(root, 'projects');
  const folders = existsSync(projects) ? readdirSync(projects) : [];
  const folder = folders.find(
    (f) => existsSync(path.join(projects, f, 'experiment.yaml')) && skimSpec(path.join(projects, f, 'experiment.yaml'), `projects/${f}`).name === name,
  );
  if (!folder) throw new UserError(`no experiment named ${JSON.stringify(name)} under projects/ (run from the workspace root)`);
  return loadSpec(`projects/${folder}/experiment.yaml`, { workspaceRoot: root });
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      recording: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      out: { type: 'string' },
      'float-only': { type: 'boolean', default: false },
    },
  });
  const [command, experiment] = positionals;
  if (!command || !experiment || !values.data || !['evaluate-data', 'predict'].includes(command)) throw new UserError(USAGE);
  const root = process.cwd();
  const spec = await findSpec(root, experiment);
  const dist = path.join(configuredOutputRoot(root), spec.name);
  const models = { cascadeDir: path.join(dist, 'train-cascade'), quantizeDir: values['float-only'] ? null : path.join(dist, 'quantize') };
  const data = path.resolve(values.data);
  if (!existsSync(data)) throw new UserError(`${values.data}: no such folder`);
  if (command === 'evaluate-data') {
    const outDir = path.resolve(values.out ?? path.join(dist, 'evaluate-data', path.basename(data)));
    await runNewDataEvaluation({ spec, models, folder: data, outDir, log: consoleLog });
    consoleLog(`evaluate-data: wrote ${path.relative(root, outDir)}/report.json and manifest.json`);
    return;
  }
  if (!values.recording) throw new UserError(`predict needs --recording <name>, e.g. SA01/F05_SA01_R01\n${USAGE}`);
  if (values.format !== 'csv' && values.format !== 'jsonl') throw new UserError(`--format must be csv or jsonl, got ${JSON.stringify(values.format)}`);
  const outFile = path.resolve(values.out ?? path.join(dist, 'predict', `${values.recording.replace(/[\\/]/g, '_')}.${values.format}`));
  const rows = await runPredict({ spec, models, folder: data, recording: values.recording, format: values.format, outFile });
  consoleLog(`predict: ${rows.length} windows of ${values.recording} → ${path.relative(root, outFile)}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (isUserError(error) || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`tinyml: ${(error as Error).message}\n`);
    process.exit(1);
  }
  throw error;
});
