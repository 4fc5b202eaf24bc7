// Counts the run's passed, failed and skipped tests, writes them with the Node version to
// $JEST_SUMMARY_FILE (used by .ci/run for its closing line), and says out loud which tests were
// skipped and why: a skipped suite (e.g. the Redis tests without redis-server) must never pass for
// a green one unnoticed.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    /** file → { skipped, reasons } for each test file with skipped tests. */
    this.skipped = new Map();
  }

  onTestResult(_test, result) {
    const skipped = result.numPendingTests + result.numTodoTests;
    if (skipped === 0) return;
    // A suite that skips itself says why on the console (see spec/support/redis-server.ts).
    const reasons = (result.console ?? [])
      .filter((entry) => entry.type === 'warn' && /skipping/i.test(entry.message))
      .map((entry) => entry.message);
    this.skipped.set(path.relative(this.rootDir, result.testFilePath), { skipped, reasons });
  }

  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numTotalTests, numPendingTests, numTodoTests } = results;
    const numSkippedTests = numPendingTests + numTodoTests;
    if (numSkippedTests > 0) {
      const lines = [...this.skipped].map(
        ([file, { skipped, reasons }]) => `  ${file}: ${skipped} skipped${reasons.length ? ` (${[...new Set(reasons)].join('; ')})` : ''}`,
      );
      process.stderr.write(`\n${numSkippedTests} test${numSkippedTests === 1 ? '' : 's'} SKIPPED, not run:\n${lines.join('\n')}\n\n`);
    }
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    fs.writeFileSync(file, JSON.stringify({ numPassedTests, numFailedTests, numSkippedTests, numTotalTests, node: process.version }));
  }
}

module.exports = SummaryReporter;
