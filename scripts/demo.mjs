// `npm run demo`: a live demonstration of axios-graphql-refresh against the bundled sandbox.
//
// Two clients run the same workload — bursts of concurrent `students` queries while access tokens
// expire every few seconds (and once, without warning, on the server side) — against a fresh
// sandbox each:
//   1. createNextSchoolClient from this package;
//   2. the per-request pattern from the NextSchool docs: on UNAUTHENTICATED, call refreshToken with
//      the token pasted into the query string, then retry once.
// Then it prints a side-by-side summary. With NEXTSCHOOL_URL, NEXTSCHOOL_USERNAME and
// NEXTSCHOOL_PASSWORD set, it runs a small read-only workload against that server instead.
import axios from 'axios';
import { createNextSchoolClient, gql } from '../dist/index.mjs';
import { startSandboxServer } from '../dist/testing.mjs';

const TOKEN_TTL_MS = 3_000;
const RUN_MS = 9_000;
const BURST_EVERY_MS = 150;
const BURST_SIZE = 30;
const tty = process.stdout.isTTY;

const SEARCHES = ['สมชาย', 'มาลี', 'ใจดี', 'รักเรียน', '1000', 'ม.4', undefined];
const STUDENTS = gql`
  query Students($search: String, $limit: Int, $offset: Int) {
    students(search: $search, limit: $limit, offset: $offset) { id fullName classroomName }
  }
`;

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs bursts of queries for RUN_MS; `query(vars)` is the client under test. */
async function workload(label, query, sandbox, extra) {
  const latencies = [];
  const failures = new Map();
  let launched = 0;
  let answered = 0;
  const pending = new Set();
  const started = Date.now();
  let expiredMidway = false;

  const progress = () => {
    const line = `  ${label.padEnd(28)} ${((Date.now() - started) / 1000).toFixed(1).padStart(4)} s  sent ${String(sandbox.stats.requests).padStart(5)}  answered ${String(answered).padStart(5)}  refreshes ${String(sandbox.stats.refreshes).padStart(4)}  failures ${[...failures.values()].reduce((a, b) => a + b, 0)}`;
    if (tty) process.stdout.write(`\r${line}`);
    else console.log(line);
  };
  const ticker = setInterval(progress, tty ? 200 : 1000);

  while (Date.now() - started < RUN_MS) {
    if (!expiredMidway && Date.now() - started > RUN_MS / 2) {
      expiredMidway = true;
      sandbox.expireAccessTokens(); // revoked server-side: the client cannot know in advance
    }
    for (let i = 0; i < BURST_SIZE; i++) {
      const variables = { search: SEARCHES[launched % SEARCHES.length], limit: 5, offset: launched % 20 };
      launched++;
      const t0 = performance.now();
      const call = query(variables)
        .then(() => {
          answered++;
          latencies.push(performance.now() - t0);
        })
        .catch((error) => {
          const kind = error?.code ?? error?.name ?? 'Error';
          failures.set(kind, (failures.get(kind) ?? 0) + 1);
        })
        .finally(() => pending.delete(call));
      pending.add(call);
    }
    await new Promise((r) => setTimeout(r, BURST_EVERY_MS));
  }
  await Promise.all(pending);
  clearInterval(ticker);
  progress();
  if (tty) process.stdout.write('\n');
  latencies.sort((a, b) => a - b);
  return {
    calls: launched,
    answered,
    failures,
    sent: sandbox.stats.requests,
    logins: sandbox.stats.logins,
    refreshes: sandbox.stats.refreshes,
    unauthenticated: sandbox.stats.unauthenticated,
    replays: extra(),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** The per-request pattern of the NextSchool docs' examples, faithfully naive. */
function createDocsPatternClient(url, username, password) {
  const http = axios.create({ baseURL: url });
  let accessToken;
  let refreshToken;
  let retries = 0;
  return {
    retries: () => retries,
    async login() {
      const { data } = await http.post('', {
        query: `mutation { login(username: "${username}", password: "${password}") { accessToken refreshToken expiresIn } }`,
      });
      ({ accessToken, refreshToken } = data.data.login);
    },
    async query(variables) {
      const send = () => http.post('', { query: STUDENTS.source, variables }, { headers: { Authorization: `Bearer ${accessToken}` } });
      let { data } = await send();
      if (data.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED') {
        // Every failing request refreshes on its own, with the token pasted into the document.
        const refreshed = await http.post('', {
          query: `mutation { refreshToken(refreshToken: "${refreshToken}") { accessToken expiresIn } }`,
        });
        accessToken = refreshed.data.data.refreshToken.accessToken;
        retries++;
        ({ data } = await send());
      }
      if (data.errors) throw Object.assign(new Error(data.errors[0].message), { code: data.errors[0].extensions?.code ?? 'GRAPHQL_ERROR' });
      return data.data;
    },
  };
}

function summary(ours, docs) {
  const rows = [
    ['queries issued', ours.calls, docs.calls],
    ['queries answered', ours.answered, docs.answered],
    ['failures', describeFailures(ours.failures), describeFailures(docs.failures)],
    ['requests the server received', ours.sent, docs.sent],
    ['logins', ours.logins, docs.logins],
    ['refreshes', ours.refreshes, docs.refreshes],
    ['replays / retries after a refresh', ours.replays, docs.replays],
    ['UNAUTHENTICATED answers', ours.unauthenticated, docs.unauthenticated],
    ['latency p50', `${ours.p50.toFixed(1)} ms`, `${docs.p50.toFixed(1)} ms`],
    ['latency p99', `${ours.p99.toFixed(1)} ms`, `${docs.p99.toFixed(1)} ms`],
  ];
  const w = [34, 22, 22];
  const line = (cells) => `  ${String(cells[0]).padEnd(w[0])}${String(cells[1]).padStart(w[1])}${String(cells[2]).padStart(w[2])}`;
  console.log(`\n${line(['', 'axios-graphql-refresh', 'docs pattern'])}`);
  console.log(`  ${'─'.repeat(w[0] + w[1] + w[2])}`);
  for (const row of rows) console.log(line(row));
}

function describeFailures(map) {
  const total = [...map.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  return `${total} (${[...map].map(([k, v]) => `${k} ${v}`).join(', ')})`;
}

async function sandboxDemo() {
  const settings = { accessTtlMs: TOKEN_TTL_MS, rateLimits: false, latencyMs: 5 };
  console.log(`axios-graphql-refresh demo: a local NextSchool sandbox whose access tokens live ${TOKEN_TTL_MS / 1000} s.
Each client sends bursts of ${BURST_SIZE} concurrent "students" queries every ${BURST_EVERY_MS} ms for ${RUN_MS / 1000} s,
crossing several expiries; halfway through, the server revokes every access token without warning.
(Rate limits are off here so both clients can go at full speed; see docs/nextschool.md.)\n`);

  // Warm-up (not measured): both clients' code paths and the sandbox get compiled by the JIT, so
  // neither client pays for running first.
  const w = await startSandboxServer({ rateLimits: false });
  const warmOurs = createNextSchoolClient({ url: w.url, username: w.username, password: w.password });
  const warmDocs = createDocsPatternClient(w.url, w.username, w.password);
  await warmDocs.login();
  for (let round = 0; round < 10; round++) {
    await Promise.all(Array.from({ length: 40 }, (_, i) => [warmOurs.query(STUDENTS, { limit: 5, offset: i }), warmDocs.query({ limit: 5, offset: i })]).flat());
  }
  await w.close();

  const a = await startSandboxServer(settings);
  const ns = createNextSchoolClient({ url: a.url, username: a.username, password: a.password });
  const ours = await workload('axios-graphql-refresh', (v) => ns.query(STUDENTS, v), a, () => ns.auth.stats.replays);
  await a.close();

  const b = await startSandboxServer(settings);
  const docsClient = createDocsPatternClient(b.url, b.username, b.password);
  await docsClient.login();
  const docs = await workload('per-request (NextSchool docs)', (v) => docsClient.query(v), b, () => docsClient.retries());
  await b.close();

  summary(ours, docs);
  console.log(`
What happened: the plugin knew each token's expiry and refreshed it once, in the background, before it
ran out; when the server revoked tokens without warning, the requests in flight met UNAUTHENTICATED,
joined one refresh, and were replayed. The per-request pattern refreshes once per failing request.
Latencies come from one run with the server in the same process: differences of a few ms are noise
(npm run bench measures the plugin's own overhead).`);
}

async function liveDemo(url, username, password) {
  console.log(`axios-graphql-refresh: a small read-only workload against ${url}\n`);
  const ns = createNextSchoolClient({ url, username, password, rateLimit: { intervalCap: 50, interval: 60_000 } });
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
if (NEXTSCHOOL_URL && NEXTSCHOOL_USERNAME && NEXTSCHOOL_PASSWORD) await liveDemo(NEXTSCHOOL_URL, NEXTSCHOOL_USERNAME, NEXTSCHOOL_PASSWORD);
else await sandboxDemo();
