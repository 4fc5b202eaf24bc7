// The page's sections for the graphql-js herd, the bounded pool, the browser and the rate limits
// against the sandbox (run.mjs composes the rest). Every sentence is computed from the figures it is
// given: a comparison, a met/missed word or a noise verdict can never contradict its numbers.
import { AHEAD } from './browser.mjs';
import { median, medianInterval, ms, spread, table } from './report.mjs';

const metWord = (ok) => (ok ? 'met' : '**missed**');
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const list = (items) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
const en = (n) => n.toLocaleString('en');

/**
 * Whether a missed ratio bound is beyond this machine's noise: with ≥ 3 paired rounds, whether the
 * 95% interval of the per-round ratios lies wholly above the bound; with fewer, whether the two
 * sides' ranges of runs (ours scaled by 1/bound) overlap.
 */
function noiseVerdict(ratios, bound, what) {
  if (ratios.length >= 3) {
    const [lo, hi] = medianInterval(ratios);
    return lo > bound
      ? `${what}: the 95% interval of the per-round ratios (${lo.toFixed(2)}–${hi.toFixed(2)}) lies above ${bound}, so the miss is larger than this machine's noise.`
      : `${what}: the 95% interval of the per-round ratios (${lo.toFixed(2)}–${hi.toFixed(2)}) reaches ${bound}, so the miss is within what this machine's noise moves.`;
  }
  const [a, b] = spread(ratios);
  return `${what}: ${plural(ratios.length, 'round')} (ratio ${a.toFixed(2)}${a === b ? '' : `–${b.toFixed(2)}`}), too few for an interval.`;
}

/** Section: the herd on the graphql-js server, and the wall-time targets on both servers. */
export function graphqlHerdSection({ ns, runsPerN, names, serverNames, gqlHerd, wallOn, wallRatios, wallOk, wallBound, versions }) {
  const rows = ns.flatMap((n) =>
    Object.keys(gqlHerd).map((v) => {
      const runs = gqlHerd[v][n];
      return [
        names[v],
        String(n),
        ms(runs.map((x) => x.refreshes)),
        ms(runs.map((x) => x.requests)),
        ms(runs.map((x) => x.unauthenticated)),
        `${ms(runs.map((x) => x.answered))} / ${n}`,
        ms(runs.map((x) => x.wallMs)),
      ];
    }),
  );
  const servers = Object.keys(serverNames);
  const targets = servers.flatMap((srv) =>
    ns.map((n) => {
      const [ours, theirs] = [wallOn(srv, 'ours', n), wallOn(srv, 'axiosAuthRefresh', n)];
      const ratios = wallRatios(srv, n);
      const interval =
        ratios.length >= 3
          ? medianInterval(ratios)
              .map((x) => x.toFixed(2))
              .join('–')
          : 'too few rounds';
      return [
        serverNames[srv],
        String(n),
        ours.toFixed(0),
        theirs.toFixed(0),
        `${(ours / theirs).toFixed(2)}×`,
        `${median(ratios).toFixed(2)}× (${interval})`,
        `≤ ${wallBound(n)}×`,
        wallOk(srv, n) ? 'yes' : '**no**',
      ];
    }),
  );
  const missed = servers.flatMap((srv) => ns.filter((n) => !wallOk(srv, n)).map((n) => ({ srv, n })));
  const verdicts = missed.map(({ srv, n }) => noiseVerdict(wallRatios(srv, n), wallBound(n), `On ${serverNames[srv]} at N = ${en(n)}`));
  const ranOn = [...new Set(ns.map(runsPerN))];
  return `## 2. Herd on a graphql-js server; herd wall time against axios-auth-refresh

The herd of section 1 against a server that parses, validates and executes every request with
graphql-js (graphql ${versions.graphql}, served by graphql-yoga ${versions.yoga} on \`node:http\`, in its own process;
\`spec/bench/graphql-server.mjs\`): the same schema, tokens and answers as the lean server, an expired
token failing \`students\` with \`UNAUTHENTICATED\` at HTTP 200. This library against axios-auth-refresh,
in rounds of alternating order as in section 1 (${ranOn.length === 1 ? plural(ranOn[0], 'round') : list(ranOn.map((r) => `${plural(r, 'round')} at N = ${ns.filter((n) => runsPerN(n) === r).join(', ')}`))}).

${table(['client', 'N', 'refreshes', 'server requests', 'UNAUTHENTICATED answers', 'answered', 'wall time (ms)'], rows)}

Herd wall time against axios-auth-refresh on both servers. The ratio of medians is the checked
figure; beside it, the median of each round's ratio (the two clients ran in the same moments) with
the 95% bootstrap interval of that median:

${table(['server', 'N', 'this library (ms)', 'axios-auth-refresh (ms)', 'ratio of medians', 'per-round ratio (95% interval)', 'target', 'met'], targets)}

${
  missed.length === 0
    ? 'Every wall-time target was met on both servers.'
    : `The wall-time target was missed ${list(missed.map(({ srv, n }) => `on ${serverNames[srv]} at N = ${en(n)}`))}.
${verdicts.join('\n')}`
}
`;
}

