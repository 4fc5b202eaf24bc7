// `npm run bench`: runs every scenario against real HTTP servers on 127.0.0.1, each in its own process
// (the lean spec/bench/server.mjs; graphql-server.mjs, graphql-js through graphql-yoga; the package's
// sandbox for the rate limits, paced.mjs; Chromium for the browser scenario, browser.mjs), for this
// library and its peers in one run, then writes docs/benchmarks.md and
// the SVG charts in docs/bench/. Every target the page states is checked here (TARGETS, below): the
// page lists each with its measured figure, and a missed one makes the run exit 1 after writing the
// page. Every sentence comparing figures is computed from them. The page names the commit measured.
// BENCH_SMOKE=1: tiny sizes; every check runs and the page is composed, but nothing is written, and
// speed/memory targets (meaningless at those sizes and on a shared CI machine), the size budgets
// (gated by `npm run size`) and the goals the library is still being built to meet (request counts
// with a bounded pool, declines and answers under a rate limit) are reported, not enforced: the smoke
// checks that every scenario runs and every request settles (CI runs that). BENCH_ENFORCE_ALL=1
// enforces them anyway; BENCH_PAGE_OUT=<file> writes a smoke run's page there.
import { execSync, fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureSizes, QUOTED_FROM, METHOD as SIZE_METHOD, kb as sizeKb } from '../../scripts/size.mjs';
import { WARM as BROWSER_WARM, browserHerds } from './browser.mjs';
import { floorHerd } from './floor.mjs';
import { minimumMs, paced } from './paced.mjs';
import { browserSection, graphqlHerdSection, pacedSection, poolSection } from './pages.mjs';
import { barChart, lineChart, measuredCommit, median, medianInterval, ms, speedWord, spread, table, whereN } from './report.mjs';
import { herd, herdCpu, isolated, memory, OVERHEAD_CPU, overhead, proactive, rateLimit } from './scenarios.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const SMOKE = process.env.BENCH_SMOKE === '1';
// overhead.memory/http: runs per client; a run is `blocks` blocks of `block` queries (in memory a run
// takes ≥ 100 ms at full size), the clients' blocks interleaved; warm-up queries per client.
// stall: the herd whose event-loop stall is compared.
const P = SMOKE
  ? {
      ns: [10, 50],
      runs: () => 1,
      overhead: { memory: { runs: 3, blocks: 4, block: 50, warmup: 200 }, http: { runs: 1, blocks: 2, block: 50, warmup: 50 } },
      stall: { n: 200, runs: 2 },
      waiting: 500,
      proactiveMs: 2_500,
      rlWindowMs: 400,
      rlLimit: 10,
      rlBurst: 30,
      pool: { n: 100, maxSockets: 8, rounds: 1, window: 2 },
      browser: { n: 10, rounds: 1, window: 2 },
      paced: { perUser: 5, windowMs: 500, one: 12, processes: 3, each: 4, preset: 10 },
    }
  : {
      ns: [10, 100, 1_000, 5_000],
      // A small herd takes milliseconds and this machine's noise is as large as the gap measured at
      // N = 10: more rounds there, so the median's verdict does not hang on a few noisy runs.
      runs: (n) => (n >= 1_000 ? 3 : n >= 100 ? 15 : 31),
      overhead: { memory: { runs: 31, blocks: 30, block: 50, warmup: 3_000 }, http: { runs: 9, blocks: 8, block: 50, warmup: 500 } },
      stall: { n: 5_000, runs: 5 },
      waiting: 10_000,
      proactiveMs: 10_000,
      rlWindowMs: 3_000,
      rlLimit: 60,
      rlBurst: 200,
      // Bounded pool: a herd of n on a pool of maxSockets; rounds of an unloaded refresh and a loaded one
      // (and beside them, the loaded one with an admission window of `window` requests).
      pool: { n: 1_000, maxSockets: 64, rounds: 7, window: 2 },
      // Browser: one tab, a herd of n through Chromium's 6 connections per host; rounds as the pool's.
      browser: { n: 50, rounds: 7, window: 2 },
      // Rate limits against the sandbox: its limits scaled to perUser per windowMs; `one` queries from one
      // process; `processes` × `each` on one RedisTokenStore; `preset` queries against the documented limits.
      paced: { perUser: 20, windowMs: 2_000, one: 100, processes: 3, each: 40, preset: 75 },
    };
const BATCHES = [1, 50]; // overhead: one request at a time, and 50 at a time

const NAMES = {
  ours: 'axios-graphql-refresh',
  oursKnown: 'axios-graphql-refresh (expiry known)',
  axiosAuthRefresh: 'axios-auth-refresh',
  authRefreshDedupe: 'axios-auth-refresh (deduplicateRefresh: true)',
  docsPattern: 'NextSchool docs pattern',
  bare: 'bare axios (no refresh)',
  oursPlugin: 'axios-graphql-refresh, plugin only (no GraphQL client; not a target)',
};

