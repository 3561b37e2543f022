#!/usr/bin/env node
'use strict';
/**
 * Rewrites the README's environment tables from the programs' tables in packages/common/src/config/
 * (run after `tsc -b`); a unit test fails while the README and the tables disagree.
 */
const fs = require('node:fs');
const path = require('node:path');
const { withEnvironmentTables } = require('../packages/common/dist/src/config/readme-environment');

const README = path.resolve(__dirname, '..', 'README.md');
const before = fs.readFileSync(README, 'utf8');
const after = withEnvironmentTables(before);
if (after !== before) fs.writeFileSync(README, after);
console.log(after === before ? 'README.md: environment tables up to date' : 'README.md: environment tables rewritten');
