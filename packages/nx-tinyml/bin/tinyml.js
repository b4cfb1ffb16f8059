#!/usr/bin/env node
// The trained models on recordings that are not the pinned archive. Run from the workspace root:
//   node node_modules/nx-tinyml/bin/tinyml.js evaluate-data <experiment> --data <folder> [--out <dir>] [--float-only]
//   node node_modules/nx-tinyml/bin/tinyml.js predict <experiment> --data <folder> --recording <name> [--format csv|jsonl] [--out <file>] [--float-only]
'use strict';
// From the checkout the CLI runs from its TypeScript sources; the published package runs the compiled module.
if (require('node:fs').existsSync(require('node:path').join(__dirname, '../src/cli/tinyml.js'))) {
  require('../src/cli/tinyml.js');
} else {
  require('@swc-node/register');
  require('../src/cli/tinyml.ts');
}
