// `npm run demo`: axios-graphql-refresh next to the per-request pattern of the NextSchool docs,
// against two local sandboxes with NextSchool's rate limits on.
//
// Fairness (docs/benchmarks.md measures overhead properly; this is a demonstration):
// - the same workload for both: the same bursts of the same queries, launched at the same moments
//   (interleaved: each burst starts both clients, alternating which goes first), so both meet the
//   same machine load and the same token expiries;
// - both warmed up first (JIT, connection pools) on a throwaway sandbox;
// - each client has its own sandbox, so its rate-limit budget is its own;
// - the server revokes every access token once, without warning, at the same moment for both.
//
// With NEXTSCHOOL_URL, NEXTSCHOOL_USERNAME and NEXTSCHOOL_PASSWORD set (docs/configuration.md#environment),
// it runs a small read-only workload against that server instead.
import axios from 'axios';
import { gql } from '../dist/index.mjs';
import { createNextSchoolClient } from '../dist/nextschool.mjs';
import { startSandboxServer } from '../dist/testing.mjs';

const TOKEN_TTL_MS = 1_500;
// When each burst starts (ms from the start). From the third on, the token of the previous burst has
// expired: a client that knows expiries refreshes once before sending; one that does not fails first.
const SCHEDULE = [0, 700, 3_400, 6_100, 8_800]; // gaps well over the lifetime, even on a busy machine
const BURSTS = SCHEDULE.length;
const BURST_SIZE = 9; // 45 queries: under NextSchool's 60 per minute per user, with room for replays
const REVOKE_BEFORE_BURST = 1; // the server revokes every access token just before the second burst
const tty = Boolean(process.stdout.isTTY);
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[22m` : s);

const SEARCHES = ['สมชาย', 'มาลี', 'ใจดี', 'รักเรียน', '1000', undefined, 'ม.4'];
const STUDENTS = gql`
  query Students($search: String, $limit: Int, $offset: Int) {
    students(search: $search, limit: $limit, offset: $offset) { id fullName classroomName }
  }
`;
/** The i-th query of the workload: the same list for both clients. */
const variablesOf = (i) => ({ search: SEARCHES[i % SEARCHES.length], limit: 5, offset: i % 20 });

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The per-request pattern of the NextSchool docs' examples, faithfully naive. */
function createDocsPatternClient(url, username, password) {
  const http = axios.create({ baseURL: url, validateStatus: () => true });
  let accessToken;
  let refreshToken;
  const fail = (data, status) => {
    const first = data?.errors?.[0];
    const code = status === 429 ? 'HTTP 429' : (first?.extensions?.code ?? 'GRAPHQL_ERROR');
    return Object.assign(new Error(first?.message ?? `HTTP ${status}`), { code });
  };
  return {
    async login() {
      const { data, status } = await http.post('', {
        query: `mutation { login(username: "${username}", password: "${password}") { accessToken refreshToken expiresIn } }`,
      });
      if (!data?.data?.login) throw fail(data, status);
      ({ accessToken, refreshToken } = data.data.login);
    },
    async query(variables) {
      const send = () => http.post('', { query: STUDENTS.source, variables }, { headers: { Authorization: `Bearer ${accessToken}` } });
      let { data, status } = await send();
      if (data?.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED') {
        // Every failing request refreshes on its own, with the token pasted into the document.
        const refreshed = await http.post('', {
          query: `mutation { refreshToken(refreshToken: "${refreshToken}") { accessToken expiresIn } }`,
        });
        if (!refreshed.data?.data?.refreshToken) throw fail(refreshed.data, refreshed.status);
        accessToken = refreshed.data.data.refreshToken.accessToken;
        ({ data, status } = await send());
      }
      if (status !== 200 || data?.errors) throw fail(data, status);
      return data.data;
    },
  };
}

/** Runs the workload for every client at once, interleaved; returns per-client results. */
async function runInterleaved(clients) {
  const results = clients.map(() => ({ latencies: [], failures: new Map(), answered: 0 }));
  const pending = [];
  const started = performance.now();
  for (let burst = 0; burst < BURSTS; burst++) {
    const due = started + SCHEDULE[burst];
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    if (burst === REVOKE_BEFORE_BURST) for (const c of clients) c.sandbox.expireAccessTokens(); // no warning, both at once
    const order = burst % 2 ? [...clients.keys()].reverse() : [...clients.keys()];
    for (let i = 0; i < BURST_SIZE; i++) {
      const variables = variablesOf(burst * BURST_SIZE + i);
      for (const k of order) {
        const t0 = performance.now();
        const r = results[k];
        pending.push(
          clients[k].query(variables).then(
            () => {
              r.answered++;
              r.latencies.push(performance.now() - t0);
            },
            (error) => {
              const kind = error?.code ?? error?.name ?? 'Error';
              r.failures.set(kind, (r.failures.get(kind) ?? 0) + 1);
            },
          ),
        );
      }
    }
    if (tty)
      process.stdout.write(`\r  burst ${burst + 1}/${BURSTS}${burst + 1 === REVOKE_BEFORE_BURST + 1 ? ' (tokens revoked)' : ''}      `);
  }
  await Promise.all(pending);
  if (tty) process.stdout.write('\r\x1b[K');
  return results.map((r, k) => {
    const sorted = r.latencies.sort((a, b) => a - b);
    const s = clients[k].sandbox.stats;
    return {
      queries: BURSTS * BURST_SIZE,
      answered: r.answered,
      failures: r.failures,
      refreshes: s.refreshes,
      logins: s.logins,
      sent: s.requests,
      rateLimited: s.rateLimited,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
    };
  });
}

function summary(ours, docs) {
  const failed = (r) => [...r.failures.values()].reduce((a, b) => a + b, 0);
  const why = (r) => (failed(r) ? ` (${[...r.failures].map(([k, v]) => `${v} ${k}`).join(', ')})` : '');
  const rows = [
    ['queries (same workload)', ours.queries, docs.queries],
    ['failed queries', `${failed(ours)}${why(ours)}`, `${failed(docs)}${why(docs)}`],
    ['token refreshes', ours.refreshes, docs.refreshes],
    ['requests the server received', ours.sent, docs.sent],
    ['declined by a rate limit', ours.rateLimited, docs.rateLimited],
    [
      'latency p50 / p95 (answered)',
      `${ours.p50.toFixed(0)} / ${ours.p95.toFixed(0)} ms`,
      `${docs.p50.toFixed(0)} / ${docs.p95.toFixed(0)} ms`,
    ],
  ];
  const w = [30, 24];
  const line = (c) => `  ${String(c[0]).padEnd(w[0])}${String(c[1]).padStart(w[1])}  ${c[2]}`;
  console.log(line(['', bold('axios-graphql-refresh').padStart(w[1] + (tty ? 9 : 0)), bold('per-request pattern (NextSchool docs)')]));
  for (const row of rows) console.log(line(row));
}

async function warmUp() {
  const w = await startSandboxServer({ rateLimits: false });
  const ours = createNextSchoolClient({ url: w.url, username: w.username, password: w.password, rateLimit: false }); // a sandbox without limits
  const docs = createDocsPatternClient(w.url, w.username, w.password);
  await docs.login();
  for (let round = 0; round < 4; round++) {
    if (round === 2) w.expireAccessTokens(); // warm the refresh and replay paths too
    // Not measured: an answer lost to a busy machine does not matter here.
    await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) => [ours.query(STUDENTS, variablesOf(i)), docs.query(variablesOf(i))]).flat(),
    );
  }
  await w.close();
}

async function sandboxDemo() {
  console.log(`axios-graphql-refresh demo: two clients send the same ${BURSTS * BURST_SIZE} "students" queries, in ${BURSTS} bursts of ${BURST_SIZE}
over ${SCHEDULE.at(-1) / 1000} s, each to its own local NextSchool sandbox. Access tokens live ${TOKEN_TTL_MS / 1000} s (15 min on NextSchool),
so most bursts meet an expired token; the rate limits are NextSchool's (60 requests a minute per user,
100 per IP); before burst ${REVOKE_BEFORE_BURST + 1} the server revokes every access token without warning.
`);
  await warmUp();
  const settings = { accessTtlMs: TOKEN_TTL_MS, latencyMs: 5 }; // rate limits: the documented defaults
  const [a, b] = await Promise.all([startSandboxServer(settings), startSandboxServer(settings)]);
  try {
    const ns = createNextSchoolClient({ url: a.url, username: a.username, password: a.password });
    const docsClient = createDocsPatternClient(b.url, b.username, b.password);
    await Promise.all([ns.auth.login(), docsClient.login()]);
    const [ours, docs] = await runInterleaved([
      { sandbox: a, query: (v) => ns.query(STUDENTS, v) },
      { sandbox: b, query: (v) => docsClient.query(v) },
    ]);
    summary(ours, docs);
    console.log(`
