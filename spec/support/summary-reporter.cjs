// Writes the run's pass/fail counts to $JEST_SUMMARY_FILE (used by .ci/run for its closing line).
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    const { numPassedTests, numFailedTests, numTotalTests } = results;
    fs.writeFileSync(file, JSON.stringify({ numPassedTests, numFailedTests, numTotalTests }));
  }
}

module.exports = SummaryReporter;
