// `npm run bench`: runs every scenario against a real HTTP server on 127.0.0.1 (spec/bench/server.mjs,
// in its own process), for this library and its peers in one run, then writes docs/benchmarks.md and
// the SVG charts in docs/bench/. BENCH_SMOKE=1: tiny sizes, checks, no file written (CI runs that).
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { herd, herdCpu, memory, overhead, proactive, rateLimit } from './scenarios.mjs';
import { barChart, lineChart, median, ms, table } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const SMOKE = process.env.BENCH_SMOKE === '1';
const P = SMOKE
  ? { ns: [10, 50], runs: () => 1, overheadMemory: 1_000, overheadHttp: 300, overheadRuns: 1, waiting: 500, proactiveMs: 2_500, rlWindowMs: 400, rlLimit: 10, rlBurst: 30 }
  : { ns: [10, 100, 1_000, 5_000], runs: (n) => (n >= 1_000 ? 3 : 5), overheadMemory: 20_000, overheadHttp: 4_000, overheadRuns: 5, waiting: 10_000, proactiveMs: 10_000, rlWindowMs: 3_000, rlLimit: 60, rlBurst: 200 };

const NAMES = {
  ours: 'axios-graphql-refresh',
  oursKnown: 'axios-graphql-refresh (expiry known)',
  axiosAuthRefresh: 'axios-auth-refresh',
  authRefreshDedupe: 'axios-auth-refresh (deduplicateRefresh: true)',
  docsPattern: 'NextSchool docs pattern',
  bare: 'bare axios (no refresh)',
};