/**
 * Rows of the bounded-pool and browser tables: the unloaded herd of 1, the loaded herd, and those
 * run beside them: the unbounded pool's, the narrower window's (`window` requests), the bare client's.
 */
const latencyRows = (runs, n, window, extra = () => []) =>
  [
    ['unloaded (a herd of 1)', runs.unloaded, 1],
    [`loaded (a herd of ${en(n)})`, runs.loaded, n],
    ...(runs.unbounded ? [[`the same herd, unbounded pool (not a target)`, runs.unbounded, n]] : []),
    ...(runs.window ? [[`the same herd, \`rateLimit: { concurrency: ${window} }\` (not a target)`, runs.window, n]] : []),
    ...(runs.floor
      ? [
          ['bare node:http client, a herd of 1 (not a target)', runs.floorUnloaded, 1],
          [`bare node:http client, a herd of ${en(n)} (not a target)`, runs.floor, n],
        ]
      : []),
  ].map(([kind, rs, size]) => [
    kind,
    ms(
      rs.map((x) => x.refreshMs),
      1,
    ),
    ...extra(rs),
    ms(rs.map((x) => x.refreshes)),
    ms(rs.map((x) => x.requests)),
    `${ms(rs.map((x) => x.answered))} / ${size}`,
    ms(rs.map((x) => x.wallMs)),
  ]);

/** "3.1× (per-round ratios: median 2.9, 95% interval 2.1–4.0)" with its met word, from a runs pair. */
function latencyVerdict(runs, bound) {
  const loaded = median(runs.loaded.map((x) => x.refreshMs));
  const unloaded = median(runs.unloaded.map((x) => x.refreshMs));
  const ratios = runs.loaded.map((x, i) => x.refreshMs / runs.unloaded[i].refreshMs);
  const interval =
    ratios.length >= 3
      ? `, 95% interval ${medianInterval(ratios)
          .map((x) => x.toFixed(1))
          .join('–')}`
      : '';
  return `${loaded.toFixed(1)} ms against ${unloaded.toFixed(1)} ms unloaded, ${(loaded / unloaded).toFixed(1)}× (per-round ratios: median ${median(ratios).toFixed(1)}${interval}): ${metWord(loaded <= bound * unloaded)}`;
}

/** How the bounded pool's refresh latency compares with the same herd's on an unbounded pool. */
function unboundedNote(runs) {
  const [bounded, unbounded] = [median(runs.loaded.map((x) => x.refreshMs)), median(runs.unbounded.map((x) => x.refreshMs))];
  return `With an unbounded pool the same herd's refresh took ${unbounded.toFixed(1)} ms: the bounded pool's is ${(bounded / unbounded).toFixed(1)}× that, and the unbounded pool's ${(unbounded / median(runs.unloaded.map((x) => x.refreshMs))).toFixed(1)}× the unloaded one.`;
}

