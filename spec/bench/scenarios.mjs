// The benchmark scenarios run in the bench's own process or in scenario workers (the browser and
// rate-limit scenarios have modules of their own: browser.mjs, paced.mjs). Each returns plain numbers; run.mjs repeats them and reports.
import { execFileSync, fork } from 'node:child_process';
import dc from 'node:diagnostics_channel';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import { CLIENTS, closeClients, STUDENTS } from './clients.mjs';
import { monotonicMs } from './server-core.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const gc = globalThis.gc ?? (() => {});
const turn = () => new Promise((resolve) => setImmediate(resolve));
const delta = (after, before) => Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));

/**
 * The longest event-loop turn while it runs: a setImmediate chain started *before* the work, so a
 * synchronous burst at the start counts too (perf_hooks.monitorEventLoopDelay misses that one).
 */
function stallProbe() {
  const start = performance.now();
  let last = start;
  let max = 0;
  let maxAt = 0; // when the longest turn began, ms after the start
  let running = true;
  const turn = (now) => {
    if (now - last > max) (max = now - last), (maxAt = last - start);
    last = now;
  };
  const tick = () => {
    turn(performance.now());
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return () => {
    running = false;
    turn(performance.now());
    return { max, maxAt };
  };
}

/**
 * This process's refresh flights, from the library's own diagnostics channels (docs/observability.md):
 * `refresh:start` to `refresh:end`, timed in the subscribers (which run synchronously as the library
 * publishes). On the clock of the server's request log (monotonicMs), it also notes when the last
 * flight started, when this process read the answer to the refresh request (Node's
 * `http.client.response.finish` channel; the refresh is the one request without `Authorization`), and
 * when it read each of the herd's answers after that start. `stop()` unsubscribes and returns the
 * durations in ms, with those times.
 */
function refreshTimer() {
  const spans = [];
  const reads = [];
  let startedAt;
  let started;
  let answerRead;
  const onStart = () => {
    startedAt = performance.now();
    started = monotonicMs();
    answerRead = undefined;
    reads.length = 0;
  };
  const onEnd = () => startedAt !== undefined && spans.push(performance.now() - startedAt);
  const onResponse = ({ request }) => {
    if (started === undefined) return;
    if (request.getHeader('authorization')) reads.push(monotonicMs());
    else answerRead ??= monotonicMs();
  };
  const channels = {
    'axios-graphql-refresh:refresh:start': onStart,
    'axios-graphql-refresh:refresh:end': onEnd,
    'http.client.response.finish': onResponse,
  };
  for (const [name, fn] of Object.entries(channels)) dc.subscribe(name, fn);
  return () => {
    for (const [name, fn] of Object.entries(channels)) dc.unsubscribe(name, fn);
    return Object.assign(spans, { started, answerRead, reads });
  };
}

/**
 * Where the refresh's time went, from the server's request log (server-core.mjs) and this process's
 * times (refreshTimer): from its start until the server read the refresh request, in the server,
 * and until this process read the answer; what the server answered meanwhile (from the refresh's
 * start to its answer: `deadMeanwhile` of them carried the revoked token, so had been sent before
 * the new one existed); and how many of the herd's answers this process read after the server had answered the
 * refresh and before it read that answer.
 */
function refreshParts(requestLog, { started, answerRead, reads }) {
  const refresh = requestLog.find(([arrived, , kind]) => kind === 'token' && arrived >= started);
  if (!refresh || answerRead === undefined) return {};
  const [arrived, answered] = refresh;
  const meanwhile = requestLog.filter(([, at, kind]) => kind !== 'token' && at > started && at < answered);
  return {
    toServerMs: arrived - started,
    inServerMs: answered - arrived,
    backMs: answerRead - answered,
    answeredMeanwhile: meanwhile.length,
    deadMeanwhile: meanwhile.filter(([, , kind]) => kind === 'dead').length,
    readFirst: reads.filter((at) => at > answered && at < answerRead).length,
  };
}

/**
 * Herd: N concurrent queries meet an expired token. `variant` is a client name from CLIENTS, or
 * 'oursKnown' (our client, told the token has expired) or 'authRefreshDedupe' (axios-auth-refresh
 * with deduplicateRefresh: true). Every query has variables of its own (an offset), so a client that
 * sends identical in-flight queries once still sends N. `maxSockets` bounds the client's pool (128
 * otherwise); `warm`: the valid queries sent at once first (min(N, pool size) unless given);
 * `plugin`: more options of ours (CLIENTS.ours); `timeRefresh` records our refresh's duration
 * (`refreshMs`, see refreshTimer) and where its time
 * went (see refreshParts).
 */
export async function herd(server, variant, n, { maxSockets, timeRefresh = false, warm = Math.min(n, maxSockets ?? 128), plugin } = {}) {
  await server.call('reset', { record: timeRefresh });
  const tokens = await server.call('issue');
  const kind = variant === 'oursKnown' ? 'ours' : variant === 'authRefreshDedupe' ? 'axiosAuthRefresh' : variant;
  const client = CLIENTS[kind](
    server.url,
    { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken },
    { deduplicateRefresh: variant === 'authRefreshDedupe', maxSockets, plugin },
  );
  // Warm the code path and the connection pool, as in an application that has been serving traffic:
  // a cold pool would make the herd measure TCP connection set-up as much as the clients.
  await Promise.all(Array.from({ length: warm }, (_, i) => client.query({ limit: 1, offset: i })));
  await server.call('expire');
  // Known expiry: the client is told the token has run out, so it refreshes before sending.
  if (variant === 'oursKnown') await client.auth.setTokens({ ...tokens, expiresIn: undefined, expiresAt: Date.now() - 1 });
  const before = await server.call('stats');
  // Second opinion on the stall: node's own event-loop delay histogram (1 ms timer; reported, not checked).
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const stopTimer = timeRefresh ? refreshTimer() : () => [];
  const stopProbe = stallProbe();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => client.query({ limit: 2, offset: i })));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const { max: stallMs, maxAt: stallAtMs } = stopProbe();
  const refreshSpans = stopTimer();
  histogram.disable();
  const server_ = delta(await server.call('stats'), before);
  const parts = timeRefresh ? refreshParts(await server.call('log'), refreshSpans) : undefined;
  closeClients();
  return {
    answered: outcomes.filter((o) => o.status === 'fulfilled').length,
    refreshes: server_.refreshes,
    requests: server_.requests,
    unauthenticated: server_.unauthenticated,
    wallMs,
    // This process's CPU during the herd: the client's own work (the server is another process), and
    // the same probes for every client (the stall probe's setImmediate chain, the delay histogram).
    cpuMs: (cpu.user + cpu.system) / 1000,
    stallMs,
    stallAtMs,
    delayMaxMs: histogram.max / 1e6,
    ...(timeRefresh
      ? {
          refreshMs: refreshSpans.length === 1 ? refreshSpans[0] : Number.NaN,
          refreshFlights: refreshSpans.length,
          ...parts,
        }
      : {}),
  };
}

