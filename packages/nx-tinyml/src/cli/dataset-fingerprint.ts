import { readFileSync } from 'node:fs';
import { datasetFingerprintText } from '@nx-tinyml/core/data/dataset-fingerprint';
import type { NormalizedDataset } from '@nx-tinyml/core/spec/types';

async function main(): Promise<void> {
  const [requestFile] = process.argv.slice(2);
  if (!requestFile) {
    process.stderr.write('usage: dataset-fingerprint <dataset-request.json>\n');
    process.exit(2);
  }
  let request: NormalizedDataset | null = null;
  try {
    request = JSON.parse(readFileSync(requestFile, 'utf8')) as NormalizedDataset | null;
  } catch {
    // not written yet: keyed as "no dataset"; the window executor then refuses to run (see verifyHashedParams)
  }
  process.stdout.write(`${await datasetFingerprintText(request, process.cwd())}\n`);
}

void main();
