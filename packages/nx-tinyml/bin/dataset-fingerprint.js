#!/usr/bin/env node
// Nx `runtime` input of each window target: which dataset archive the stage will read, and whether it is intact.
// Usage: dataset-fingerprint <.nx/workspace-data/nx-tinyml/<project>/dataset-request.json>   (run from the workspace root, as Nx does)
'use strict';
// From the checkout the CLI runs from its TypeScript sources; the published package runs the compiled module.
if (require('node:fs').existsSync(require('node:path').join(__dirname, '../src/cli/dataset-fingerprint.js'))) {
  require('../src/cli/dataset-fingerprint.js');
} else {
  require('@swc-node/register');
  require('../src/cli/dataset-fingerprint.ts');
}