The library knew when each token expired and refreshed it once before sending (the burst waited for
that one refresh); after the revocation it ran one refresh for all the requests in flight and replayed
them. Had a rate limit declined it, it would have waited the time the server asked, then sent again.
The per-request pattern refreshes once per failing request and sends each again: its extra requests
ran into NextSchool's limit of 100 per IP per minute, and it cannot wait them out.
Same machine, same moments, same queries, both warmed up: latency compares like with like, but this
is one short run (npm run bench measures overhead).`);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

async function liveDemo(url) {
  console.log(`axios-graphql-refresh: a small read-only workload against ${url}\n`);
  // url, username and password come from NEXTSCHOOL_URL, NEXTSCHOOL_USERNAME, NEXTSCHOOL_PASSWORD.
  const ns = createNextSchoolClient({ rateLimit: { intervalCap: 50, interval: 60_000 } });
  const started = Date.now();
  const students = await ns.students({ limit: 5 });
  console.log(`  students(limit: 5): ${students.length} rows, e.g. ${students[0]?.fullName ?? '(none)'}`);
  const batch = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => ns.students({ limit: 5, offset: i * 5 })));
  console.log(`  10 concurrent pages: ${batch.filter((r) => r.status === 'fulfilled').length} answered`);
  const teachers = await ns.teachers({ limit: 3 }).catch((e) => e);
  console.log(`  teachers(limit: 3): ${Array.isArray(teachers) ? `${teachers.length} rows` : `${teachers.code ?? teachers.name}`}`);
  console.log(`\n  ${JSON.stringify(ns.auth.stats)} in ${Date.now() - started} ms`);
}

const { NEXTSCHOOL_URL, NEXTSCHOOL_USERNAME, NEXTSCHOOL_PASSWORD } = process.env;
if (NEXTSCHOOL_URL && NEXTSCHOOL_USERNAME && NEXTSCHOOL_PASSWORD) await liveDemo(NEXTSCHOOL_URL);
else await sandboxDemo();
