#!/usr/bin/env node
// The bundle is built by `npm install` (the prepare script); without it, one sentence instead of a stack trace.
try {
  require('../dist/bird-capture.cjs');
} catch (error) {
  // Only the bundle itself missing: a module it requires that is missing is another failure.
  if (error?.code !== 'MODULE_NOT_FOUND' || error.requireStack?.[0] !== __filename) throw error;
  require('../../../scripts/not-built.cjs')('bird-capture', __filename);
}
