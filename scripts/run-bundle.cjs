// What each bin wrapper (packages/*/bin/*.cjs) runs: its bundle, where the install layout
// (packages/core/src/install-layout.json) says the build put it. When it is not there (`npm
// install`, which builds the bundles in its prepare script, was skipped or failed): one sentence
// and exit 1, instead of Node's stack trace.
'use strict';
const { join, resolve } = require('node:path');
const INSTALL = require('../packages/core/src/install-layout.json');

/** `name`: the command, for the message; `bundle`: its key in the layout. */
module.exports = function runBundle(name, bundle) {
  const root = resolve(__dirname, '..');
  try {
    require(join(root, INSTALL[bundle]));
  } catch (error) {
    // Only the bundle itself missing: a module it requires that is missing is another failure.
    if (error?.code !== 'MODULE_NOT_FOUND' || error.requireStack?.[0] !== __filename) throw error;
    process.stderr.write(`${name}: bird is not built in ${root}: run \`npm install\` there.\n`);
    process.exitCode = 1;
  }
};