/** Rows of the bounded pool's second table: where each kind of run's refresh time went (scenarios.mjs, refreshParts). */
const partsRows = (runs, n, window) =>
  [
    ['unloaded (a herd of 1)', runs.unloaded],
    [`loaded (a herd of ${en(n)})`, runs.loaded],
    ...(runs.unbounded ? [['the same herd, unbounded pool', runs.unbounded]] : []),
    ...(runs.window ? [[`the same herd, \`rateLimit: { concurrency: ${window} }\``, runs.window]] : []),
  ].map(([kind, rs]) => [
    kind,
    ...['toServerMs', 'inServerMs', 'backMs'].map((k) =>
      ms(
        rs.map((x) => x[k]),
        1,
      ),
    ),
    ...['answeredMeanwhile', 'deadMeanwhile', 'readFirst'].map((k) => ms(rs.map((x) => x[k]))),
  ]);

const medianOf = (runs, key) => median(runs.map((x) => x[key]));

/**
 * The loaded herd again with an admission window of `window` requests: its refresh against the
 * unloaded one, its wall time against the full pool's, and what that says of the target.
 */
function windowNote(runs, bound, window, what) {
  const unloaded = medianOf(runs.unloaded, 'refreshMs');
  const [full, narrow] = [medianOf(runs.loaded, 'refreshMs'), medianOf(runs.window, 'refreshMs')];
  const [fullWall, narrowWall] = [medianOf(runs.loaded, 'wallMs'), medianOf(runs.window, 'wallMs')];
  return `With \`rateLimit: { concurrency: ${window} }\` (at most ${window} of the herd's requests handed to ${what} at once) the refresh took ${narrow.toFixed(1)} ms against ${unloaded.toFixed(1)} ms unloaded, ${(narrow / unloaded).toFixed(1)}× (${narrow <= bound * unloaded ? 'within' : 'over'} the ${bound}× bound; ${full.toFixed(1)} ms with every place in use), and the herd took ${narrowWall.toFixed(0)} ms against ${fullWall.toFixed(0)} ms with every place in use (${(narrowWall / fullWall).toFixed(2)}×).`;
}

/**
 * The bare node:http client sending as this library does (floor.mjs): how many requests each sent
 * with the revoked token, how much the loaded pool added to each one's refresh, against what the
 * target leaves this library.
 */
function floorNote(runs, bound) {
  const addedText = (x) => (x > 0 ? `${x.toFixed(1)} ms` : `nothing (${x.toFixed(1)} ms)`);
  const added = (loaded, unloaded) => medianOf(loaded, 'refreshMs') - medianOf(unloaded, 'refreshMs');
  const [bare, ours] = [added(runs.floor, runs.floorUnloaded), added(runs.loaded, runs.unloaded)];
  const leaves = (bound - 1) * medianOf(runs.unloaded, 'refreshMs');
  const [loaded, unloaded] = [medianOf(runs.floor, 'refreshMs'), medianOf(runs.floorUnloaded, 'refreshMs')];
  const within = (x) => (x <= leaves ? 'within' : 'over');
  return `A client of bare node:http doing the least the scenario allows (\`spec/bench/floor.mjs\`: no axios; requests sent as this library sends them, at most the pool's size in flight and 16 a turn of the event loop; the refresh on a warm connection of its own the moment the first dead answer is read, the other answers left unread meanwhile; nothing sent until the new token is there) took ${loaded.toFixed(1)} ms against ${unloaded.toFixed(1)} ms unloaded (${(loaded / unloaded).toFixed(1)}×). The server counted ${medianOf(runs.floor, 'unauthenticated')} requests with the revoked token from it and ${medianOf(runs.loaded, 'unauthenticated')} from this library (medians). The loaded pool added ${addedText(bare)} to its refresh (${within(bare)} the ${leaves.toFixed(1)} ms the target leaves this library) and ${addedText(ours)} to this library's (${within(ours)}).`;
}

