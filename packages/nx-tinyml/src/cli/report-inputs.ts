import { reportInputsText } from '@nx-tinyml/core/report/report-inputs';

async function main(): Promise<void> {
  const [experimentDir] = process.argv.slice(2);
  if (!experimentDir) {
    process.stderr.write('usage: report-inputs <dist/experiments/<name>>\n');
    process.exit(2);
  }
  process.stdout.write(await reportInputsText(experimentDir));
}

void main();
