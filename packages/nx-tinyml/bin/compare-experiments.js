#!/usr/bin/env node
// Experiments side by side, or each against a git base: see `compare-experiments --help` and the README.
'use strict';
require('@swc-node/register');
require('../src/cli/compare.ts');
