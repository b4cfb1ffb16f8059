import { stageFingerprintText } from '@nx-tinyml/core/spec/fingerprint';
import { EVALUATE_STAGE, STAGES, type FingerprintedStage } from '@nx-tinyml/core/stages/pipeline';

const FINGERPRINTED: readonly string[] = [...STAGES, EVALUATE_STAGE];

async function main(): Promise<void> {
  const [file, stage] = process.argv.slice(2);
  if (!file || !FINGERPRINTED.includes(stage)) {
    process.stderr.write(`usage: stage-fingerprint <experiment.yaml> <${FINGERPRINTED.join('|')}>\n`);
    process.exit(2);
  }
  process.stdout.write(`${await stageFingerprintText(file, stage as FingerprintedStage, process.cwd())}\n`);
}

void main();