/**
 * Herd without a network: N queries meet an expired token through an in-memory adapter, so the time
 * is the clients' own CPU for failing, refreshing and replaying.
 */
export async function herdCpu(kind, n) {
  let valid = 'at-0';
  let counter = 0;
  const adapter = async (config) => {
    const body = JSON.parse(config.data);
    let data;
    if (body.query.includes('refreshToken(')) {
      valid = `at-${++counter}`;
      data = { data: { refreshToken: { accessToken: valid, expiresIn: 900 } } };
    } else {
      const auth = String(config.headers?.Authorization ?? '');
      data =
        auth === `Bearer ${valid}`
          ? { data: { students: [{ id: 1 }] } }
          : {
              data: { students: null },
              errors: [{ message: 'Authentication required', path: ['students'], extensions: { code: 'UNAUTHENTICATED' } }],
            };
    }
    return {
      data: JSON.stringify(data),
      status: 200,
      statusText: 'OK',
      headers: { 'content-type': 'application/json' },
      config,
      request: {},
    };
  };
  const client = CLIENTS[kind]('https://api.example.test/', { accessToken: 'at-0', refreshToken: 'rt' }, { adapter });
  for (let i = 0; i < 50; i++) await client.query({ limit: 1 });
  valid = 'expired';
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => client.query({ limit: 2, offset: i })));
  return { wallMs: performance.now() - started, answered: outcomes.filter((o) => o.status === 'fulfilled').length, refreshes: counter };
}

/**
 * The CPU every overhead worker runs on (`taskset -c`), or undefined where there is no taskset or a
 * single CPU. Left to the scheduler, identical bare-axios processes measured apart by several
 * percent on this 2-vCPU machine, each keeping its bias for the whole run (its vCPU and what else
 * ran there): a client's process, not its code, decided its figure. On one CPU they all share the
 * same neighbours. The bench process and the bench server are not pinned (the scheduler places them).
 */
export const OVERHEAD_CPU = (() => {
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  if (cpus < 2) return undefined;
  try {
    execFileSync('taskset', ['-c', String(cpus - 1), 'true'], { stdio: 'ignore' });
    return cpus - 1;
  } catch {
    return undefined;
  }
})();