/** Which part of the loaded refresh's time is the largest, and what the server and this process were doing meanwhile. */
function partsNote(runs) {
  const m = (k) => median(runs.loaded.map((x) => x[k]));
  const of = (k) => `${m(k).toFixed(1)} ms of ${m('refreshMs').toFixed(1)}`;
  const said = {
    toServerMs: `from its start until the server read the refresh request (${of('toServerMs')}): meanwhile the server answered ${m('answeredMeanwhile')} requests (median), ${m('deadMeanwhile')} of them with the revoked token — requests already on the wire before the token was known dead`,
    inServerMs: `in the server (${of('inServerMs')})`,
    backMs: `after the server had answered it, until this process read the answer (${of('backMs')}): this process was reading the herd's answers that had arrived first (${m('readFirst')}, median) — answers to requests already on the wire before the token was known dead`,
  };
  const largest = Object.keys(said).reduce((a, b) => (m(b) > m(a) ? b : a));
  return `Where the loaded refresh's time went (medians; times on the machine's monotonic clock, which the server's log and this process share): the largest part came ${said[largest]}.`;
}

/** Section: a herd on a bounded pool, on both servers. */
export function poolSection({ pool, serverNames, poolRuns, bound }) {
  const servers = Object.keys(serverNames);
  const limit = pool.n + pool.maxSockets + 1;
  const over = (srv) => poolRuns[srv].loaded.filter((x) => x.requests > limit).length;
  return `## 3. A bounded pool: ${en(pool.n)} queries on a revoked token, ${pool.maxSockets} sockets

The client's agent is \`new http.Agent({ keepAlive: true, maxSockets: ${pool.maxSockets} })\`, as backends bound their
pools; the access token is revoked on the server while the client still holds it as valid (expiry
unknown to it). Each run first opens the pool's ${pool.maxSockets} connections with valid queries. The
refresh's latency is measured from the library's own diagnostics channels
(\`axios-graphql-refresh:refresh:start\` to \`:end\`, docs/observability.md), timed with
\`performance.now()\` in their subscribers: the whole refresh flight as the library runs it, its wait
for a socket included. The unloaded reference is the same client on the same warm pool with a herd
of 1 (one query fails, one refresh, one replay). Beside them, not targets: the same herd with an
unbounded pool (\`maxSockets: Infinity\`, the same ${pool.maxSockets} connections opened first); the same herd
with \`rateLimit: { concurrency: ${pool.window} }\`, so that the plugin hands the agent at most ${pool.window} requests at
once; and a client of bare node:http that sends as this library does (\`spec/bench/floor.mjs\`), a herd
of 1 and the loaded herd, timed from the first dead answer read to the refresh's answer read. ${plural(pool.rounds, 'round')} per server, each
running the six in turn, in alternating order; medians, range in brackets. A second table splits
each refresh in three: from its start until the server read the refresh request (this process's
work to send it included), in the server, and until this process read the answer, from the server's
log of when it read and answered each request and from this process's own times (Node's
\`http.client.response.finish\` channel); beside them, what the server answered meanwhile, and how
many of the herd's answers this process read before the refresh's.

${servers
  .map(
    (srv) => `On ${serverNames[srv]}:

${table(['run', 'refresh latency (ms)', 'refreshes', 'server requests', 'answered', 'wall time (ms)'], latencyRows(poolRuns[srv], pool.n, pool.window))}

Refresh latency with the pool saturated: ${latencyVerdict(poolRuns[srv], bound)} (target ≤ ${bound}×).
${unboundedNote(poolRuns[srv])}
${floorNote(poolRuns[srv], bound)}
${windowNote(poolRuns[srv], bound, pool.window, 'the agent')}
Server requests: ${ms(poolRuns[srv].loaded.map((x) => x.requests))} against at most N + maxSockets + 1 = ${en(limit)}: ${metWord(over(srv) === 0)}${over(srv) ? ` (over in ${over(srv)} of ${poolRuns[srv].loaded.length} runs)` : ''}.

${table(['run', 'until the server read it (ms)', 'in the server (ms)', 'until this process read the answer (ms)', 'answered by the server meanwhile', 'of them with the revoked token', "the herd's answers read before the refresh's"], partsRows(poolRuns[srv], pool.n, pool.window))}

${partsNote(poolRuns[srv])}`,
  )
  .join('\n\n')}
`;
}

