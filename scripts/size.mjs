// What the library weighs in a browser bundle, against its budgets and beside its peers (docs/browser.md, "weight").
// Method, the same for everything measured: what a front-end build gets from `import … from
// 'axios-graphql-refresh'` — esbuild --bundle --minify --platform=browser (so package.json's `browser`
// condition picks dist/browser-esm/, as webpack and Vite do), then gzip -9. Ours is measured twice:
// its OWN code (axios and the runtime dependencies p-queue and axios-retry external: an application
// shares them, as it shares axios), which the budgets and ceilings count, and in TOTAL
// (only axios external), what a bundle grows by when nothing else brings the dependencies. Ours is
// measured from dist/, so it must be built (check-size.mjs builds it when stale; `npm run bench`
// builds first). 1 KB = 1,000 bytes (the stricter reading of the budgets).
// Imported by scripts/check-size.mjs (`npm run size`, which exits 1 over budget) and by
// spec/bench/run.mjs (the size table of docs/benchmarks.md, where each budget is a target).

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
export const KB = 1000;

/**
 * Our bundles (imported by the package's own name, as an application does), their gzip budgets for
 * their own code (bytes: 12 KB and 14 KB) and their ceilings: what each weighed when the
 * ceiling was set, plus 2%. The budgets are targets (`npm run size`, the benchmark page); the
 * ceilings are the regression guard CI enforces (`npm run size -- --ceilings`) while the first two
 * budgets are not met (docs/browser.md, "weight").
 */
export const OURS = [
  {
    name: 'attachTokenRefresh alone',
    code: "export { attachTokenRefresh } from 'axios-graphql-refresh';",
    budget: 12 * KB,
    // 22,706 bytes own (ceiling: 22,682 plus 2%, when set). Before, 22,361: +345 for the refresh's
    // XSRF header read at once in a page (transport/xsrf-now.ts, and its value kept out of the
    // refresh's errors). Earlier, 21,990 → 22,177: the replays' cheaper path (configs copied by
    // copyConfig instead of a spread, the plain client for replays with no retry left, an answer's
    // verdict read once), which saves a herd of 10 about 9% of its CPU; then the held reads.
    // Earlier growth: pacing and admission (with its fast lane, and a browser's HTTP/1.1
    // connections learned from Resource Timing), the axios-retry glue, the refresh's own
    // connection, the shared rate budget's fallback share.
    ceiling: 23.1 * KB,
  },
  // 27,158 bytes own when set (+188 for the replays' cheaper path, as above): the GraphQL client's
  // coalescing (keys, per-caller copies) is most of the difference with attachTokenRefresh alone.
  { name: 'the whole main entry', code: "export * from 'axios-graphql-refresh';", budget: 14 * KB, ceiling: 27.7 * KB },
  // The store's fallbacks (localStorage, the version registry), the one-takeover Web Lock and lease, and
  // the intent records that keep a spent refresh token from being presented again weigh 5.1 KB (5,118
  // bytes: +24 for reading the localStorage record from the newest version a broadcast brought): over
  // the 2.5 KB budget, which is reported.
  {
    name: 'BrowserTokenStore (/browser)',
    code: "export { BrowserTokenStore } from 'axios-graphql-refresh/browser';",
    budget: 2.5 * KB,
    ceiling: 5.2 * KB,
  },
];

/** The runtime dependencies: external when our own code is measured, bundled in the total. */
export const DEPENDENCIES = ['p-queue', 'axios-retry'];

/**
 * Peers, measured the same way when installed (devDependencies or dependencies of this package).
 * `quoted`: the gzip size measured for it when the budgets were set (same method), shown, labelled as quoted, when the
 * package is not installed here — never mixed up with a measured figure.
 */
export const PEERS = [
  { name: 'axios-auth-refresh', module: 'axios-auth-refresh', code: "export { default } from 'axios-auth-refresh';", quoted: 1.0 * KB },
  { name: 'axios-retry', module: 'axios-retry', code: "export { default } from 'axios-retry';", quoted: 2.0 * KB },
  { name: 'p-queue', module: 'p-queue', code: "export { default } from 'p-queue';", quoted: 4.4 * KB },
  {
    name: '@urql/exchange-auth',
    module: '@urql/exchange-auth',
    code: "export { authExchange } from '@urql/exchange-auth';",
    quoted: 0.9 * KB,
  },
];
export const QUOTED_FROM = 'the measurement that set the budgets';
export const METHOD =
  'esbuild --bundle --minify --platform=browser (ESM, es2022), axios external (and, for our own code, p-queue and axios-retry), everything else bundled; gzip -9';

/**
 * Minified and gzip -9 bytes of `code` (an entry module, resolved from the package root), and the
 * file its import resolved to (`from`, relative to the package root); `external`: packages left out
 * besides axios.
 */
