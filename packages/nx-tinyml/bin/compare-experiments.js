#!/usr/bin/env node
// Experiments side by side, or each against a git base: see `compare-experiments --help` and the README.
'use strict';
// From the checkout the CLI runs from its TypeScript sources; the published package runs the compiled module.
if (require('node:fs').existsSync(require('node:path').join(__dirname, '../src/cli/compare.js'))) {
  require('../src/cli/compare.js');
} else {
  require('@swc-node/register');
  require('../src/cli/compare.ts');
}