/** Section: Chromium, one tab, a herd through the browser's 6 connections (the plugin hands it 5). */
export function browserSection({ browser, browserRuns, bound, warm }) {
  if (browserRuns.error)
    return `## 4. The browser: one tab, ${browser.n} queries on a revoked token\n\nNot measured: ${browserRuns.error}.\n`;
  return `## 4. The browser: one tab, ${browser.n} queries on a revoked token

Chromium ${browserRuns.version} (headless, driven by playwright-core), one tab, this library's browser
build on axios bundled by esbuild (\`spec/bench/browser-page.mjs\`), served by the lean server on the
API's own origin (so no CORS preflight joins the queue). Over HTTP/1.1 the browser opens at most 6
connections to a host and queues the other requests, a refresh sent through the same browser
included; the plugin hands it at most 5 of its requests at once, leaving a connection free for the
refresh (docs/how-it-works.md, "admission in a browser"). Each run starts a new client, sends ${warm} valid queries at once (the tab's 6 connections open),
revokes the token on the server and sends the herd. Refresh latency here is measured in the page,
from the first \`UNAUTHENTICATED\` answer reaching it to the library's \`onRefresh\` (the page sees no
diagnostics channel); beside it, its two parts: from that answer to the moment the library hands the
refresh request to the browser (\`XMLHttpRequest.send\` or \`fetch\`), the page's own work (the
library reads the XSRF cookie itself for the refresh, where axios would read it through the Cookie
Store API and let the page handle the herd's answers first: docs/how-it-works.md, "the refresh leaves
at once in a page"); and the refresh request alone, from then to its answer, its wait for a connection included. ${plural(browser.rounds, 'round')}, each an
unloaded run (a herd of 1), a loaded one, and beside them (not a target) the loaded one with
\`rateLimit: { concurrency: ${browser.window} }\`, in alternating order; medians, range in brackets.

${table(
  [
    'run',
    'refresh latency (ms)',
    'until handed to the browser (ms)',
    'refresh request alone (ms)',
    'refreshes',
    'server requests',
    'answered',
    'wall time (ms)',
  ],
  latencyRows(browserRuns, browser.n, browser.window, (rs) => [
    ms(
      rs.map((x) => x.handedMs),
      1,
    ),
    ms(
      rs.map((x) => x.refreshRequestMs),
      1,
    ),
  ]),
)}

Refresh latency through the browser's 6 connections: ${latencyVerdict(browserRuns, bound)} (target ≤ ${bound}×).
${bareNote(browserRuns, bound)}
${windowNote(browserRuns, bound, browser.window, 'the browser')}
`;
}

/** The browser's own floor for the loaded refresh (browser.mjs, bareAnswers), against the target. */
function bareNote({ bare, unloaded }, bound) {
  const floor = median(bare);
  const target = bound * median(unloaded.map((x) => x.refreshMs));
  const verdict =
    floor > target
      ? `above the target's ${target.toFixed(1)} ms: on this machine the target is below what the browser itself allows with ${AHEAD} answers ahead`
      : `${(target - floor).toFixed(1)} ms below the target's ${target.toFixed(1)} ms: what the page's own work (axios and this library) must fit in`;
  return `In the same tab, ${AHEAD + 1} bare XHRs sent at once (no axios, no library) were read over ${ms(bare, 1)} ms from the first answer to the last (${bare.length} tries). In a loaded run ${AHEAD} of the herd's answers are in flight ahead of the refresh's, which the browser cannot read before them: ${floor.toFixed(1)} ms after the first, ${verdict}.`;
}

