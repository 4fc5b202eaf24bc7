import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The suite runs on the oldest and the newest Node the package supports (.ci/run): the test name
// says which Node ran it, and it fails on a Node older than `engines` allows or other than the one
// CI asked for (EXPECT_NODE_MAJOR, set by scripts/test-on-node.sh).

const major = Number(process.versions.node.split('.')[0]);
const engines = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).engines.node as string;
const expected = process.env.EXPECT_NODE_MAJOR;

describe('the Node.js that runs the suite', () => {
  it(`is ${process.version}: within engines (${engines})${expected ? `, and Node ${expected} as CI asked` : ''}`, () => {
    expect(engines).toMatch(/^>=\d+$/);
    expect(major).toBeGreaterThanOrEqual(Number(engines.slice(2)));
    if (expected) expect(major).toBe(Number(expected));
  });
});
