#!/usr/bin/env node
// Runs the bundle `npm install` built (the prepare script); without it, one sentence instead of a stack trace.
require('../../../scripts/run-bundle.cjs')('bird', 'cliBundle');