/** Section: the NextSchool preset against the sandbox with its rate limits on. */
export function pacedSection({ pacedResults, targets, scaled, documented }) {
  const rows = Object.values(pacedResults).map((r) => {
    const c = r.config;
    const limits = `$c.limits.perUser/ ${c.limits.windowMs / 1000} s per user, ${c.limits.perIp} per IP, ${plural(c.limits.login, 'login')}`;
    const option = c.rateLimit
      ? `\`rateLimit: { intervalCap: $c.rateLimit.intervalCap, interval: $c.rateLimit.interval}\``
      : "none (the preset's defaults)";
    if (r.error) return [r.what, limits, option, '–', '–', '–', '–', '–', 'not run'];
    const bound = targets.wallRatio * r.least;
    return [
      c.processes === 1 ? 'one process' : `${c.processes} processes, one RedisTokenStore`,
      limits,
      option,
      `${r.answered} / ${r.total}`,
      String(r.server.rateLimited),
      `${r.server.requests} (${plural(r.server.logins, 'login')})`,
      (r.wallMs / 1000).toFixed(1),
      `${(r.least / 1000).toFixed(0)}${r.least > 0 ? ` (target ≤ ${(bound / 1000).toFixed(1)})` : ''}`,
      r.timedOut
        ? '**timed out**'
        : String(
            r.answered === r.total && r.server.rateLimited <= targets.declined && (r.least === 0 || r.wallMs <= bound) ? 'yes' : '**no**',
          ),
    ];
  });
  const notes = Object.values(pacedResults)
    .filter((r) => !r.error && !r.timedOut)
    .map((r) => {
      const failed = Object.entries(r.failures).map(([k, v]) => `${v} × ${k}`);
      const perProcess =
        r.processes.length > 1 ? ` Each process finished after ${list(r.processes.map((p) => `${(p.wallMs / 1000).toFixed(1)} s`))}.` : '';
      return `- ${r.what}: ${failed.length ? `${r.total - r.answered} failed (${failed.join(', ')})` : 'every query answered'}; the server declined ${plural(r.server.rateLimited, 'request')}.${perProcess}`;
    });
  return `## 10. Rate limits: the NextSchool preset against the sandbox

The package's sandbox (\`startSandboxServer\` of \`axios-graphql-refresh/testing\`, in its own process)
with its rate limits on, and \`createNextSchoolClient\` as a user runs it (service credentials, a lazy
login), each client in a process of its own (\`spec/bench/paced-worker.mjs\`). Every query of a burst
has its own variables (an offset), so none is sent once for several callers. Scaled runs divide every
documented limit (${documented.perUser} per user, ${documented.perIp} per IP, ${documented.login} logins, per ${documented.windowMs / 1000} s) by ${documented.perUser / scaled.perUser} (rounded to whole requests) and
the window by ${documented.windowMs / scaled.windowMs}: ${scaled.perUser} per user, ${scaled.perIp} per IP and ${plural(scaled.login, 'login')} per ${scaled.windowMs / 1000} s; the client gets the same per-user
limit as its \`rateLimit\`. The shared run starts a redis-server on a free loopback port and gives every
process a \`RedisTokenStore\` on one key. Wall time runs from the moment every process is ready and told
to go to the last answer. The least time the limit allows is the start of the last window the burst
needs, (⌈queries / limit⌉ − 1) × window, for a server whose fixed window starts at its first request.
Targets: ≤ ${targets.declined} declined by the server (any layer), every query answered, wall time ≤ ${targets.wallRatio} × the least
the limit allows. One run each.

${table(['run', 'server limits', 'client option', 'answered', 'declined by the server', 'server requests', 'wall time (s)', 'least the limit allows (s)', 'met'], rows)}

${notes.join('\n')}
`;
}
