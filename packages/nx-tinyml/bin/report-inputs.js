#!/usr/bin/env node
// Nx `runtime` input of each `report` target: the sha256 of every stage output the report reads ("absent" if none).
// Usage: report-inputs <dist/experiments/<name>>   (run from the workspace root, as Nx does)
'use strict';
require('@swc-node/register');
require('../src/cli/report-inputs.ts');
