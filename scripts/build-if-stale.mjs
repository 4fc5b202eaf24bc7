// Builds dist/ only when it is missing or older than the sources (npm ci already built it through
// `prepare`), so `npm run demo` starts at once instead of rebuilding every time, and CI builds once.
// `--check` builds nothing: exits 0 when dist/ is up to date, 1 when it is stale or missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const newest = (path) => {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
};
const outputs = [
  'index.mjs',
  'index.cjs',
  'nextschool.mjs',
  'nextschool.cjs',
  'testing.mjs',
  'redis.mjs',
  'browser.mjs',
  'browser-esm/index.mjs',
  'browser-esm/browser/index.mjs',
  'sandbox-cli.mjs',
].map((f) => join(root, 'dist', f));
const built = outputs.every((f) => existsSync(f)) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
const sources = Math.max(newest(join(root, 'lib')), newest(join(root, 'rollup.config.mjs')), newest(join(root, 'package.json')));
if (process.argv.includes('--check')) process.exit(built < sources ? 1 : 0);
if (built < sources) {
  const run = spawnSync('npm', ['run', 'build', '--silent', '--', '--silent'], { cwd: root, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