function startServer() {
  const child = fork(join(here, 'server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
const failures = [];
const check = (ok, what) => (ok ? undefined : failures.push(what));

const started = Date.now();
const server = await startServer();
log(`bench${SMOKE ? ' (smoke)' : ''}: server ${server.url}, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}`);

// 1. Herd
const herdResults = {}; // variant → n → [runs]
const variants = ['ours', 'oursKnown', 'axiosAuthRefresh', 'docsPattern', 'bare'];
// Unmeasured: every client's refresh path runs a few times first, so none pays the JIT for running first.
for (let i = 0; i < 3; i++) for (const variant of variants) await herd(server, variant, 100);
for (const n of P.ns) {
  for (const variant of variants) {
    const runs = [];
    for (let r = 0; r < P.runs(n); r++) runs.push(await herd(server, variant, n));
    (herdResults[variant] ??= {})[n] = runs;
    const m = (k) => median(runs.map((x) => x[k]));
    log(`  herd N=${String(n).padEnd(5)} ${NAMES[variant].padEnd(38)} refreshes ${m('refreshes')}, requests ${m('requests')}, answered ${m('answered')}, ${m('wallMs').toFixed(0)} ms`);
    if (variant === 'ours' || variant === 'oursKnown') {
      check(runs.every((x) => x.refreshes === 1 && x.answered === n), `herd ${variant} N=${n}: exactly 1 refresh and all answered`);
      check(runs.every((x) => x.requests <= (variant === 'ours' ? 2 * n + 1 : n + 1)), `herd ${variant} N=${n}: request bound`);
    }
  }
}
const dedupeN = SMOKE ? 50 : 1_000;
const dedupe = await herd(server, 'authRefreshDedupe', dedupeN);
log(`  herd N=${dedupeN} ${NAMES.authRefreshDedupe}: answered ${dedupe.answered}, refreshes ${dedupe.refreshes}`);

const cpuN = SMOKE ? 100 : 1_000;
const cpu = {};
for (let r = 0; r < (SMOKE ? 1 : 7); r++) {
  for (const kind of ['ours', 'axiosAuthRefresh', 'docsPattern']) (cpu[kind] ??= []).push(await herdCpu(kind, cpuN));
}
for (const kind of Object.keys(cpu)) log(`  herd (in-memory) N=${cpuN} ${NAMES[kind].padEnd(28)} ${median(cpu[kind].map((x) => x.wallMs)).toFixed(1)} ms, refreshes ${median(cpu[kind].map((x) => x.refreshes))}`);

// 2. Overhead
const overheadResults = {};
for (const transport of ['memory', 'http']) {
  const total = transport === 'memory' ? P.overheadMemory : P.overheadHttp;
  for (let r = 0; r < P.overheadRuns; r++) {
    for (const kind of ['bare', 'ours', 'axiosAuthRefresh', 'docsPattern']) {
      ((overheadResults[transport] ??= {})[kind] ??= []).push((await overhead(server, kind, transport, total)).usPerRequest);
    }
  }
  for (const kind of Object.keys(overheadResults[transport])) {
    log(`  overhead ${transport.padEnd(6)} ${NAMES[kind].padEnd(28)} ${median(overheadResults[transport][kind]).toFixed(1)} µs/request`);
  }
}

// 3. Memory
const mem = await memory(server, P.waiting);
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
log(`  memory: ${P.waiting} waiting: ${kb(mem.perRequestBytes)} each; axios floor ${kb(mem.floorBytes)}; library ${kb(mem.perRequestBytes - mem.floorBytes)}; answered ${mem.answered}`);
check(mem.answered === P.waiting, 'memory: every waiting request answered after the refresh');

// 4. Proactive
const ttlMs = 2_000;
const proactiveResults = {};
for (const kind of SMOKE ? ['ours'] : ['ours', 'axiosAuthRefresh', 'docsPattern']) {
  proactiveResults[kind] = await proactive(server, kind, ttlMs, P.proactiveMs);
  const p = proactiveResults[kind];
  log(`  proactive ${NAMES[kind].padEnd(28)} UNAUTHENTICATED ${p.unauthenticated}, refreshes ${p.refreshes}, answered ${p.answered}, failed ${p.failed}`);
}
check(proactiveResults.ours.unauthenticated === 0, 'proactive: no UNAUTHENTICATED answer for our client');

// 5. Rate limit
const rlResults = {};
for (const kind of ['ours', 'axiosAuthRefresh', 'docsPattern', 'bare']) {
  rlResults[kind] = await rateLimit(server, kind, P.rlLimit, P.rlWindowMs, P.rlBurst);
  const r = rlResults[kind];
  log(`  rate limit ${NAMES[kind].padEnd(28)} answered ${r.answered}/${P.rlBurst}, declined by the server ${r.declined}, finished in ${(r.finishMs / 1000).toFixed(1)} s`);
}
check(rlResults.ours.answered === P.rlBurst, 'rate limit: every request of the burst answered by our client');

server.stop();
const elapsed = ((Date.now() - started) / 1000).toFixed(0);
log(`done in ${elapsed} s`);

if (failures.length) {
  console.error(`FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
if (SMOKE) process.exit(0);

// ---- the page ----
const pkg = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
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
const ratio = (transport, kind) => median(overheadResults[transport][kind]) / median(overheadResults[transport].bare);

mkdirSync(join(root, 'docs', 'bench'), { recursive: true });
const chartVariants = ['ours', 'oursKnown', 'axiosAuthRefresh', 'docsPattern'];
writeFileSync(
  join(root, 'docs', 'bench', 'herd-refreshes.svg'),
  lineChart({ title: 'Refreshes when N requests meet an expired token', xLabel: 'concurrent requests (N)', yLabel: 'refreshes (median)', series: chartVariants.map((v) => ({ name: NAMES[v].replace(' (expiry known)', ', known'), points: P.ns.map((n) => [n, median(herdResults[v][n].map((x) => x.refreshes))]) })) }),
);
writeFileSync(
  join(root, 'docs', 'bench', 'herd-wall-time.svg'),
  lineChart({ title: 'Time until all N requests settle', xLabel: 'concurrent requests (N)', yLabel: 'wall time, ms (median)', series: [...chartVariants, 'bare'].map((v) => ({ name: NAMES[v].replace(' (expiry known)', ', known').replace(' (no refresh)', ''), points: P.ns.map((n) => [n, median(herdResults[v][n].map((x) => x.wallMs))]) })) }),
);
writeFileSync(
  join(root, 'docs', 'bench', 'overhead.svg'),
  barChart({ title: 'Time per request, valid token, in-memory adapter', unit: 'µs', bars: ['bare', 'ours', 'axiosAuthRefresh', 'docsPattern'].map((k) => ({ name: NAMES[k].replace(' (no refresh)', ''), value: median(overheadResults.memory[k]), label: `${median(overheadResults.memory[k]).toFixed(1)} µs (${ratio('memory', k).toFixed(2)}×)` })) }),
);

const page = `# Benchmarks

Measured by \`npm run bench\` (sources in [\`spec/bench/\`](../spec/bench/)) on ${new Date().toISOString().slice(0, 10)}. Every figure
below comes from that one run; re-run it to get yours.

## Machine and method

| | |
| --- | --- |
| CPU | ${os.cpus().length} × ${os.cpus()[0]?.model} |
| memory | ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB |
| Node.js | ${process.version} |
| axios | ${pkg('axios')} |
| axios-auth-refresh | ${pkg('axios-auth-refresh')} |
| run time | ${elapsed} s |

- **Server**: a lean NextSchool-like GraphQL server (fixed answers, no graphql-js, so the numbers
  measure the clients) on 127.0.0.1, in its own process. An expired token is answered with HTTP 200
  and \`UNAUTHENTICATED\`, as NextSchool does.
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
- Figures are medians over several runs (5 for N ≤ 100, 3 above), with the range in brackets.
  "Event-loop stall" is the longest single turn of the event loop while the herd ran, measured by a
  \`setImmediate\` chain started before the requests are issued (\`perf_hooks.monitorEventLoopDelay\`
  misses a synchronous burst at the very start, which would flatter the clients that do all their
  work up front).

## 1. Herd: N concurrent queries meet an expired token

![Refreshes against N](bench/herd-refreshes.svg)
![Wall time against N](bench/herd-wall-time.svg)

${table(['client', 'N', 'refreshes', 'server requests', 'UNAUTHENTICATED answers', 'answered', 'wall time (ms)', 'event-loop stall (ms)'], P.ns.flatMap((n) => [...variants].map((v) => herdRow(v, n))))}

Targets for this library: exactly 1 refresh at every N; server requests ≤ 2N + 1 when the expiry is
unknown and ≤ N + 1 when it is known; all answered; wall time no slower than axios-auth-refresh.
At N = ${P.ns.at(-1)}: ${median(herdResults.ours[P.ns.at(-1)].map((x) => x.refreshes))} refresh against ${median(herdResults.axiosAuthRefresh[P.ns.at(-1)].map((x) => x.refreshes))} for axios-auth-refresh and
${median(herdResults.docsPattern[P.ns.at(-1)].map((x) => x.refreshes))} for the docs pattern; wall time ${median(herdResults.ours[P.ns.at(-1)].map((x) => x.wallMs)).toFixed(0)} ms against ${median(herdResults.axiosAuthRefresh[P.ns.at(-1)].map((x) => x.wallMs)).toFixed(0)} ms
(${(median(herdResults.ours[P.ns.at(-1)].map((x) => x.wallMs)) / median(herdResults.axiosAuthRefresh[P.ns.at(-1)].map((x) => x.wallMs))).toFixed(2)}×). Bare axios answers none: it has no refresh.

The same herd without a network (N = ${cpuN}, an in-memory adapter, ${SMOKE ? 1 : 7} runs) isolates each client's own CPU
for failing, refreshing and replaying:

${table(['client', 'time for all N (ms)', 'refreshes'], Object.keys(cpu).map((k) => [NAMES[k], ms(cpu[k].map((x) => x.wallMs), 1), ms(cpu[k].map((x) => x.refreshes))]))}

Over HTTP, at N = ${P.ns[1]} this library finished in ${median(herdResults.ours[P.ns[1]].map((x) => x.wallMs)).toFixed(0)} ms against ${median(herdResults.axiosAuthRefresh[P.ns[1]].map((x) => x.wallMs)).toFixed(0)} ms for
axios-auth-refresh: its refresh goes out on the first failure and its replays overlap the tail of the
first round of answers, while axios-auth-refresh's refresh (on a separate connection) ends after the
first round and its replays go out in one burst. The work is not larger — the in-memory figures above
show this library's per-request CPU at or below axios-auth-refresh's, and no extra connection is
opened — and from N = 1,000 the order reverses.

## 2. Overhead: valid token, steady state

![Overhead per request](bench/overhead.svg)

${table(['client', 'in-memory adapter (µs/request)', 'ratio to bare', 'loopback HTTP (µs/request)', 'ratio to bare'], ['bare', 'ours', 'axiosAuthRefresh', 'docsPattern'].map((k) => [NAMES[k], ms(overheadResults.memory[k], 1), ratio('memory', k).toFixed(2), ms(overheadResults.http[k], 1), ratio('http', k).toFixed(2)]))}

${P.overheadMemory.toLocaleString('en')} (in-memory) and ${P.overheadHttp.toLocaleString('en')} (HTTP) GraphQL queries per run, 50 at a time, after a
warm-up; ${P.overheadRuns} runs per client, interleaved. The in-memory adapter isolates the clients' own
CPU (parsing the GraphQL answer, interceptors); over loopback HTTP the network stack dominates.
Target: ≤ 1.10× bare axios per request.

## 3. Memory: requests waiting behind a slow refresh

${table(['waiting requests', 'heap per waiting request', 'axios alone (floor)', 'this library (difference)', 'answered after the refresh'], [[P.waiting.toLocaleString('en'), kb(mem.perRequestBytes), kb(mem.floorBytes), kb(mem.perRequestBytes - mem.floorBytes), mem.answered.toLocaleString('en')]])}

Heap measured after forced GC (\`--expose-gc\`) before and after ${P.waiting.toLocaleString('en')} queries (through the GraphQL
client) were queued at the gate behind a refresh that takes 3 s. The floor is what axios itself keeps
for the same request held in a trivial async request interceptor — a cost every request pays,
refresh or not; the difference is this library's own. Target: ≤ 2 KB per waiting request for the
library. (An absolute 2 KB is below axios' own floor on this Node version.)

## 4. Proactive refresh: tokens that live 2 s, known expiry, steady load

${table(['client', 'UNAUTHENTICATED answers', 'refreshes', 'answered', 'failed', 'server requests'], Object.entries(proactiveResults).map(([k, p]) => [NAMES[k], String(p.unauthenticated), String(p.refreshes), String(p.answered), String(p.failed), String(p.requests)]))}

${(P.proactiveMs / 1000).toFixed(0)} s of 10 callers in a loop. Only this library uses \`expiresIn\`: it refreshes in the background
when half the lifetime is left (the lead is capped at half the lifetime), so it expects about
runtime / (lifetime − lead) = ${(P.proactiveMs / (ttlMs - ttlMs / 2)).toFixed(0)} refreshes and no \`UNAUTHENTICATED\` answer. The others learn of each
expiry from a failed request.

## 5. Rate limit: 60 per window per user, a burst of ${P.rlBurst}

${table(['client', 'answered', 'failed', 'declined by the server', 'server requests', 'time to finish (s)'], Object.entries(rlResults).map(([k, r]) => [NAMES[k], `${r.answered} / ${P.rlBurst}`, String(r.failed), String(r.declined), String(r.requests), (r.finishMs / 1000).toFixed(1)]))}

The server declines with \`RATE_LIMITED\` (HTTP 200, \`extensions.retryAfter\`) over ${P.rlLimit} requests per
window. Time is scaled: a window of ${P.rlWindowMs / 1000} s stands for NextSchool's 60 s, so a run takes seconds, not
minutes. This library pauses all requests for the time the server asks and sends the declined ones
again (\`maxRateLimitWaits: 10\` here, as a burst of ${P.rlBurst} needs ${Math.ceil(P.rlBurst / P.rlLimit)} windows); the others pass the
decline on as a failure.
`;
writeFileSync(join(root, 'docs', 'benchmarks.md'), page);
log('wrote docs/benchmarks.md and docs/bench/*.svg');
