#!/usr/bin/env node
// Nx `runtime` input of each stage target: prints the canonical JSON of what the stage reads from the spec.
// Usage: stage-fingerprint <experiment.yaml> <stage>   (run from the workspace root, as Nx does)
'use strict';
require('@swc-node/register');
require('../src/cli/stage-fingerprint.ts');
