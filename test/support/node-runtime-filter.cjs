// jest --filter for .ci/run's pass on its second Node.js line: every unit, medium and e2e file, and
// the integration files whose header says `@node-runtime:` (what of Node.js they exercise: signals
// and child processes, heap limits, sockets and HTTP parsing, streaming, native binaries). The other
// integration files assert SQL and GraphQL answers that run the same code paths, already executed
// on that line by the e2e tier, and run in full on the first line. docs/development.md#test-tiers
// Jest takes a --filter module's function from module.exports (an ES module's default is not unwrapped).
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('node:fs');
const path = require('node:path');

module.exports = async (testPaths) => ({
  filtered: testPaths.filter(
    (file) => !file.split(path.sep).includes('integration') || /^\s*(\/\/|\*) @node-runtime:/m.test(fs.readFileSync(file, 'utf8').slice(0, 4000)),
  ),
});