export async function measure(code, { stub = [], external = [] } = {}) {
  const result = await build({
    plugins: stub.length ? [stubbing(stub)] : [],
    metafile: true,
    stdin: { contents: code, resolveDir: root, sourcefile: 'size-entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['axios', ...external],
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  const from = result.metafile.inputs['size-entry.ts']?.imports.find((i) => !i.external)?.path;
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, from };
}

const installed = (name) => {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
};

/**
 * Measures every bundle. Ours: `{ name, min, gzip, budget, ok, peer: false }`. Peers:
 * `{ name, min, gzip, peer: true, installed: true }`, or, when not installed,
 * `{ name, peer: true, installed: false, quoted }` (no measured figure).
 */
export async function measureSizes() {
  const rows = [];
  for (const item of OURS) {
    const size = await measure(item.code, { external: DEPENDENCIES });
    const total = await measure(item.code);
    rows.push({
      name: item.name,
      ...size,
      totalMin: total.min,
      totalGzip: total.gzip,
      budget: item.budget,
      ok: size.gzip <= item.budget,
      ceiling: item.ceiling,
      underCeiling: size.gzip <= item.ceiling,
      peer: false,
    });
  }
  for (const peer of PEERS) {
    if (!installed(peer.module)) rows.push({ name: peer.name, peer: true, installed: false, quoted: peer.quoted });
    else rows.push({ name: peer.name, ...(await measure(peer.code)), peer: true, installed: true });
  }
  return rows;
}

/**
 * The behaviours `attachTokenRefresh` carries beyond its core (refresh once, hold, replay), each with
 * the modules of dist/browser-esm/ that hold it: what each weighs, for deciding what an opt-in import
 * would save (`npm run size -- --breakdown`; docs/browser.md, "Weight").
 */
export const BEHAVIOURS = [
  { name: 'replay rule for partial mutations (GraphQL lexer)', modules: ['documents/scan.mjs', 'policy/replay-safety.mjs'] },
  { name: 'single flight across processes and tabs (flight)', modules: ['session/flight.mjs'] },
  { name: 'NextSchool refresh as the default', modules: ['transport/refresh-mutation.mjs'] },
  { name: 'option validation', modules: ['config/options.mjs', 'config/validate.mjs'] },
  {
    name: 'rate-limit pacing and admission (p-queue glue, send budget)',
    modules: ['plugin/pacing.mjs', 'plugin/admission.mjs', 'session/budget.mjs'],
  },
  { name: 'transient retries (axios-retry glue)', modules: ['plugin/retry.mjs'] },
  { name: 'cancellation and timeouts while held', modules: ['util/cancel.mjs', 'util/timers.mjs'] },
  { name: 'herds sliced per event-loop turn', modules: ['util/turns.mjs'] },
  { name: 'token redaction from errors', modules: ['util/redact.mjs'] },
  { name: 'any order of interceptors, axios copy probe', modules: ['plugin/interceptor-order.mjs', 'plugin/axios-copy.mjs'] },
];

/** An esbuild plugin that replaces the named modules of dist/browser-esm/ by empty functions with the same exports. */
function stubbing(modules) {
  return {
    name: 'stub',
    setup(b) {
      b.onLoad({ filter: /browser-esm[\\/].*\.mjs$/ }, async (args) => {
        if (!modules.some((m) => args.path.replaceAll('\\', '/').endsWith(`browser-esm/${m}`))) return undefined;
        const source = await readFile(args.path, 'utf8');
        const names = [...source.matchAll(/export \{([^}]*)\}/g)].flatMap((m) =>
          m[1]
            .split(',')
            .map((x) =>
              x
                .trim()
                .split(/\s+as\s+/)
                .pop(),
            )
            .filter(Boolean),
        );
        return {
          contents: names.map((n) => (n === 'default' ? 'export default function () {}' : `export function ${n}() {}`)).join('\n'),
          loader: 'js',
        };
      });
    },
  };
}

/**
 * gzip bytes `attachTokenRefresh` alone saves without each behaviour of BEHAVIOURS (its modules
 * stubbed out; the bundle is measured, never run), and without all of them together.
 */
export async function breakdown() {
  const code = OURS[0].code;
  const external = DEPENDENCIES;
  const whole = (await measure(code, { external })).gzip;
  const rows = [];
  for (const b of BEHAVIOURS) rows.push({ name: b.name, saves: whole - (await measure(code, { stub: b.modules, external })).gzip });
  const bare = (await measure(code, { stub: BEHAVIOURS.flatMap((b) => b.modules), external })).gzip;
  return { whole, rows, withoutAll: bare, budget: OURS[0].budget };
}

/** "13.6 KB" (1 KB = 1,000 bytes). */
export const kb = (n) => `${(n / KB).toFixed(1)} KB`;
