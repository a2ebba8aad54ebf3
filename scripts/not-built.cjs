// What a bin wrapper (packages/*/bin/*.cjs) says when its bundle is not there: `npm install`,
// which builds the bundles (the prepare script), was skipped or failed. One sentence and exit 1,
// instead of Node's stack trace. Loaded only then, so a normal start pays nothing for it.
'use strict';
const { resolve } = require('node:path');

/** `wrapper`: the wrapper's own __filename, packages/<pkg>/bin/<name>.cjs in the clone. */
module.exports = function notBuilt(name, wrapper) {
  const clone = resolve(wrapper, '..', '..', '..', '..');
  process.stderr.write(`${name}: bird is not built in ${clone}: run \`npm install\` there.\n`);
  process.exitCode = 1;
};
