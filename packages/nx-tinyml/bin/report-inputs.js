#!/usr/bin/env node
// Nx `runtime` input of each `report` target: the sha256 of every stage output the report reads ("absent" if none).
// Usage: report-inputs <dist/experiments/<name>>   (run from the workspace root, as Nx does)
'use strict';
// From the checkout the CLI runs from its TypeScript sources; the published package runs the compiled module.
if (require('node:fs').existsSync(require('node:path').join(__dirname, '../src/cli/report-inputs.js'))) {
  require('../src/cli/report-inputs.js');
} else {
  require('@swc-node/register');
  require('../src/cli/report-inputs.ts');
}
