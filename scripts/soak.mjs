// `npm run soak` (not part of CI's test suite): minutes of load against the sandbox with one-second
// tokens, random faults and tight rate limits at high concurrency. Prints requests, refreshes,
// failures by kind, lost requests (must be 0) and heap before/after; exits 1 if anything was lost.
//
// SOAK_SECONDS (default 120), SOAK_CONCURRENCY (default 64). CI runs a 3-second smoke of it.
// A run of the default length (or SOAK_WRITE=1) writes its figures into docs/reliability.md, between
// the soak markers, with the commit measured: the page never carries figures pasted by hand.
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gql } from '../dist/index.mjs';
import { createNextSchoolClient } from '../dist/nextschool.mjs';
import { startSandboxServer } from '../dist/testing.mjs';
import { measuredCommit } from '../spec/bench/report.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS) || 120;
const WRITE = process.env.SOAK_WRITE ? process.env.SOAK_WRITE === '1' : !process.env.SOAK_SECONDS;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOC = join(root, 'docs', 'reliability.md');
const START = '<!-- soak:start (written by scripts/soak.mjs; edits here are overwritten) -->';
const END = '<!-- soak:end -->';
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
  rateLimit: { intervalCap: 400, interval: 1_000 }, // the sandbox's limits above
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
      // What failed, so a failure in the figures can be explained (messages hold no token: the library redacts them).
      console.error(`  failure: ${kind}: ${String(error?.message).slice(0, 200)} (HTTP ${error?.response?.status ?? '-'})`);
    } finally {
      pending.delete(call);
    }
  }
}

// Heap after a forced GC at each quarter of the run: growth after warm-up shows as a rising series.
const heapSamples = [];
const quarters = [1, 2, 3].map((q) =>
  setTimeout(
    () => {
      gc();
      heapSamples.push({ atS: (SECONDS * q) / 4, bytes: process.memoryUsage().heapUsed });
    },
    (SECONDS * 1000 * q) / 4,
  ),
);
const ticker = setInterval(
  () => {
    const s = ((Date.now() - started) / 1000).toFixed(0);
    console.log(
      `  ${s.padStart(4)} s  issued ${issued}  answered ${answered}  failed ${failed}  in flight ${pending.size}  server: requests ${sandbox.stats.requests}, refreshes ${sandbox.stats.refreshes}, declined ${sandbox.stats.rateLimited}, faults ${sandbox.stats.faults}`,
    );
  },
  Math.min(10_000, Math.max(1_000, SECONDS * 100)),
);

console.log(`soak: ${SECONDS} s, ${CONCURRENCY} concurrent callers, 1 s tokens, faults ~2%, ${400}/s per-user limit\n`);
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
clearInterval(ticker);
quarters.forEach(clearTimeout);

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
const ok = lost === 0 && issued === answered + failed;
if (WRITE) writeFigures();
if (!ok) {
  console.error('FAIL: requests were lost');
  process.exit(1);
}

/** Replaces the text between the soak markers of docs/reliability.md with this run's figures. */
function writeFigures() {
  const n = (x) => x.toLocaleString('en');
  const commit = measuredCommit(execSync, root);
  const samples = [...heapSamples, { atS: SECONDS, bytes: heapAfter }];
  const growth = heapAfter - (heapSamples[0]?.bytes ?? heapAfter);
  const trend =
    Math.abs(growth) < 1024 * 1024
      ? 'flat after the first quarter (within 1 MB): warm-up, not growth'
      : `${growth > 0 ? '**grew**' : 'shrank'} by ${mb(Math.abs(growth))} after the first quarter`;
  const length = SECONDS % 60 === 0 ? `${SECONDS / 60}-minute` : `${SECONDS}-second`;
  const text = `${START}
The last ${length} run of \`${process.env.SOAK_SECONDS ? `SOAK_SECONDS=${SECONDS} ` : ''}npm run soak\` (${new Date().toISOString().slice(0, 10)}, ${CONCURRENCY} callers, ${os.cpus().length} × ${os.cpus()[0]?.model},
Node ${process.version}; ${commit.text}): ${n(issued)} calls, ${n(answered)} answered, ${n(failed)} failed${failed ? ` (${[...failures].map(([k, v]) => `${k} ${n(v)}`).join(', ')})` : ''},
**${n(lost)} lost**; ${n(sandbox.stats.requests)} requests reached the server, with ${n(sandbox.stats.faults)} injected faults and
${n(sandbox.stats.rateLimited)} rate-limit declines (${n(ns.auth.stats.rateLimited)} waited out by the client); ${n(sandbox.stats.logins)} login${sandbox.stats.logins === 1 ? '' : 's'} and
${n(sandbox.stats.refreshes)} refreshes. Heap after forced GC: ${mb(heapBefore)} before, then ${samples.map((x) => `${mb(x.bytes)} at ${x.atS} s`).join(', ')}${globalThis.gc ? '' : ' (without --expose-gc: not comparable)'};
${trend}.
${END}`;
  const doc = readFileSync(DOC, 'utf8');
  const from = doc.indexOf(START.slice(0, 18));
  const to = doc.indexOf(END);
  if (from < 0 || to < from) {
    console.error(`FAIL: docs/reliability.md has no soak markers (${START.slice(0, 18)}… ${END})`);
    process.exit(1);
  }
  writeFileSync(DOC, doc.slice(0, from) + text + doc.slice(to + END.length));
  console.log(`wrote the soak figures into docs/reliability.md (${commit.text})`);
}
