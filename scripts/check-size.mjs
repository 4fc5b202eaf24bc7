// What the library weighs in a browser bundle, against its budgets and beside its peers (issue 12).
// Method, the same for everything measured: esbuild --bundle --minify (ESM, browser platform), axios
// external, everything else bundled (axios-retry, p-queue…), then gzip -9. Exits 1 over budget.
//
//   npm run size
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const KB = 1024;

const ours = [
  { name: 'attachTokenRefresh alone', code: "export { attachTokenRefresh } from './lib/index.ts';", budget: 10 * KB },
  { name: 'the whole main entry', code: "export * from './lib/index.ts';", budget: 14 * KB },
  { name: 'BrowserTokenStore (/browser)', code: "export { BrowserTokenStore } from './lib/browser/index.ts';", budget: 2.5 * KB },
];
// Peers, measured the same way when installed (devDependencies or dependencies of this package).
const peers = [
  { name: 'axios-auth-refresh', module: 'axios-auth-refresh', code: "export { default } from 'axios-auth-refresh';" },
  { name: 'axios-retry', module: 'axios-retry', code: "export { default } from 'axios-retry';" },
  { name: 'p-queue', module: 'p-queue', code: "export { default } from 'p-queue';" },
  { name: '@urql/exchange-auth', module: '@urql/exchange-auth', code: "export { authExchange } from '@urql/exchange-auth';" },
];

async function measure(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: root, sourcefile: 'size-entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['axios'],
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const installed = (name) => {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
};
const kb = (n) => `${(n / KB).toFixed(1)} KB`;
const rows = [];
let over = 0;
for (const item of ours) {
  const size = await measure(item.code);
  const ok = size.gzip <= item.budget;
  if (!ok) over++;
  rows.push([item.name, kb(size.min), kb(size.gzip), `${kb(item.budget)} ${ok ? 'ok' : 'OVER'}`]);
}
for (const peer of peers) {
  if (!installed(peer.module)) {
    rows.push([`${peer.name} (peer)`, '–', '–', 'not installed']);
    continue;
  }
  const size = await measure(peer.code);
  rows.push([`${peer.name} (peer)`, kb(size.min), kb(size.gzip), '']);
}

const header = ['bundle', 'minified', 'gzip -9', 'budget (gzip)'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
console.log('esbuild --bundle --minify, axios external, everything else bundled; gzip -9');
console.log(line(header));
for (const row of rows) console.log(line(row));
if (over) {
  console.error(`${over} bundle(s) over budget`);
  process.exit(1);
}
