import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { silentLog, type Log } from '../common/log';
import { buildExperimentReport } from '../report/build-report';

export interface ReportStageInput {
  experiment: string;
  /** `dist/experiments/<name>`: the stage folders the report reads. */
  experimentDir: string;
  /** Replaced atomically with report.html and report.json. */
  outDir: string;
  log?: Log;
}

/**
 * The `report` stage: one self-contained report.html (inline SVG plots, no script, no request) and report.json
 * from whatever stage outputs exist; a stage that has not run is shown as such, not an error.
 */
export async function runReportStage(input: ReportStageInput): Promise<{ shown: string[]; notRun: string[] }> {
  const log = input.log ?? silentLog;
  const report = await buildExperimentReport(input.experimentDir, input.experiment);
  await replaceDirAtomic(input.outDir, async (dir) => {
    await writeFile(path.join(dir, 'report.html'), report.html);
    await writeFile(path.join(dir, 'report.json'), `${canonicalJson(report.json, 1)}\n`);
  });
  const shown = report.json.sections.filter((s) => s.status === 'shown').map((s) => s.id);
  const notRun = report.json.sections.filter((s) => s.status !== 'shown').map((s) => s.id);
  log(`report: ${path.join(input.outDir, 'report.html')} (${shown.length} sections${notRun.length ? `; not run: ${notRun.join(', ')}` : ''})`);
  return { shown, notRun };
}
