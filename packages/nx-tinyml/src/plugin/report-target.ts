import type { TargetConfiguration } from '@nx/devkit';
import type { TargetCode } from './executor-code';
import { codeInputs, type ExperimentIdentity } from './stage-inputs';

/**
 * `report`: renders whatever stage outputs exist. It has no dependsOn on purpose: a report must not start the
 * pipeline (hours of search and training on the full data) just to show what is there, and a stage that has not
 * run is a "not run" section, not an error. Since Nx then cannot hash the stages' outputs as dependent-task
 * outputs, a `runtime` input prints the sha256 of each file the report reads (or "absent"): a stage that reruns
 * with new results, or runs for the first time, changes the key; a stage rerun with identical output does not.
 * Run it after the stages (`nx run-many -t flash-test` then `-t report`, or `nx run <exp>:flash-test && nx run
 * <exp>:report`): in one `run-many -t flash-test report` Nx would not order them.
 */
export function reportTarget(experiment: ExperimentIdentity, outputRoot: string, code: TargetCode): TargetConfiguration {
  const experimentDir = `${outputRoot}/${experiment.name}`;
  return {
    executor: 'nx-tinyml:report',
    cache: true,
    inputs: [{ runtime: `node node_modules/nx-tinyml/bin/report-inputs.js ${experimentDir}` }, ...codeInputs(code)],
    outputs: [`{workspaceRoot}/${experimentDir}/report`],
    dependsOn: [],
    options: {},
    metadata: {
      description:
        'report.html (self-contained: inline SVG plots, no request) and report.json from whatever stage outputs exist; stages not run are shown as such.',
      technologies: ['nx-tinyml'],
    },
  };
}
