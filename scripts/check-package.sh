#!/usr/bin/env bash
# Checks the package as users get it: packs dist/, installs the tarball into a throwaway project,
# then require()s and imports it, and runs publint --strict and @arethetypeswrong/cli on it.
# It packs the dist/ that is there (built once by `npm ci`, or now if it is stale) instead of letting
# `npm pack` rebuild it through `prepare`: that a fresh clone builds through `prepare` by itself is
# what scripts/check-git-install.sh checks.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

node scripts/build-if-stale.mjs
rm -rf .tmp/pack && mkdir -p .tmp/pack/consumer
tarball=$(npm pack --ignore-scripts --silent --pack-destination .tmp/pack 2>/dev/null | tail -1)
tar tzf ".tmp/pack/$tarball" | grep -x 'package/dist/index.cjs' >/dev/null || { echo "npm pack made a tarball without dist/" >&2; exit 1; }
echo "== packed $tarball ($(du -h ".tmp/pack/$tarball" | cut -f1))"
tar tzf ".tmp/pack/$tarball" | sed 's/^/   /'
unexpected=$(tar tzf ".tmp/pack/$tarball" | grep -vE '^package/(dist/.+\.(mjs|cjs|d\.ts|d\.cts)|([a-z]+/)?package\.json|README\.md|LICENSE)$' || true)
if [ -n "$unexpected" ]; then
  echo "unexpected files in the tarball: $unexpected" >&2
  exit 1