/** The two bench servers: the lean one (fixed answers) and graphql-js through graphql-yoga. */
const SERVER_NAMES = { lean: 'the lean server', graphql: 'the graphql-js server' };
function startServer(file) {
  const child = fork(join(here, file), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const waiting = new Map();
  return new Promise((resolve) => {
    child.on('message', (m) => {
      if (m.ready) {
        resolve({
          url: m.url,
          call: (cmd, args) => new Promise((done) => (waiting.set(++seq, done), child.send({ id: seq, cmd, args }))),
          stop: () => child.kill(),
        });
      } else waiting.get(m.id)?.(m.result), waiting.delete(m.id);
    });
  });
}

const log = (...a) => console.log(...a);
/** ", failed: 3 × GraphQLRequestError RATE_LIMITED" from { 'Name CODE': count }, or "". */
const failuresText = (failures) => {
  const parts = Object.entries(failures ?? {}).map(([k, v]) => `${v} × ${k}`);
  return parts.length ? `; failed: ${parts.join(', ')}` : '';
};

/** The targets the page states; each is checked below and listed on the page with what was measured. */
const TARGETS = {
  herd: 'exactly 1 refresh and every request answered',
  herdRequests: 'server requests ≤ 2N + 1 when the expiry is unknown, ≤ N + 1 when it is known',
  herdWall: "herd wall time ≤ axios-auth-refresh's at N < 1,000, ≤ 0.8 × at N ≥ 1,000, on both servers",
  /** The herd wall-time bound at N, as a multiple of axios-auth-refresh's (the bound the herd targets set). */
  wallBound: (n) => (n >= 1_000 ? 0.8 : 1),
  poolRequests: 'server requests ≤ N + maxSockets + 1 with a bounded pool and an unknown expiry',
  /** The refresh's latency with a saturated pool (Node) or the browser's 6 connections, × its unloaded latency. */
  refreshLatencyRatio: 2,
  paced: { declined: 1, wallRatio: 1.25 }, // ≤ 1 declined by the server; wall ≤ 1.25 × the least the limit allows
  overheadRatio: 1.05, // × bare axios' CPU time per request, in-memory adapter, one at a time and 50 at a time (the per-request CPU target)
  overheadHttpRatio: 1.1, // the same over loopback HTTP, where the network stack's CPU is counted too: a looser target
  // Herd of P.stall.n: our longest event-loop turn (median over runs) ≤ bare axios' + this. The probe
  // reads performance.now() (µs), so this is not its resolution: it is one loop turn's jitter, which
  // only matters at smoke sizes, where the stalls themselves are a few ms.
  stallToleranceMs: 2,
  size: 'gzip -9 within budget', // budgets in scripts/size.mjs (own code: 12 KB and 14 KB)
  memoryKb: 2, // KB per waiting request, the library's own (above axios' floor)
  proactive: 'no UNAUTHENTICATED answer with a known expiry',
  rateLimit: 'every request of the burst answered',
  memoryAnswered: 'every waiting request answered after the refresh',
};
/**
 * Results: { target, measured, ok, enforced, why }. `measure` targets (speed, memory) are not enforced
 * in smoke runs; nor are the size budgets (`size`), whose CI gate is `npm run size` on its own, so a
 * smoke run stays about the bench; nor the `goal`s that the library is still being built to meet
 * (request counts, declines, answers under a rate limit): the smoke checks that every scenario runs
 * and every request settles.
 */
const results = [];
// BENCH_ENFORCE_ALL=1 enforces them in a smoke run too (to see the exit code of a miss).
const ENFORCE_ALL = process.env.BENCH_ENFORCE_ALL === '1';
const check = (ok, target, measured, { measure = false, size = false, goal = false } = {}) =>
  results.push({
    target,
    measured,
    ok,
    enforced: ENFORCE_ALL || !(SMOKE && (measure || size || goal)),
    why: size
      ? 'CI gates growth with npm run size -- --ceilings'
      : goal
        ? 'a target of the full run; the smoke checks that every request settles'
        : 'meaningless at smoke sizes',
  });

const started = Date.now();
const servers = { lean: await startServer('server.mjs'), graphql: await startServer('graphql-server.mjs') };
const server = servers.lean;
log(
  `bench${SMOKE ? ' (smoke)' : ''}: servers ${servers.lean.url} (lean), ${servers.graphql.url} (graphql-js), node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}`,
);

// 1. Herd
const herdResults = {}; // variant → n → [runs]
const variants = ['ours', 'oursKnown', 'axiosAuthRefresh', 'docsPattern', 'bare'];
// Unmeasured: every client's refresh path runs a few times first, so none pays the JIT for running first.
for (let i = 0; i < 3; i++) for (const variant of variants) await herd(server, variant, 100);
for (const n of P.ns) {
  // Rounds, each client once per round in alternating order (as the CPU rounds below): this shared
  // machine's speed drifts over a minute, and a client's runs taken one after the other would be
  // measured in other moments than its rival's.
  for (const variant of variants) (herdResults[variant] ??= {})[n] = [];
  for (let r = 0; r < P.runs(n); r++) {
    for (const variant of r % 2 ? [...variants].reverse() : variants) herdResults[variant][n].push(await herd(server, variant, n));
  }
  for (const variant of variants) {
    const runs = herdResults[variant][n];
    const m = (k) => median(runs.map((x) => x[k]));
    log(
      `  herd N=${String(n).padEnd(5)} ${NAMES[variant].padEnd(38)} refreshes ${m('refreshes')}, requests ${m('requests')}, answered ${m('answered')}, ${m('wallMs').toFixed(0)} ms`,
    );
    if (variant === 'ours' || variant === 'oursKnown') {
      check(
        runs.every((x) => x.refreshes === 1 && x.answered === n),
        `${TARGETS.herd} (${NAMES[variant]}, N = ${n})`,
        `refreshes ${ms(runs.map((x) => x.refreshes))}, answered ${ms(runs.map((x) => x.answered))} / ${n}`,
      );
      const bound = variant === 'ours' ? 2 * n + 1 : n + 1;
      check(
        runs.every((x) => x.requests <= bound),
        `${TARGETS.herdRequests} (${NAMES[variant]}, N = ${n}: ≤ ${bound})`,
        `server requests ${ms(runs.map((x) => x.requests))}`,
      );
    }
  }
}
const wall = (variant, n) => median(herdResults[variant][n].map((x) => x.wallMs));

// 1b. The same herd on the graphql-js server (graphql-server.mjs): this library against axios-auth-refresh.
const GQL_VARIANTS = ['ours', 'axiosAuthRefresh'];
const gqlHerd = {}; // variant → n → [runs]
let sectionStarted = Date.now();
/** Seconds since the last call: each added section logs what it took (the smoke's budget in CI). */
const lap = () => {
  const s = ((Date.now() - sectionStarted) / 1000).toFixed(1);
  sectionStarted = Date.now();
  return `${s} s`;
};
for (let i = 0; i < (SMOKE ? 1 : 3); i++) for (const variant of GQL_VARIANTS) await herd(servers.graphql, variant, 100);
for (const n of P.ns) {
  for (const variant of GQL_VARIANTS) (gqlHerd[variant] ??= {})[n] = [];
  for (let r = 0; r < P.runs(n); r++) {
    for (const variant of r % 2 ? [...GQL_VARIANTS].reverse() : GQL_VARIANTS)
      gqlHerd[variant][n].push(await herd(servers.graphql, variant, n));
  }
  for (const variant of GQL_VARIANTS) {
    const runs = gqlHerd[variant][n];
    const m = (k) => median(runs.map((x) => x[k]));
    log(
      `  herd (graphql-js) N=${String(n).padEnd(5)} ${NAMES[variant].padEnd(26)} refreshes ${m('refreshes')}, requests ${m('requests')}, answered ${m('answered')}, ${m('wallMs').toFixed(0)} ms`,
    );
  }
  const runs = gqlHerd.ours[n];
  check(
    runs.every((x) => x.refreshes === 1 && x.answered === n),
    `${TARGETS.herd} (${NAMES.ours}, ${SERVER_NAMES.graphql}, N = ${n})`,
    `refreshes ${ms(runs.map((x) => x.refreshes))}, answered ${ms(runs.map((x) => x.answered))} / ${n}`,
  );
  check(
    runs.every((x) => x.requests <= 2 * n + 1),
    `${TARGETS.herdRequests} (${NAMES.ours}, ${SERVER_NAMES.graphql}, N = ${n}: ≤ ${2 * n + 1})`,
    `server requests ${ms(runs.map((x) => x.requests))}`,
  );
}
log(`  herd (graphql-js): ${lap()}`);
/** Herd runs per server: server → variant → n → [runs], the rounds in the same order for every variant. */
const herdOn = { lean: herdResults, graphql: gqlHerd };
const wallOn = (srv, variant, n) => median(herdOn[srv][variant][n].map((x) => x.wallMs));
/** Each round's ratio of our wall time to axios-auth-refresh's (paired: the two ran in the same moments). */
const wallRatios = (srv, n) => herdOn[srv].ours[n].map((x, r) => x.wallMs / herdOn[srv].axiosAuthRefresh[n][r].wallMs);
const wallOk = (srv, n) => wallOn(srv, 'ours', n) <= TARGETS.wallBound(n) * wallOn(srv, 'axiosAuthRefresh', n);
/** "0.62× (95% interval 0.55–0.70)" of the paired per-round ratios, or "(3 rounds: no interval)" below 3. */
const intervalText = (ratios, digits = 2) => {
  if (ratios.length < 3) return `${median(ratios).toFixed(digits)}× (${ratios.length} round${ratios.length === 1 ? '' : 's'}: no interval)`;
  const [lo, hi] = medianInterval(ratios);
  return `${median(ratios).toFixed(digits)}× (95% interval ${lo.toFixed(digits)}–${hi.toFixed(digits)})`;
};
for (const srv of ['lean', 'graphql']) {
  for (const n of P.ns) {
    const [ours, theirs] = [wallOn(srv, 'ours', n), wallOn(srv, 'axiosAuthRefresh', n)];
    check(
      wallOk(srv, n),
      `herd wall time ≤ ${TARGETS.wallBound(n)} × axios-auth-refresh's (${SERVER_NAMES[srv]}, N = ${n})`,
      `${ours.toFixed(0)} ms against ${theirs.toFixed(0)} ms: ${(ours / theirs).toFixed(2)}× (per-round ratios ${intervalText(wallRatios(srv, n))})`,
      { measure: true },
    );
  }
}

// 1c. A bounded pool (http.Agent maxSockets): a herd of P.pool.n on a revoked token, unknown expiry,
// on each server; the refresh's latency against an unloaded one (a herd of 1 on the same warm pool).
// Shown beside them, not targets: the same herd with an unbounded pool (maxSockets Infinity, the
// same warm-up), the reference the issue quoted; the same herd with a narrower admission window
// (`rateLimit.concurrency`); a client of bare node:http sending as this library does (floor.mjs),
// loaded and unloaded.
const poolRuns = {}; // server → { unloaded, loaded, unbounded, window, floorUnloaded, floor: [runs] }
const poolOptions = { maxSockets: P.pool.maxSockets, warm: P.pool.maxSockets, timeRefresh: true };
const POOL_KINDS = {
  unloaded: [1, poolOptions],
  loaded: [P.pool.n, poolOptions],
  unbounded: [P.pool.n, { ...poolOptions, maxSockets: Infinity }],
  window: [P.pool.n, { ...poolOptions, plugin: { rateLimit: { concurrency: P.pool.window } } }],
};
const FLOOR_KINDS = { floorUnloaded: 1, floor: P.pool.n };
for (const srv of ['lean', 'graphql']) {
  for (let i = 0; i < (SMOKE ? 1 : 2); i++) await herd(servers[srv], 'ours', P.pool.n, poolOptions); // unmeasured
  poolRuns[srv] = { unloaded: [], loaded: [], unbounded: [], window: [], floorUnloaded: [], floor: [] };
  for (let r = 0; r < P.pool.rounds; r++) {
    const kinds = [...Object.keys(POOL_KINDS), ...Object.keys(FLOOR_KINDS)];
    for (const kind of r % 2 ? kinds.reverse() : kinds)
      poolRuns[srv][kind].push(
        kind in FLOOR_KINDS
          ? await floorHerd(servers[srv], FLOOR_KINDS[kind], { maxSockets: P.pool.maxSockets })
          : await herd(servers[srv], 'ours', ...POOL_KINDS[kind]),
      );
  }
}
log(`  bounded pool: ${lap()}`);
const refreshOf = (runs) => median(runs.map((x) => x.refreshMs));
/** Each round's loaded refresh latency over its unloaded one. */
const pairedRatios = (r) => r.loaded.map((x, i) => x.refreshMs / r.unloaded[i].refreshMs);
for (const srv of ['lean', 'graphql']) {
  const { loaded, unloaded, window, floor, floorUnloaded } = poolRuns[srv];
  const where = `${SERVER_NAMES[srv]}, maxSockets ${P.pool.maxSockets}, N = ${P.pool.n}`;
  const flights = [...loaded, ...unloaded, ...window].map((x) => x.refreshFlights);
  // The latency comes from the diagnostics channels: a run whose flight they did not report has none.
  if (flights.some((f) => f !== 1))
    log(`  bounded pool (${where}): the diagnostics channels reported ${ms(flights)} refresh flights a run`);
  log(
    `  bounded pool (${where}): refresh ${refreshOf(loaded).toFixed(1)} ms loaded, ${refreshOf(unloaded).toFixed(1)} ms unloaded; requests ${ms(loaded.map((x) => x.requests))}; answered ${ms(loaded.map((x) => x.answered))}; ${ms(loaded.map((x) => x.wallMs))} ms`,
  );
  check(
    [...loaded, ...unloaded].every((x) => x.refreshes === 1 && x.answered === (loaded.includes(x) ? P.pool.n : 1)),
    `${TARGETS.herd} (${NAMES.ours}, bounded pool, ${where}; and its herds of 1)`,
    `refreshes ${ms([...loaded, ...unloaded].map((x) => x.refreshes))}, answered ${ms(loaded.map((x) => x.answered))} / ${P.pool.n}`,
  );
  // The runs beside them feed the page's sentences: each must have refreshed once and answered all.
  const beside = [...window, ...floor, ...floorUnloaded];
  check(
    beside.every((x) => x.refreshes === 1 && x.answered === (floorUnloaded.includes(x) ? 1 : P.pool.n) && Number.isFinite(x.refreshMs)),
    `${TARGETS.herd} (the runs beside them: rateLimit.concurrency ${P.pool.window}, the bare node:http client; ${where})`,
    `refreshes ${ms(beside.map((x) => x.refreshes))}, answered ${ms([...window, ...floor].map((x) => x.answered))} / ${P.pool.n}`,
  );
  const bound = P.pool.n + P.pool.maxSockets + 1;
  check(
    loaded.every((x) => x.requests <= bound),
    `${TARGETS.poolRequests} (${where}: ≤ ${bound})`,
    `server requests ${ms(loaded.map((x) => x.requests))}`,
    { goal: true },
  );
  check(
    refreshOf(loaded) <= TARGETS.refreshLatencyRatio * refreshOf(unloaded),
    `refresh latency with the pool saturated ≤ ${TARGETS.refreshLatencyRatio} × unloaded (${where})`,
    `${refreshOf(loaded).toFixed(1)} ms against ${refreshOf(unloaded).toFixed(1)} ms: ${(refreshOf(loaded) / refreshOf(unloaded)).toFixed(1)}× (per-round ratios ${intervalText(pairedRatios(poolRuns[srv]), 1)})`,
    { measure: true },
  );
}

// 1d. The browser: Chromium, one tab, P.browser.n queries on a revoked token through its 6 connections.
let browserRuns;
try {
  browserRuns = await browserHerds(servers.lean, P.browser);
} catch (error) {
  browserRuns = { error: String(error?.message ?? error) };
}
log(`  browser: ${lap()}`);
if (browserRuns.error) {
  log(`  browser: ${browserRuns.error}`);
  check(false, 'the browser scenario runs', browserRuns.error);
} else {
  const { loaded, unloaded } = browserRuns;
  log(
    `  browser (Chromium ${browserRuns.version}, N = ${P.browser.n}): refresh ${refreshOf(loaded).toFixed(1)} ms loaded, ${refreshOf(unloaded).toFixed(1)} ms unloaded; answered ${ms(loaded.map((x) => x.answered))}; ${ms(loaded.map((x) => x.wallMs))} ms`,
  );
  const herds = [...loaded, ...browserRuns.window];
  check(
    [...herds, ...unloaded].every((x) => x.refreshes === 1 && x.answered === (unloaded.includes(x) ? 1 : P.browser.n)),
    `${TARGETS.herd} (${NAMES.ours} in Chromium, one tab, N = ${P.browser.n}, and with rateLimit.concurrency ${P.browser.window}; and its herds of 1)`,
    `refreshes ${ms([...herds, ...unloaded].map((x) => x.refreshes))}, answered ${ms(herds.map((x) => x.answered))} / ${P.browser.n}`,
  );
  check(
    refreshOf(loaded) <= TARGETS.refreshLatencyRatio * refreshOf(unloaded),
    `refresh latency through the browser's 6 connections ≤ ${TARGETS.refreshLatencyRatio} × unloaded (Chromium, N = ${P.browser.n})`,
    `${refreshOf(loaded).toFixed(1)} ms against ${refreshOf(unloaded).toFixed(1)} ms: ${(refreshOf(loaded) / refreshOf(unloaded)).toFixed(1)}× (per-round ratios ${intervalText(pairedRatios(browserRuns), 1)})`,
    { measure: true },
  );
}
const dedupeN = SMOKE ? 50 : 1_000;
const dedupe = await herd(server, 'authRefreshDedupe', dedupeN);
log(`  herd N=${dedupeN} ${NAMES.authRefreshDedupe}: answered ${dedupe.answered}, refreshes ${dedupe.refreshes}`);

const cpuN = SMOKE ? 100 : 1_000;
const cpu = {};
for (let r = 0; r < (SMOKE ? 1 : 7); r++) {
  for (const kind of ['ours', 'axiosAuthRefresh', 'docsPattern']) (cpu[kind] ??= []).push(await herdCpu(kind, cpuN));
}
for (const kind of Object.keys(cpu))
  log(
    `  herd (in-memory) N=${cpuN} ${NAMES[kind].padEnd(28)} ${median(cpu[kind].map((x) => x.wallMs)).toFixed(1)} ms, refreshes ${median(cpu[kind].map((x) => x.refreshes))}`,
  );

// 2. Overhead: valid token, CPU time per request, in memory and over loopback HTTP, 1 and 50 at a time
// The first is the reference. In memory, the plugin without the GraphQL client too, to show where the cost is.
const OVERHEAD_KINDS = {
  memory: ['bare', 'ours', 'oursPlugin', 'axiosAuthRefresh', 'docsPattern'],
  http: ['bare', 'ours', 'axiosAuthRefresh', 'docsPattern'],
};
const overheadResults = {}; // transport → batch → { perRun: kind → [{ cpuUs, wallUs }], ratios: kind → [paired CPU ratio] }
for (const transport of ['memory', 'http']) {
  overheadResults[transport] = await overhead(server, {
    kinds: OVERHEAD_KINDS[transport],
    transport,
    batches: BATCHES,
    ...P.overhead[transport],
  });
  for (const batch of BATCHES) {
    const res = overheadResults[transport][batch];
    for (const kind of OVERHEAD_KINDS[transport]) {
      const m = (k) => median(res.perRun[kind].map((x) => x[k])).toFixed(1);
      log(
        `  overhead ${transport.padEnd(6)} ${String(batch).padStart(2)} at a time ${NAMES[kind].padEnd(28)} CPU ${m('cpuUs')} µs/request, wall ${m('wallUs')} µs, CPU ratio ${median(res.ratios[kind]).toFixed(3)}`,
      );
    }
  }
}
/** Median of the paired (same-round) CPU ratios to bare axios. */
const cpuRatio = (transport, batch, kind) => median(overheadResults[transport][batch].ratios[kind]);
const perReq = (transport, batch, kind, k = 'cpuUs') => median(overheadResults[transport][batch].perRun[kind].map((x) => x[k]));
/** "1.043× (95% interval 0.981–1.102)": the checked figure and how far this machine's noise leaves it uncertain. */
const ratioText = (transport, batch, kind) => {
  const ratios = overheadResults[transport][batch].ratios[kind];
  if (ratios.length < 3)
    return `${cpuRatio(transport, batch, kind).toFixed(3)}× (${ratios.length} round${ratios.length === 1 ? '' : 's'}: no interval)`;
  const [lo, hi] = medianInterval(ratios);
  return `${cpuRatio(transport, batch, kind).toFixed(3)}× (95% interval ${lo.toFixed(3)}–${hi.toFixed(3)})`;
};
for (const transport of ['memory', 'http']) {
  const limit = transport === 'memory' ? TARGETS.overheadRatio : TARGETS.overheadHttpRatio;
  for (const batch of BATCHES) {
    const r = cpuRatio(transport, batch, 'ours');
    check(
      r <= limit,
      `CPU time per request ≤ ${limit.toFixed(2)}× bare axios, valid token, ${batch === 1 ? 'one request at a time' : `${batch} at a time`} (${transport === 'memory' ? 'in-memory adapter' : 'loopback HTTP'})`,
      `${ratioText(transport, batch, 'ours')}, median of ${P.overhead[transport].runs} paired round${P.overhead[transport].runs === 1 ? '' : 's'}`,
      { measure: true },
    );
  }
}

// 2b. Event-loop stall while a herd of P.stall.n meets an expired token: ours (one refresh, every
// request replayed) against bare axios sending the same requests (no refresh), each client in a
// process of its own (warmed up by unmeasured herds), runs interleaved.
const stallRuns = { ours: [], bare: [] };
const stallWorkers = { ours: isolated(server), bare: isolated(server) };
for (const variant of ['bare', 'ours']) for (let i = 0; i < 3; i++) await stallWorkers[variant].run('herd', variant, 100);
for (let r = 0; r < P.stall.runs; r++) {
  for (const variant of r % 2 ? ['ours', 'bare'] : ['bare', 'ours'])
    stallRuns[variant].push(await stallWorkers[variant].run('herd', variant, P.stall.n));
}
await Promise.all(Object.values(stallWorkers).map((w) => w.close()));
const stallOf = (variant, k = 'stallMs') => median(stallRuns[variant].map((x) => x[k]));
for (const variant of ['bare', 'ours']) {
  log(
    `  stall N=${P.stall.n} ${NAMES[variant].padEnd(28)} longest turn ${stallOf(variant).toFixed(1)} ms (histogram max ${stallOf(variant, 'delayMaxMs').toFixed(1)} ms), refreshes ${median(stallRuns[variant].map((x) => x.refreshes))}, answered ${median(stallRuns[variant].map((x) => x.answered))}`,
  );
}
check(
  stallRuns.ours.every((x) => x.refreshes === 1 && x.answered === P.stall.n),
  `${TARGETS.herd} (${NAMES.ours}, the stall runs, N = ${P.stall.n})`,
  `refreshes ${ms(stallRuns.ours.map((x) => x.refreshes))}, answered ${ms(stallRuns.ours.map((x) => x.answered))} / ${P.stall.n}`,
);
check(
  stallOf('ours') <= stallOf('bare') + TARGETS.stallToleranceMs,
  `longest event-loop stall in a herd of ${P.stall.n.toLocaleString('en')} ≤ bare axios sending the same requests + ${TARGETS.stallToleranceMs} ms`,
  `${stallOf('ours').toFixed(1)} ms against ${stallOf('bare').toFixed(1)} ms`,
  { measure: true },
);

// 2c. Weight in a browser bundle (deterministic; checked in the full run, gated on its own by npm run size)
const sizes = await measureSizes();
for (const s of sizes)
  log(
    `  size ${s.name.padEnd(30)} ${s.peer && !s.installed ? `not installed (${QUOTED_FROM} quotes ${sizeKb(s.quoted)} gzip)` : `${sizeKb(s.min)} minified, ${sizeKb(s.gzip)} gzip${s.peer ? '' : `, budget ${sizeKb(s.budget)}`}`}`,
  );
for (const s of sizes.filter((x) => !x.peer))
  check(s.ok, `${s.name}: ${TARGETS.size} (${sizeKb(s.budget)})`, `${sizeKb(s.gzip)} gzip -9 (${s.gzip.toLocaleString('en')} bytes)`, {
    size: true,
  });

// 3. Memory
const mem = await memory(server, P.waiting);
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
log(
  `  memory: ${P.waiting} waiting: ${kb(mem.perRequestBytes)} each; axios floor ${kb(mem.floorBytes)}; library ${kb(mem.perRequestBytes - mem.floorBytes)}; answered ${mem.answered}`,
);
check(mem.answered === P.waiting, TARGETS.memoryAnswered, `${mem.answered} / ${P.waiting}`);
const libraryKb = (mem.perRequestBytes - mem.floorBytes) / 1024;
check(
  libraryKb <= TARGETS.memoryKb,
  `≤ ${TARGETS.memoryKb} KB of heap per waiting request for the library`,
  kb(mem.perRequestBytes - mem.floorBytes),
  { measure: true },
);

// 4. Proactive
const ttlMs = 2_000;
const proactiveResults = {};
for (const kind of SMOKE ? ['ours'] : ['ours', 'axiosAuthRefresh', 'docsPattern']) {
  proactiveResults[kind] = await proactive(server, kind, ttlMs, P.proactiveMs);
  const p = proactiveResults[kind];
  log(
    `  proactive ${NAMES[kind].padEnd(28)} UNAUTHENTICATED ${p.unauthenticated}, refreshes ${p.refreshes}, answered ${p.answered}, failed ${p.failed}`,
  );
}
check(proactiveResults.ours.unauthenticated === 0, TARGETS.proactive, `${proactiveResults.ours.unauthenticated} UNAUTHENTICATED answers`);

// 5. Rate limit
const rlResults = {};
for (const kind of ['ours', 'axiosAuthRefresh', 'docsPattern', 'bare']) {
  rlResults[kind] = await rateLimit(server, kind, P.rlLimit, P.rlWindowMs, P.rlBurst);
  const r = rlResults[kind];
  log(
    `  rate limit ${NAMES[kind].padEnd(28)} answered ${r.answered}/${P.rlBurst}, declined by the server ${r.declined}, finished in ${(r.finishMs / 1000).toFixed(1)} s`,
  );
}
check(rlResults.ours.answered === P.rlBurst, TARGETS.rateLimit, `${rlResults.ours.answered} / ${P.rlBurst}`);
for (const s of Object.values(servers)) s.stop();

// 6b. Rate limits against the package's sandbox (paced.mjs), the NextSchool preset as a user runs it.
// Scaled: every documented limit × perUser / 60 (per IP, logins) in a window of windowMs.
const DOCUMENTED = { perUser: 60, perIp: 100, login: 5, windowMs: 60_000 }; // docs/nextschool.md#rate-limits
const scaled = {
  perUser: P.paced.perUser,
  perIp: Math.round((DOCUMENTED.perIp * P.paced.perUser) / DOCUMENTED.perUser),
  login: Math.max(1, Math.round((DOCUMENTED.login * P.paced.perUser) / DOCUMENTED.perUser)),
  windowMs: P.paced.windowMs,
};
const PACED = {
  one: { limits: scaled, processes: 1, each: P.paced.one, rateLimit: { intervalCap: scaled.perUser, interval: scaled.windowMs } },
  shared: {
    limits: scaled,
    processes: P.paced.processes,
    each: P.paced.each,
    rateLimit: { intervalCap: scaled.perUser, interval: scaled.windowMs },
    redis: true,
  },
  preset: { limits: DOCUMENTED, processes: 1, each: P.paced.preset },
};
const pacedResults = {};
lap();
for (const [name, c] of Object.entries(PACED)) {
  const least = minimumMs(c.processes * c.each, c.limits.perUser, c.limits.windowMs);
  try {
    pacedResults[name] = await paced({
      sandbox: c.limits === DOCUMENTED ? {} : { rateLimits: c.limits },
      processes: c.processes,
      perProcess: c.each,
      rateLimit: c.rateLimit,
      redis: c.redis,
      deadlineMs: 3 * least + 30_000,
    });
  } catch (error) {
    pacedResults[name] = { error: String(error?.message ?? error) };
  }
  const r = pacedResults[name];
  Object.assign(r, { least, config: c });
  const what = `${c.processes === 1 ? 'one process' : `${c.processes} processes on one RedisTokenStore`}, ${c.processes * c.each} queries, ${c.limits === DOCUMENTED ? 'the documented limits, the preset without options' : `${c.limits.perUser} per ${c.limits.windowMs / 1000} s`}`;
  r.what = what;
  if (r.error) {
    log(`  rate limits (${what}): ${r.error}`);
    check(false, `the rate-limit scenario runs (${what})`, r.error);
    continue;
  }
  log(
    `  rate limits (${what}): answered ${r.answered}/${r.total}, declined by the server ${r.server.rateLimited}, ${(r.wallMs / 1000).toFixed(1)} s (the limit allows ${(least / 1000).toFixed(0)} s)${r.timedOut ? ', TIMED OUT' : ''}; ${lap()} in all`,
  );
  check(
    !r.timedOut,
    `every query settles (${what})`,
    r.timedOut ? `not all within ${((3 * least + 30_000) / 1000).toFixed(0)} s` : `${r.total} / ${r.total}`,
  );
  check(r.answered === r.total, `every query answered (${what})`, `${r.answered} / ${r.total}${failuresText(r.failures)}`, { goal: true });
  check(
    r.server.rateLimited <= TARGETS.paced.declined,
    `≤ ${TARGETS.paced.declined} declined by the server (${what})`,
    `${r.server.rateLimited} declined (${r.server.requests} requests, ${r.server.logins} login${r.server.logins === 1 ? '' : 's'})`,
    { goal: true },
  );
  if (least > 0)
    check(
      r.wallMs <= TARGETS.paced.wallRatio * least,
      `wall time ≤ ${TARGETS.paced.wallRatio} × the least the limit allows (${what}: ${((TARGETS.paced.wallRatio * least) / 1000).toFixed(1)} s)`,
      `${(r.wallMs / 1000).toFixed(1)} s against ${(least / 1000).toFixed(0)} s: ${(r.wallMs / least).toFixed(2)}×`,
      { measure: true },
    );
}
const elapsed = ((Date.now() - started) / 1000).toFixed(0);
log(`done in ${elapsed} s`);

log('targets:');
for (const r of results)
  log(`  ${r.ok ? 'met   ' : r.enforced ? 'MISSED' : `missed (not enforced in a smoke run: ${r.why})`}  ${r.target}: ${r.measured}`);
const missed = results.filter((r) => !r.ok && r.enforced);
const commit = measuredCommit(execSync, root);

// ---- the page (composed in smoke runs too, so its computed sentences are exercised) ----
const pkg = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const redisVersion = () => {
  try {
    return /v=(\S+)/.exec(execSync('redis-server --version', { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'not installed';
  }
};
const herdRow = (variant, n) => {
  const runs = herdResults[variant][n];
  return [
    NAMES[variant],
    String(n),
    ms(runs.map((x) => x.refreshes)),
    ms(runs.map((x) => x.requests)),
    ms(runs.map((x) => x.unauthenticated)),
    `${ms(runs.map((x) => x.answered))} / ${n}`,
    ms(runs.map((x) => x.wallMs)),
    ms(runs.map((x) => x.stallMs)),
  ];
};
const atATime = (batch) => (batch === 1 ? 'one at a time' : `${batch} at a time`);
const metWord = (ok) => (ok ? 'met' : '**missed**');
const overheadTable = (transport) =>
  table(
    ['client', 'requests in flight', 'CPU time (µs/request)', 'CPU ratio to bare axios', 'wall time (µs/request)'],
    BATCHES.flatMap((batch) =>
      OVERHEAD_KINDS[transport].map((k) => {
        const runs = overheadResults[transport][batch].perRun[k];
        return [
          NAMES[k],
          atATime(batch),
          ms(
            runs.map((x) => x.cpuUs),
            1,
          ),
          k === 'bare' ? '1' : ms(overheadResults[transport][batch].ratios[k], 3),
          ms(
            runs.map((x) => x.wallUs),
            1,
          ),
        ];
      }),
    ),
  );
const oursCpuOk = (transport, batch) =>
  cpuRatio(transport, batch, 'ours') <= (transport === 'memory' ? TARGETS.overheadRatio : TARGETS.overheadHttpRatio);
const stallOk = stallOf('ours') <= stallOf('bare') + TARGETS.stallToleranceMs;
const bareStallSpread = spread(stallRuns.bare.map((x) => x.stallMs));
const oursSizes = sizes.filter((x) => !x.peer);
const sizesOver = oursSizes.filter((x) => !x.ok);
const peerAuth = sizes.find((x) => x.peer && x.installed && x.name === 'axios-auth-refresh');

const chartVariants = ['ours', 'oursKnown', 'axiosAuthRefresh', 'docsPattern'];
const charts = {};
charts['herd-refreshes.svg'] = lineChart({
  title: 'Refreshes when N requests meet an expired token',
  xLabel: 'concurrent requests (N)',
  yLabel: 'refreshes (median)',
  series: chartVariants.map((v) => ({
    name: NAMES[v].replace(' (expiry known)', ', known'),
    points: P.ns.map((n) => [n, median(herdResults[v][n].map((x) => x.refreshes))]),
  })),
});
charts['herd-wall-time.svg'] = lineChart({
  title: 'Time until all N requests settle',
  xLabel: 'concurrent requests (N)',
  yLabel: 'wall time, ms (median)',
  series: [...chartVariants, 'bare'].map((v) => ({
    name: NAMES[v].replace(' (expiry known)', ', known').replace(' (no refresh)', ''),
    points: P.ns.map((n) => [n, median(herdResults[v][n].map((x) => x.wallMs))]),
  })),
});
charts['overhead.svg'] = barChart({
  title: 'CPU time per request, valid token, in-memory adapter',
  unit: 'µs',
  labelWidth: 280,
  bars: BATCHES.flatMap((batch) =>
    OVERHEAD_KINDS.memory.map((k, color) => ({
      color,
      name: `${NAMES[k].replace(' (no refresh)', '').replace('axios-graphql-refresh, plugin only (no GraphQL client; not a target)', 'its plugin only')}, ${batch === 1 ? 'one' : batch} at a time`,
      value: perReq('memory', batch, k),
      label: `${perReq('memory', batch, k).toFixed(1)} µs (${cpuRatio('memory', batch, k).toFixed(2)}×)`,
    })),
  ),
});

const last = P.ns.at(-1);
const fasterAt = P.ns.filter((n) => wall('ours', n) < wall('axiosAuthRefresh', n));
const slowerAt = P.ns.filter((n) => wall('ours', n) > wall('axiosAuthRefresh', n));
const cpuOurs = median(cpu.ours.map((x) => x.wallMs));
const cpuPeer = median(cpu.axiosAuthRefresh.map((x) => x.wallMs));
const herdComparison = [
  `Against axios-auth-refresh, this library's herd wall time was lower ${whereN(P.ns, (n) => fasterAt.includes(n))}`,
  slowerAt.length ? ` and **higher ${whereN(P.ns, (n) => slowerAt.includes(n))}**` : '',
  P.ns.length - fasterAt.length - slowerAt.length ? ` (equal ${whereN(P.ns, (n) => !fasterAt.includes(n) && !slowerAt.includes(n))})` : '',
  '.',
].join('');
/** Whether one slower N is within the spread of runs: the two clients' ranges overlap or not. */
function runsOverlap(n) {
  const [a, b] = spread(herdResults.ours[n].map((x) => x.wallMs));
  const [c, d] = spread(herdResults.axiosAuthRefresh[n].map((x) => x.wallMs));
  const ranges = `this library ${a.toFixed(0)}–${b.toFixed(0)} ms, axios-auth-refresh ${c.toFixed(0)}–${d.toFixed(0)} ms`;
  return a <= d && c <= b
    ? `At N = ${n} the two clients' runs overlap (${ranges}): which median is lower is within what this machine's noise moves.`
    : `At N = ${n} the two clients' runs do not overlap (${ranges}): the difference is larger than this machine's noise, and its cause is not measured by this bench.`;
}
/** The client process's CPU during the herd at `n` (median, ms): its own work, the server being another process. */
const cpuDuringHerd = (variant, n) => median(herdResults[variant][n].map((x) => x.cpuMs));
/** Whether the client's own CPU during the herd at `n` explains its being slower, in words computed from the figures. */
function cpuAt(n) {
  const [ours, peer] = [cpuDuringHerd('ours', n), cpuDuringHerd('axiosAuthRefresh', n)];
  const figures = `during the herd this client's process used ${ours.toFixed(1)} ms of CPU against axios-auth-refresh's ${peer.toFixed(1)} ms (all of a process's threads, the garbage collector's included, so it can exceed the wall time)`;
  return ours > peer
    ? `its own CPU is a cause: ${figures}, ${(ours - peer).toFixed(1)} ms more against a difference in wall time of ${(wall('ours', n) - wall('axiosAuthRefresh', n)).toFixed(1)} ms (the per-request CPU section below measures this library's work per request).`
    : `its own CPU is not shown to be the cause: ${figures}.`;
}
const slowerNote = slowerAt.length
  ? `
Where it is slower (N = ${slowerAt[0]}: ${wall('ours', slowerAt[0]).toFixed(0)} ms against ${wall('axiosAuthRefresh', slowerAt[0]).toFixed(0)} ms), ${cpuAt(slowerAt[0])} In the in-memory herd above (N = ${cpuN}) it took ${cpuOurs.toFixed(1)} ms, ${speedWord(cpuOurs, cpuPeer)} axios-auth-refresh's ${cpuPeer.toFixed(1)} ms.
${slowerAt.map(runsOverlap).join('\n')}
`
  : '';
const targetsMet = results.every((r) => r.ok);
const floorKb = mem.floorBytes / 1024;

const page = `# Benchmarks

Measured by \`npm run bench\` (sources in [\`spec/bench/\`](../spec/bench/)) on ${new Date().toISOString().slice(0, 10)}, at
${commit.text}. Every figure below comes from that one run, and every sentence comparing figures is
computed from them; re-run it to get yours.

## Targets

${targetsMet ? 'Every target was met in this run.' : `**${results.filter((r) => !r.ok).length} of ${results.length} targets were missed in this run** (the bench exits 1 when one is).`}

${table(
  ['target', 'measured', 'met'],
  results.map((r) => [r.target, r.measured, r.ok ? 'yes' : '**no**']),
)}

## Machine and method

| | |
| --- | --- |
| CPU | ${os.cpus().length} × ${os.cpus()[0]?.model} |
| memory | ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB |
| Node.js | ${process.version} |
| axios | ${pkg('axios')} |
| axios-auth-refresh | ${pkg('axios-auth-refresh')} |
| esbuild (sizes, browser page) | ${pkg('esbuild')} |
| graphql-js server | graphql ${pkg('graphql')}, graphql-yoga ${pkg('graphql-yoga')} |
| browser | ${browserRuns.error ? 'not run' : `Chromium ${browserRuns.version}, playwright-core ${pkg('playwright-core')}`} |
| redis-server (rate limits) | ${redisVersion()} |
| run time | ${elapsed} s |

- **Servers**: a lean NextSchool-like GraphQL server (fixed answers, no graphql-js, so the numbers
  measure the clients) on 127.0.0.1, in its own process; sections 2 and 3 also run against a
  graphql-js server (section 2 says how it is built), and section 10 against the package's sandbox.
  An expired token is answered with HTTP 200 and \`UNAUTHENTICATED\`, as NextSchool does.
- Every query of a burst carries variables of its own (an offset), so a client that sends identical
  in-flight queries once is measured sending every one.
- **Clients**, each in its best configuration for this API, with the same HTTP agent (keep-alive,
  128 sockets): **axios-graphql-refresh** (defaults, retries off); **axios-auth-refresh** ${pkg('axios-auth-refresh')}
  with the small response interceptor it needs to see a 200 \`UNAUTHENTICATED\` body as a 401, a
  request interceptor attaching the current token, and \`deduplicateRefresh: false\` (its best setting
  here: with \`true\`, requests that fail while a refresh runs are rejected — at N = ${dedupeN} it
  answered ${dedupe.answered} of ${dedupeN}, with ${dedupe.refreshes} refresh${dedupe.refreshes === 1 ? '' : 'es'});
  the **per-request pattern of the NextSchool docs** (refresh on every failure, token pasted into the
  query); **bare axios** with no refresh logic, the floor.
- Each herd run starts from a warm connection pool (up to 128 concurrent queries with a valid token
  first), as in an application that has been serving traffic, and every client's refresh path has
  run a few times before the measured runs.
- The clients take turns: each round runs every client once, in alternating order, so a client's
  runs and its rivals' are taken in the same moments of this shared machine.
- Figures are medians over several runs (${[...new Set(P.ns.map((n) => P.runs(n)))].map((r) => `${r} at N = ${P.ns.filter((n) => P.runs(n) === r).join(', ')}`).join('; ')}), with the range in brackets.
  "Event-loop stall" is the longest single turn of the event loop while the herd ran, measured by a
  \`setImmediate\` chain started before the requests are issued (\`perf_hooks.monitorEventLoopDelay\`
  misses a synchronous burst at the very start, which would flatter the clients that do all their
  work up front).

## 1. Herd: N concurrent queries meet an expired token

![Refreshes against N](bench/herd-refreshes.svg)
![Wall time against N](bench/herd-wall-time.svg)

${table(
  ['client', 'N', 'refreshes', 'server requests', 'UNAUTHENTICATED answers', 'answered', 'wall time (ms)', 'event-loop stall (ms)'],
  P.ns.flatMap((n) => [...variants].map((v) => herdRow(v, n))),
)}

Targets, at every N: ${TARGETS.herd}; ${TARGETS.herdRequests}; ${TARGETS.herdWall}.
At N = ${last}: ${median(herdResults.ours[last].map((x) => x.refreshes))} refresh against ${median(herdResults.axiosAuthRefresh[last].map((x) => x.refreshes))} for axios-auth-refresh and
${median(herdResults.docsPattern[last].map((x) => x.refreshes))} for the docs pattern; wall time ${wall('ours', last).toFixed(0)} ms against ${wall('axiosAuthRefresh', last).toFixed(0)} ms
(${(wall('ours', last) / wall('axiosAuthRefresh', last)).toFixed(2)}×, ${speedWord(wall('ours', last), wall('axiosAuthRefresh', last))} axios-auth-refresh). Bare axios answers ${median(herdResults.bare[last].map((x) => x.answered))} of ${last}: it has no refresh.
${herdComparison}

The same herd without a network (N = ${cpuN}, an in-memory adapter, ${SMOKE ? '1 run' : '7 runs'}) isolates each client's own CPU
for failing, refreshing and replaying:

${table(
  ['client', 'time for all N (ms)', 'refreshes'],
  Object.keys(cpu).map((k) => [
    NAMES[k],
    ms(
      cpu[k].map((x) => x.wallMs),
      1,
    ),
    ms(cpu[k].map((x) => x.refreshes)),
  ]),
)}
${slowerNote}
${graphqlHerdSection({
  ns: P.ns,
  runsPerN: P.runs,
  names: NAMES,
  serverNames: SERVER_NAMES,
  gqlHerd,
  wallOn,
  wallRatios,
  wallOk,
  wallBound: TARGETS.wallBound,
  versions: { graphql: pkg('graphql'), yoga: pkg('graphql-yoga') },
})}
${poolSection({ pool: P.pool, serverNames: SERVER_NAMES, poolRuns, bound: TARGETS.refreshLatencyRatio })}
${browserSection({ browser: P.browser, browserRuns, bound: TARGETS.refreshLatencyRatio, warm: BROWSER_WARM })}
## 5. Overhead: valid token, steady state

![CPU time per request](bench/overhead.svg)

In-memory adapter (the clients' own CPU, nothing else):

${overheadTable('memory')}

Loopback HTTP (the bench server, in its own process):

${overheadTable('http')}

Each client runs alone in its own process (\`spec/bench/overhead-worker.mjs\`): clients sharing one
process share axios' code, and each one's objects would make that code's compiled paths more general
for all of them. CPU time is that process's \`process.cpuUsage()\` (user + system, so the garbage
collector's helper threads count too), divided by the queries; wall time is shown beside it. A run
of one client is ${(P.overhead.memory.blocks * P.overhead.memory.block).toLocaleString('en')} GraphQL queries in memory (${(P.overhead.http.blocks * P.overhead.http.block).toLocaleString('en')} over HTTP), one at a time (each awaited
before the next) or 50 at a time (\`Promise.all\` of 50, then the next 50), in blocks of ${P.overhead.memory.block}${P.overhead.http.block === P.overhead.memory.block ? '' : ` (${P.overhead.http.block} over HTTP)`}; the
clients' blocks alternate (bare, ours, …, then …, ours, bare), one process working at a time, so the
runs of one round are measured in the same moments of this shared machine. ${OVERHEAD_CPU === undefined ? 'The processes were left to the scheduler (no `taskset` here, or one CPU).' : `Every client's process runs on the same CPU (\`taskset -c ${OVERHEAD_CPU}\`; the bench and its server are not pinned). Unpinned, identical bare-axios processes measured apart by several percent, each keeping its bias for the whole run, so a client's process rather than its code decided its figure.`} No collection is forced, so garbage collection is measured where it falls (in a client's blocks in
proportion to what it allocates): a forced one went on in helper threads while the next process was
measured. Every client is built once and warmed up
first (${P.overhead.memory.warmup.toLocaleString('en')} queries in memory, ${P.overhead.http.warmup.toLocaleString('en')} over HTTP); then ${P.overhead.memory.runs} rounds in memory and ${P.overhead.http.runs} over HTTP.
A client's ratio is the median of its per-round ratios to bare axios' CPU time (paired, so it need
not equal the ratio of the medians in the CPU column); the CPU and wall columns are medians, with
the range in brackets. The 95% intervals below are the bootstrap intervals of those medians of
ratios (2,000 resamples of the rounds): how far this machine's noise leaves the figure uncertain. This library's queries go through its GraphQL
client (\`createGraphQLClient\`), the others' through \`api.post\` and a check of \`errors\`: each does what a
caller needs (send the query, get \`data\` or an error). The "plugin only" row is \`attachTokenRefresh\`
on an instance queried exactly as bare axios is, to show the plugin's cost apart from the GraphQL
client's; it is not a target. The token is valid (expiry 15 minutes away), so no refresh runs.

Targets: ≤ ${TARGETS.overheadRatio.toFixed(2)}× bare axios' CPU time per request in memory, where only the clients' own work is
measured, one at a time and 50 at a time; over loopback HTTP the client's network stack is counted
as well and dilutes any difference, so the looser ≤ ${TARGETS.overheadHttpRatio.toFixed(2)}× is checked there.
This library measured ${ratioText('memory', 1, 'ours')} one at a time (${metWord(oursCpuOk('memory', 1))}) and
${ratioText('memory', 50, 'ours')} 50 at a time (${metWord(oursCpuOk('memory', 50))}) in memory; ${ratioText('http', 1, 'ours')}
(${metWord(oursCpuOk('http', 1))}) and ${ratioText('http', 50, 'ours')} (${metWord(oursCpuOk('http', 50))}) over HTTP.
The plugin alone (no GraphQL client) measured ${cpuRatio('memory', 1, 'oursPlugin').toFixed(3)}× one at a time and ${cpuRatio('memory', 50, 'oursPlugin').toFixed(3)}× 50 at a time in memory${
  [1, 50].some((b) => cpuRatio('memory', b, 'oursPlugin') > TARGETS.overheadRatio)
    ? ` (above ${TARGETS.overheadRatio.toFixed(2)}× ${BATCHES.filter((b) => cpuRatio('memory', b, 'oursPlugin') > TARGETS.overheadRatio)
        .map(atATime)
        .join(' and ')}; not a target, shown so the figure above is not read as the plugin's alone)`
    : ''
}.

## 6. Event-loop stall: a herd of ${P.stall.n.toLocaleString('en')} meets an expired token

${table(
  [
    'client',
    'refreshes',
    'server requests',
    'answered',
    'longest event-loop turn (ms)',
    'it began (ms after the requests were issued)',
    'monitorEventLoopDelay max (ms)',
    'wall time (ms)',
  ],
  ['bare', 'ours'].map((v) => {
    const runs = stallRuns[v];
    return [
      NAMES[v],
      ms(runs.map((x) => x.refreshes)),
      ms(runs.map((x) => x.requests)),
      `${ms(runs.map((x) => x.answered))} / ${P.stall.n}`,
      ms(
        runs.map((x) => x.stallMs),
        1,
      ),
      ms(runs.map((x) => x.stallAtMs)),
      ms(
        runs.map((x) => x.delayMaxMs),
        1,
      ),
      ms(runs.map((x) => x.wallMs)),
    ];
  }),
)}

${P.stall.n.toLocaleString('en')} queries issued at once with an expired token, on a warm connection pool, ${P.stall.runs} runs per client
alternating (bare, ours, ours, bare, …); medians, range in brackets. Each client runs in a process of
its own (\`spec/bench/scenario-worker.mjs\`, for the reason given in section 5), after three unmeasured
herds of 100 there (section 1's stall column comes from the bench's own process, where every client
has run; the figures here are the ones checked). This library answers them all
after one refresh, replaying every one; bare axios sends the same ${P.stall.n.toLocaleString('en')} requests and takes the
\`UNAUTHENTICATED\` answers (it has no refresh). The longest event-loop turn is measured by a
\`setImmediate\` chain started before the requests are issued, timed with \`performance.now()\`
(microseconds), so the synchronous burst of issuing them counts; \`perf_hooks.monitorEventLoopDelay({ resolution: 1 })\`'s
maximum is shown beside it as a second opinion, not checked (it samples with a 1 ms timer).
Target: this library's longest turn ≤ bare axios' + ${TARGETS.stallToleranceMs} ms. The ${TARGETS.stallToleranceMs} ms is not the probe's resolution
(microseconds) but one loop turn's scheduling jitter, which only matters when the stalls are a few
ms; bare axios' own longest turn ranged over ${bareStallSpread[0].toFixed(1)}–${bareStallSpread[1].toFixed(1)} ms between runs here.
Measured: ${stallOf('ours').toFixed(1)} ms against ${stallOf('bare').toFixed(1)} ms (${(stallOf('ours') / stallOf('bare')).toFixed(2)}× bare axios): ${metWord(stallOk)}.
${(() => {
  // Which burst the longest turn was: the issuing (it begins at 0) or a later one (for this library, the replays).
  const later = (v) => stallRuns[v].filter((x) => x.stallAtMs > 1).length;
  const where = (v) =>
    later(v) === 0
      ? 'began as the requests were issued in every run'
      : later(v) === stallRuns[v].length
        ? 'began after the requests were issued in every run (a later burst)'
        : `began after the requests were issued in ${later(v)} of ${stallRuns[v].length} runs`;
  return `Bare axios' longest turn ${where('bare')}; this library's ${where('ours')}.`;
})()}

## 7. Memory: requests waiting behind a slow refresh

${table(['waiting requests', 'heap per waiting request', 'axios alone (floor)', 'this library (difference)', 'answered after the refresh'], [[P.waiting.toLocaleString('en'), kb(mem.perRequestBytes), kb(mem.floorBytes), kb(mem.perRequestBytes - mem.floorBytes), mem.answered.toLocaleString('en')]])}

Heap measured after forced GC (\`--expose-gc\`) before and after ${P.waiting.toLocaleString('en')} queries (through the GraphQL
client) were queued at the gate behind a refresh that takes 3 s. The floor is what axios itself keeps
for the same request held in a trivial async request interceptor — a cost every request pays,
refresh or not; the difference is this library's own. Target: ≤ ${TARGETS.memoryKb} KB per waiting request for the
library; measured ${libraryKb.toFixed(2)} KB.${floorKb > TARGETS.memoryKb ? ` (An absolute ${TARGETS.memoryKb} KB would be below axios' own floor, ${floorKb.toFixed(2)} KB, on this Node version.)` : ''}

## 8. Proactive refresh: tokens that live 2 s, known expiry, steady load

${table(
  ['client', 'UNAUTHENTICATED answers', 'refreshes', 'answered', 'failed', 'server requests'],
  Object.entries(proactiveResults).map(([k, p]) => [
    NAMES[k],
    String(p.unauthenticated),
    String(p.refreshes),
    String(p.answered),
    String(p.failed),
    String(p.requests),
  ]),
)}

${(P.proactiveMs / 1000).toFixed(0)} s of 10 callers in a loop. Only this library uses \`expiresIn\`: it refreshes in the background
when half the lifetime is left (the lead is capped at half the lifetime), so it expects about
runtime / (lifetime − lead) = ${(P.proactiveMs / (ttlMs - ttlMs / 2)).toFixed(0)} refreshes and no \`UNAUTHENTICATED\` answer; it made
${proactiveResults.ours.refreshes} and got ${proactiveResults.ours.unauthenticated}. The others learn of each expiry from a failed request.

## 9. Rate limit on the lean server: ${P.rlLimit} per window per user, a burst of ${P.rlBurst}

${table(
  ['client', 'answered', 'failed', 'declined by the server', 'server requests', 'time to finish (s)'],
  Object.entries(rlResults).map(([k, r]) => [
    NAMES[k],
    `${r.answered} / ${P.rlBurst}`,
    String(r.failed),
    String(r.declined),
    String(r.requests),
    (r.finishMs / 1000).toFixed(1),
  ]),
)}

The server declines with \`RATE_LIMITED\` (HTTP 200, \`extensions.retryAfter\`) over ${P.rlLimit} requests per
window. Time is scaled: a window of ${P.rlWindowMs / 1000} s stands for NextSchool's 60 s, so a run takes seconds, not
minutes. This library pauses all requests for the time the server asks and sends the declined ones
again (\`maxRateLimitWaits: 10\` here, as a burst of ${P.rlBurst} needs ${Math.ceil(P.rlBurst / P.rlLimit)} windows)${(() => {
  const passOn = Object.keys(rlResults).filter((k) => k !== 'ours' && rlResults[k].failed > 0);
  return passOn.length
    ? `; ${passOn.map((k) => NAMES[k]).join(', ')} passed ${passOn.length === 1 ? 'its' : 'their'} declines on as failures`
    : '';
})()}.

${pacedSection({ pacedResults, targets: TARGETS.paced, scaled, documented: DOCUMENTED })}
## 11. Weight in a browser bundle

${table(
  [
    'bundle',
    'resolved to',
    'own code, minified',
    'own code, gzip -9',
    'total with p-queue and axios-retry, gzip -9',
    'budget (own, gzip -9)',
    'met',
  ],
  sizes.map((x) => {
    if (!x.peer)
      return [
        x.name,
        `\`${x.from}\``,
        sizeKb(x.min),
        sizeKb(x.gzip),
        sizeKb(x.totalGzip),
        sizeKb(x.budget),
        x.ok ? 'yes' : `**no** (${sizeKb(x.gzip - x.budget)} over)`,
      ];
    if (x.installed) return [`${x.name} (peer)`, `\`${x.from}\``, sizeKb(x.min), sizeKb(x.gzip), '–', '–', '–'];
    return [`${x.name} (peer)`, 'not installed', '–', `${sizeKb(x.quoted)}, quoted from ${QUOTED_FROM}, not measured here`, '–', '–', '–'];
  }),
)}

Method, the same for every row measured here: what a front-end build gets from importing the package
by name, ${SIZE_METHOD.replace('esbuild --bundle --minify --platform=browser', '`esbuild --bundle --minify --platform=browser`')}
(\`scripts/size.mjs\`, the same lists and code as \`npm run size\`; in this section 1 KB = 1,000 bytes, so the 12 KB budget is 12,000 bytes). Ours
is this package's build at the commit above, resolved through package.json's \`browser\` condition
as webpack and Vite resolve it. Peers not installed here are shown with the figure ${QUOTED_FROM} reports
for them (same method), as quoted.
${sizesOver.length ? `**${sizesOver.length} of ${oursSizes.length} bundles are over budget** (${sizesOver.map((x) => `${x.name}: ${sizeKb(x.gzip)} against ${sizeKb(x.budget)}`).join('; ')}); each budget is a target above.` : `Every bundle is within its budget (${oursSizes.map((x) => `${x.name}: ${sizeKb(x.gzip)} of ${sizeKb(x.budget)}`).join('; ')}).`}
${peerAuth ? `\`attachTokenRefresh\` alone weighs ${(oursSizes[0].gzip / peerAuth.gzip).toFixed(1)}× as much as axios-auth-refresh (gzip -9).` : ''}
`;

if (SMOKE) {
  log(`smoke: page composed (${page.length} characters, ${Object.keys(charts).length} charts), not written`);
  // BENCH_PAGE_OUT=/tmp/page.md: see the composed page of a smoke run without touching docs/.
  if (process.env.BENCH_PAGE_OUT) writeFileSync(process.env.BENCH_PAGE_OUT, page);
} else {
  mkdirSync(join(root, 'docs', 'bench'), { recursive: true });
  for (const [file, svg] of Object.entries(charts)) writeFileSync(join(root, 'docs', 'bench', file), svg);
  writeFileSync(join(root, 'docs', 'benchmarks.md'), page);
  log(`wrote docs/benchmarks.md and docs/bench/*.svg (${commit.text})`);
  if (commit.libDirty) console.error('WARNING: lib/ has uncommitted changes: the page names a commit whose code it did not measure');
}
if (missed.length) {
  console.error(
    `FAILED: ${missed.length} target${missed.length === 1 ? '' : 's'} missed:\n  ${missed.map((r) => `${r.target}: ${r.measured}`).join('\n  ')}`,
  );
  process.exit(1);
}
process.exit(0);
