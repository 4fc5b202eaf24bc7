// `npm run soak` (not part of CI's test suite): minutes of load against the sandbox with one-second
// tokens, random faults and tight rate limits at high concurrency. Prints requests, refreshes,
// failures by kind, lost requests (must be 0) and heap before/after; exits 1 if anything was lost.
//
// SOAK_SECONDS (default 120), SOAK_CONCURRENCY (default 64). CI runs a 3-second smoke of it.
import { createNextSchoolClient, gql } from '../dist/index.mjs';
import { startSandboxServer } from '../dist/testing.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS) || 120;
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY) || 64;
const GRACE_MS = 30_000;

const STUDENTS = gql`query Students($offset: Int) { students(limit: 3, offset: $offset) { id fullName } }`;
const gc = globalThis.gc ?? (() => {});
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const sandbox = await startSandboxServer({
  accessTtlMs: 1_000,
  rateLimits: { perUser: 400, perIp: 1_000_000, login: 5, windowMs: 1_000 },
  faults: { http500: 0.01, reset: 0.005, html: 0.005 },
  latencyMs: 2,
});
const ns = createNextSchoolClient({
  url: sandbox.url,
  username: sandbox.username,
  password: sandbox.password,
  retry: { retries: 2, retryDelay: (n) => 20 * 2 ** n },
  maxRateLimitWaits: 5,
});

gc();
const heapBefore = process.memoryUsage().heapUsed;
const started = Date.now();
const failures = new Map();
let issued = 0;
let answered = 0;
let failed = 0;
const pending = new Set();

async function worker() {
  while (Date.now() - started < SECONDS * 1000) {
    issued++;
    const call = ns.query(STUDENTS, { offset: issued % 50 });
    pending.add(call);
    try {
      await call;
      answered++;
    } catch (error) {
      failed++;
      const kind = error?.code ?? error?.name ?? 'unknown';
      failures.set(kind, (failures.get(kind) ?? 0) + 1);
    } finally {
      pending.delete(call);
    }
  }
}

const ticker = setInterval(() => {
  const s = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`  ${s.padStart(4)} s  issued ${issued}  answered ${answered}  failed ${failed}  in flight ${pending.size}  server: requests ${sandbox.stats.requests}, refreshes ${sandbox.stats.refreshes}, declined ${sandbox.stats.rateLimited}, faults ${sandbox.stats.faults}`);
}, Math.min(10_000, Math.max(1_000, SECONDS * 100)));

console.log(`soak: ${SECONDS} s, ${CONCURRENCY} concurrent callers, 1 s tokens, faults ~2%, ${400}/s per-user limit\n`);
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
clearInterval(ticker);

// Anything still pending after the grace period is lost: a request that never settled.
const lost = await Promise.race([
  Promise.allSettled([...pending]).then(() => 0),
  new Promise((resolve) => setTimeout(() => resolve(pending.size), GRACE_MS).unref()),
]);
await sandbox.close();
gc();
const heapAfter = process.memoryUsage().heapUsed;

console.log(`
  calls issued         ${issued}
  answered             ${answered}
  failed               ${failed}${failed ? `  (${[...failures].map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}
  lost                 ${lost}
  server requests      ${sandbox.stats.requests}
  logins / refreshes   ${sandbox.stats.logins} / ${sandbox.stats.refreshes}
  rate-limit declines  ${sandbox.stats.rateLimited} (waited out by the client: ${ns.auth.stats.rateLimited})
  injected faults      ${sandbox.stats.faults}
  heap before / after  ${mb(heapBefore)} / ${mb(heapAfter)}${globalThis.gc ? '' : '  (run with --expose-gc for comparable figures)'}
`);
if (lost !== 0 || issued !== answered + failed) {
  console.error('FAIL: requests were lost');
  process.exit(1);
}