fi
# The main entry runs in browsers and edge runtimes: no Node built-ins, no Buffer, and never graphql.
main_files="dist/index.mjs dist/index.cjs dist/browser.mjs dist/browser.cjs $(find dist/browser-esm -name '*.mjs') $(grep -ohE "chunks/[^'\"]+" dist/index.mjs dist/index.cjs dist/browser.mjs dist/browser.cjs | sort -u | sed 's#^#dist/#')"
if grep -nE "from 'node:|require\('node:|\bBuffer\.|from 'graphql'|require\('graphql'\)|ioredis" $main_files; then
  echo "the main entry imports something Node-only or graphql" >&2
  exit 1
fi
echo "== main entry and /browser: no Node built-ins, no graphql"
# p-queue ships ES modules only, which require() cannot load before Node 20.19: the CommonJS build bundles it.
if grep -nE "require\('(p-queue|p-timeout|eventemitter3)'\)" dist/*.cjs dist/chunks/*.cjs; then
  echo "the CommonJS build requires an ESM-only package instead of bundling it" >&2
  exit 1
fi
grep -q 'Copyright (c) Sindre Sorhus' dist/chunks/*.cjs || { echo "the CommonJS build lost p-queue's MIT notice" >&2; exit 1; }
echo "== CommonJS build: p-queue bundled with its notice, nothing ESM-only required"
# And a browser bundle of it (esbuild, as a front-end build would make it) resolves nothing from Node.
npx esbuild dist/index.mjs --bundle --platform=browser --format=esm --external:axios --external:axios-retry --log-level=error --outfile=.tmp/pack/browser-bundle.mjs
if grep -nE "from ?\"node:|require\(\"node:|import\(\"node:" .tmp/pack/browser-bundle.mjs; then
  echo "the browser bundle of the main entry pulls in a Node module" >&2
  exit 1
fi
echo "== main entry bundles for browsers (esbuild --platform=browser): nothing from Node"

cd .tmp/pack/consumer
echo '{ "name": "consumer", "private": true, "version": "0.0.0" }' > package.json
npm install --no-audit --no-fund --prefer-offline "../$tarball" axios@1 graphql@16 ioredis@5 >/dev/null

cat > check.cjs <<'JS'
const assert = require('node:assert');
const lib = require('axios-graphql-refresh');
for (const name of ['attachTokenRefresh', 'createGraphQLClient', 'gql', 'MemoryTokenStore', 'SessionExpiredError', 'TokenRefreshError', 'LoginError', 'GraphQLRequestError', 'isSessionExpiredError']) {
  assert.ok(lib[name], `require: missing export ${name}`);
}
assert.strictEqual(lib.default, undefined, 'no default export');
const axios = require('axios');
const handle = lib.attachTokenRefresh(axios.create({ baseURL: 'https://example.test/' }), { tokens: { accessToken: 'a' } });
assert.strictEqual(typeof handle.detach, 'function');
assert.strictEqual(lib.gql`query A { a }`.operationName, 'A');
const { startSandboxServer } = require('axios-graphql-refresh/testing');
assert.strictEqual(typeof require('axios-graphql-refresh/redis').RedisTokenStore, 'function');
// /browser loads (and constructs) in Node too, as it does during server-side rendering: no browser API is touched before use.
const { BrowserTokenStore } = require('axios-graphql-refresh/browser');
assert.deepStrictEqual(JSON.parse(JSON.stringify(new BrowserTokenStore({ key: 'k' }))), { key: 'k' });
(async () => {
  const sandbox = await startSandboxServer({ rateLimits: false });
  const ns = require('axios-graphql-refresh/nextschool').createNextSchoolClient({ url: sandbox.url, username: sandbox.username, password: sandbox.password });
  assert.strictEqual((await ns.students({ limit: 2 })).length, 2);
  sandbox.expireAccessTokens();
  assert.ok(await ns.student(1));
  assert.deepStrictEqual([sandbox.stats.logins, sandbox.stats.refreshes], [1, 1]);
  await sandbox.close();
  console.log('require() ok (main entry, /nextschool, /testing, NextSchool client against the sandbox)');
})().catch((error) => { console.error(error); process.exit(1); });
JS
cat > check.mjs <<'JS'
import assert from 'node:assert';
import axios from 'axios';
import { attachTokenRefresh, gql, MemoryTokenStore, isTokenRefreshError, TokenRefreshError } from 'axios-graphql-refresh';
const handle = attachTokenRefresh(axios.create({ baseURL: 'https://example.test/' }), { tokens: new MemoryTokenStore({ accessToken: 'a' }) });
assert.deepStrictEqual(Object.keys(handle.stats).sort(), ['logins', 'paced', 'queued', 'rateLimited', 'refreshes', 'replays', 'sessionExpired', 'waiting']);
assert.ok(isTokenRefreshError(new TokenRefreshError('x')));
assert.strictEqual(gql`{ a }`.source, '{ a }');
const { startSandboxServer } = await import('axios-graphql-refresh/testing');
const { createNextSchoolClient } = await import('axios-graphql-refresh/nextschool');
assert.strictEqual((await import('axios-graphql-refresh')).createNextSchoolClient, undefined, 'the preset is not in the main entry');
assert.strictEqual(typeof (await import('axios-graphql-refresh/redis')).RedisTokenStore, 'function');
assert.strictEqual(typeof (await import('axios-graphql-refresh/browser')).BrowserTokenStore, 'function');
const sandbox = await startSandboxServer({ rateLimits: false });
const ns = createNextSchoolClient({ url: sandbox.url, username: sandbox.username, password: sandbox.password });
assert.strictEqual((await ns.teachers({ limit: 3 })).length, 3);

// The dual build loaded twice in one process (ESM and CJS copies): one store still means one refresh,
// and each copy's guards recognise the other's errors.
const { createRequire } = await import('node:module');
const cjs = createRequire(import.meta.url)('axios-graphql-refresh');
const esm = await import('axios-graphql-refresh');
assert.notStrictEqual(cjs.attachTokenRefresh, esm.attachTokenRefresh);
const login = await axios.post(sandbox.url, { query: 'mutation { login(username: "demo", password: "demo-password") { accessToken refreshToken } }' });
const shared = new esm.MemoryTokenStore(login.data.data.login);
const viaEsm = axios.create({ baseURL: sandbox.url });
const viaCjs = axios.create({ baseURL: sandbox.url });
esm.attachTokenRefresh(viaEsm, { tokens: shared });
cjs.attachTokenRefresh(viaCjs, { tokens: shared });
sandbox.expireAccessTokens();
const refreshesBefore = sandbox.stats.refreshes;
const q = { query: '{ students(limit: 1) { id } }' };
const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? viaEsm : viaCjs).post('', q)));
assert.ok(answers.every((a) => a.data.data.students.length === 1));
assert.strictEqual(sandbox.stats.refreshes - refreshesBefore, 1, 'one refresh across both copies');
assert.ok(esm.isSessionExpiredError(new cjs.SessionExpiredError()) && cjs.isLoginError(new esm.LoginError('x')));
await sandbox.close();
console.log('import ok (main entry, /testing, NextSchool client against the sandbox; ESM + CJS copies share one refresh)');
JS
cat > check.ts <<'TS'
import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, gql, type TokenRefreshHandle } from 'axios-graphql-refresh';
import { Redis } from 'ioredis';
import { RedisTokenStore } from 'axios-graphql-refresh/redis';
import { BrowserTokenStore, type BrowserTokenStoreOptions } from 'axios-graphql-refresh/browser';
const browserOptions: BrowserTokenStoreOptions = { key: 'app' };
export const inTabs = attachTokenRefresh(axios.create(), { tokens: new BrowserTokenStore(browserOptions) });
export const shared = new RedisTokenStore({ redis: new Redis({ lazyConnect: true }), key: 'app:tokens' });
const api = axios.create();
const auth: TokenRefreshHandle = attachTokenRefresh(api, { maxReplays: 2 });
const q = gql<{ students: Array<{ id: number }> }, { limit: number }>`query S($limit: Int) { students(limit: $limit) { id } }`;
export async function run(): Promise<number> {
  const data = await createGraphQLClient(api).query(q, { limit: 1 });
  await api.get('/', { skipAuthRefresh: true });
  auth.detach();
  return data.students[0]!.id;
}
TS
node check.cjs
# As on Node 20.0–20.18, where require() cannot load an ES module (p-queue): the CommonJS build must not need it.
if node --no-experimental-require-module -e '' 2>/dev/null; then
  node --no-experimental-require-module -e "try { require('p-queue'); process.exit(1) } catch (e) { if (e.code !== 'ERR_REQUIRE_ESM') throw e }"
  node --no-experimental-require-module check.cjs
  echo "== require() ok without require(esm), as on Node 20 before 20.19"
fi
node check.mjs

# The `browser` condition (dist/browser-esm, docs/browser.md "weight"): a front-end build of the
# installed package resolves it, and the bundle refreshes against the sandbox like the Node build.
cat > browser-entry.mjs <<'JS'
export { attachTokenRefresh } from 'axios-graphql-refresh';
export { createNextSchoolClient } from 'axios-graphql-refresh/nextschool';
export { BrowserTokenStore } from 'axios-graphql-refresh/browser';
JS
"$root/node_modules/.bin/esbuild" browser-entry.mjs --bundle --platform=browser --format=esm --external:axios --metafile=browser-meta.json --log-level=error --outfile=browser-bundle.mjs
node -e "const m=require('./browser-meta.json'); const ins=Object.keys(m.inputs); if (!ins.some((f)=>f.includes('dist/browser-esm/'))||ins.some((f)=>/dist\/(index|browser)\.mjs|diagnostics\.mjs|chunks\//.test(f))) { console.error('the browser condition did not resolve to dist/browser-esm:', ins.filter((f)=>f.includes('dist'))); process.exit(1); }"
cat > check-browser-build.mjs <<'JS'
import assert from 'node:assert';
import axios from 'axios';
import { createNextSchoolClient } from './browser-bundle.mjs';
const { startSandboxServer } = await import('axios-graphql-refresh/testing');
const sandbox = await startSandboxServer({ rateLimits: false });
const ns = createNextSchoolClient({ url: sandbox.url, username: sandbox.username, password: sandbox.password, axios: axios.create() });
assert.strictEqual((await ns.students({ limit: 2 })).length, 2);
sandbox.expireAccessTokens();
await Promise.all([ns.student(1), ns.student(2), ns.student(3)]);
assert.deepStrictEqual([sandbox.stats.logins, sandbox.stats.refreshes], [1, 1]);
await sandbox.close();
console.log('browser condition ok (esbuild --platform=browser resolves dist/browser-esm; one refresh for three requests)');
JS
node check-browser-build.mjs
echo '{ "compilerOptions": { "strict": true, "noEmit": true, "module": "NodeNext", "moduleResolution": "NodeNext", "skipLibCheck": false, "types": [] }, "files": ["check.ts"] }' > tsconfig.json
"$root/node_modules/.bin/tsc" -p . && echo "types (NodeNext) ok"

cd "$root"
npx publint --strict ".tmp/pack/$tarball"
npx attw ".tmp/pack/$tarball" --format table-flipped
echo "== package checks passed"
