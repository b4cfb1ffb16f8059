import { stageFingerprintText } from '@nx-tinyml/core/spec/fingerprint';
import { STAGES, type StageName } from '@nx-tinyml/core/stages/pipeline';

async function main(): Promise<void> {
  const [file, stage] = process.argv.slice(2);
  if (!file || !STAGES.includes(stage as StageName)) {
    process.stderr.write(`usage: stage-fingerprint <experiment.yaml> <${STAGES.join('|')}>\n`);
    process.exit(2);
  }
  process.stdout.write(`${await stageFingerprintText(file, stage as StageName, process.cwd())}\n`);
}

void main();
