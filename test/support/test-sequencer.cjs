// The order jest starts test files in: longest first, so that the two workers finish together rather
// than one of them starting a minute-long file last. Jest does this itself from the durations its
// cache kept of the last run here. A clean checkout (CI) has none, and jest then goes by file size,
// which starts late the long files that are short to read (the worker heap proof, the fresh-machine
// test). So without a cached duration for every file, the files go in the order of the durations
// measured in test/support/test-durations.json; a file missing there is guessed from its size (the
// median of the measured files: 170 bytes of test a second, in that file's units).
// docs/development.md#ci
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const ROOT = path.resolve(__dirname, '..', '..');
const MEASURED = JSON.parse(fs.readFileSync(path.join(__dirname, 'test-durations.json'), 'utf8')).seconds;
const BYTES_PER_SECOND = 170;

class LongestFirst extends Sequencer {
  sort(tests) {
    if (tests.every((test) => this.time(test) !== undefined)) return super.sort(tests);
    const seconds = (test) => MEASURED[path.relative(ROOT, test.path).split(path.sep).join('/')] ?? fs.statSync(test.path).size / BYTES_PER_SECOND;
    return tests
      .map((test) => ({ test, seconds: seconds(test) }))
      .sort((a, b) => b.seconds - a.seconds)
      .map(({ test }) => test);
  }
}

module.exports = LongestFirst;