/** Forks overhead-worker.mjs: one client alone in its process (pinned to OVERHEAD_CPU); `call(message)` resolves its answer. */
function overheadWorker() {
  const pinned =
    OVERHEAD_CPU === undefined ? {} : { execPath: 'taskset', execArgv: ['-c', String(OVERHEAD_CPU), process.execPath, '--expose-gc'] };
  const child = fork(join(here, 'overhead-worker.mjs'), [], {
    execArgv: ['--expose-gc'],
    ...pinned,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending;
  child.on('message', (m) => (m.error ? pending?.reject(new Error(`overhead worker: ${m.error}`)) : pending?.resolve(m)));
  child.on('exit', (code) => code && pending?.reject(new Error(`overhead worker exited with code ${code}`)));
  return {
    call: (message) => new Promise((resolve, reject) => ((pending = { resolve, reject }), child.send(message))),
    close: () => new Promise((resolve) => (child.once('exit', resolve), child.send({ cmd: 'close' }))),
  };
}

/**
 * A process of its own for running scenarios (scenario-worker.mjs) against `server`, whose `call`s
 * it relays: `run(name, ...args)` resolves what scenarios[name](server, ...args) returned there.
 */
export function isolated(server) {
  const child = fork(join(here, 'scenario-worker.mjs'), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending;
  child.on('message', async (m) => {
    if (m.serverCall) child.send({ serverReply: { id: m.serverCall.id, result: await server.call(m.serverCall.cmd, m.serverCall.args) } });
    else if (m.error) pending?.reject(new Error(`scenario worker: ${m.error}`));
    else pending?.resolve(m.result);
  });
  child.on('exit', (code) => code && pending?.reject(new Error(`scenario worker exited with code ${code}`)));
  return {
    run: (scenario, ...args) =>
      new Promise((resolve, reject) => ((pending = { resolve, reject }), child.send({ cmd: 'run', scenario, args, url: server.url }))),
    close: () => new Promise((resolve) => (child.once('exit', resolve), child.send({ cmd: 'close' }))),
  };
}

/**
 * Overhead: steady state, valid token (known expiry 15 minutes away, so no refresh runs). `transport`
 * is 'memory' (an in-memory adapter: the clients' own CPU, nothing else) or 'http' (the bench server
 * over loopback). Each client in `kinds` (the first is the reference, bare axios) runs alone in its
 * own process (overhead-worker.mjs), is built once and warmed up (`warmup` queries in each batch
 * size). Then `runs` runs per client: a run is `blocks` blocks of `block` queries, `batch` at a time,
 * and the clients' blocks alternate (a b c, c b a, a b c…), one process working at a time, so the
 * runs of one round are measured in the same moments of a shared machine. No collection is forced:
 * garbage collection falls in a client's blocks in proportion to what it allocates (a forced one
 * went on in helper threads while the next process was measured). All the workers share one CPU
 * (OVERHEAD_CPU).
 * Returns, per batch size in `batches` (run in turn, by the same processes), per client, each run's
 * { cpuUs, wallUs } per request, and each round's ratio of its CPU time to the reference's (paired:
 * a busy moment weighs on both sides).
 */
export async function overhead(server, { kinds, transport, batches, runs, blocks, block, warmup }) {
  let tokens = { accessToken: 'at-bench', refreshToken: 'rt-bench', expiresIn: 900 };
  if (transport === 'http') {
    await server.call('reset');
    tokens = await server.call('issue');
  }
  const url = transport === 'memory' ? 'https://api.example.test/' : server.url;
  const workers = Object.fromEntries(kinds.map((kind) => [kind, overheadWorker()]));
  for (const kind of kinds) await workers[kind].call({ cmd: 'init', kind, transport, url, tokens });
  const results = {};
  for (const batch of batches) results[batch] = await overheadRounds(workers, { kinds, batch, runs, blocks, block, warmup });
  await Promise.all(kinds.map((kind) => workers[kind].close()));
  return results;
}

/** One batch size of overhead(): warm-up, then `runs` rounds of blocks alternating between the processes. */
async function overheadRounds(workers, { kinds, batch, runs, blocks, block, warmup }) {
  for (const kind of kinds) await workers[kind].call({ cmd: 'block', n: warmup, batch });
  const perRun = Object.fromEntries(kinds.map((kind) => [kind, []]));
  const ratios = Object.fromEntries(kinds.map((kind) => [kind, []]));
  for (let r = 0; r < runs; r++) {
    const sum = Object.fromEntries(kinds.map((kind) => [kind, { cpuUs: 0, wallUs: 0 }]));
    for (let b = 0; b < blocks; b++) {
      for (const kind of (r * blocks + b) % 2 ? [...kinds].reverse() : kinds) {
        // No collection is forced: a worker's forced collection went on in helper threads while the
        // next workers were measured, and slowed whoever came right after it.
        const m = await workers[kind].call({ cmd: 'block', n: block, batch });
        sum[kind].cpuUs += m.cpuUs;
        sum[kind].wallUs += m.wallUs;
      }
    }
    for (const kind of kinds) {
      perRun[kind].push({ cpuUs: sum[kind].cpuUs / (blocks * block), wallUs: sum[kind].wallUs / (blocks * block) });
      ratios[kind].push(sum[kind].cpuUs / sum[kinds[0]].cpuUs);
    }
  }
  return { perRun, ratios };
}

/** Heap growth per item while `make()`'s items are pending (after forced GC). */
async function heapPer(n, make) {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const items = make();
  for (let i = 0; i < 20; i++) await turn();
  gc();
  gc();
  return { bytes: (process.memoryUsage().heapUsed - before) / n, items };
}

/**
 * Memory: `n` requests waiting behind a slow refresh; heap per waiting request. The floor is what
 * axios itself keeps for a request held in any async request interceptor; the difference is the
 * cost of this library (plugin and GraphQL client).
 */
export async function memory(server, n) {
  await server.call('reset', { refreshDelayMs: 3_000 });
  const tokens = await server.call('issue');
  const client = CLIENTS.ours(server.url, tokens);
  await client.query({ limit: 1 });
  await server.call('expire');
  const trigger = client.query({ limit: 1, offset: -1 }).catch(() => {}); // fails, starts the (slow) refresh
  while (!client.stats().refreshes) await new Promise((r) => setTimeout(r, 5));
  const ours = await heapPer(n, () => Array.from({ length: n }, (_, i) => client.query({ limit: 1, offset: i }).catch(() => undefined)));
  const queued = client.stats().queued;

  let release;
  const held = new Promise((r) => (release = r));
  const plain = axios.create({
    adapter: async (config) => ({ data: '{}', status: 200, statusText: 'OK', headers: {}, config, request: {} }),
  });
  plain.interceptors.request.use(async (config) => {
    await held;
    return config;
  });
  const floor = await heapPer(n, () =>
    Array.from({ length: n }, (_, i) => plain.post('/', { query: STUDENTS.source, variables: { limit: 1, offset: i } })),
  );
  release();
  await Promise.all(floor.items);

  // The refresh ends; every waiting request must then be answered.
  const answered = (await Promise.all(ours.items.map((p) => p.then((d) => (d ? 1 : 0))))).reduce((a, b) => a + b, 0);
  await trigger;
  closeClients();
  return { perRequestBytes: ours.bytes, floorBytes: floor.bytes, queued, answered };
}

/** Proactive: tokens that live `ttlMs`, known expiry, steady load for `durationMs`. */
export async function proactive(server, kind, ttlMs, durationMs, workers = 10) {
  await server.call('reset', { ttlMs });
  const tokens = await server.call('issue');
  const client = CLIENTS[kind](server.url, tokens); // `tokens` carries expiresIn: only our client uses it
  const before = await server.call('stats');
  const started = Date.now();
  let answered = 0;
  let failed = 0;
  let sent = 0; // each query's own offset: no two are identical
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() - started < durationMs) {
        await client.query({ limit: 1, offset: sent++ }).then(
          () => answered++,
          () => failed++,
        );
        await new Promise((r) => setTimeout(r, 5));
      }
    }),
  );
  const s = delta(await server.call('stats'), before);
  closeClients();
  return {
    answered,
    failed,
    refreshes: s.refreshes,
    unauthenticated: s.unauthenticated,
    requests: s.requests,
    runtimeMs: Date.now() - started,
  };
}

/** Rate limit: a per-user limit of `limit` per `windowMs`, and a burst of `burst` queries. */
export async function rateLimit(server, kind, limit, windowMs, burst) {
  await server.call('reset', { perUser: limit, windowMs });
  const tokens = await server.call('issue');
  const client = CLIENTS[kind](server.url, tokens, { plugin: { maxRateLimitWaits: 10 } });
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: burst }, (_, i) => client.query({ limit: 1, offset: i })));
  const s = await server.call('stats');
  closeClients();
  return {
    answered: outcomes.filter((o) => o.status === 'fulfilled').length,
    failed: outcomes.filter((o) => o.status === 'rejected').length,
    declined: s.declined,
    requests: s.requests,
    finishMs: performance.now() - started,
  };
}
