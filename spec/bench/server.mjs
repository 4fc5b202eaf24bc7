// A lean NextSchool-like GraphQL server for the benchmarks, run in its own process (child_process
// fork) so the client under test and the server each get a core. No graphql-js: fixed answers, so
// the numbers measure the clients (graphql-server.mjs is the graphql-js one). Tokens, counters and
// the IPC the bench drives it with are in server-core.mjs.
import { issue, STUDENTS as LIST, live, serve, state } from './server-core.mjs';

const STUDENTS = JSON.stringify({ data: { students: LIST } });
const UNAUTH = JSON.stringify({
  errors: [{ message: 'Authentication required', path: ['students'], extensions: { code: 'UNAUTHENTICATED' } }],
  data: { students: null },
});

function send(res, body) {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function refresh(res, body, query) {
  const { stats, config } = state;
  stats.refreshes++;
  const given = body.variables?.refreshToken ?? /refreshToken: "([^"]+)"/.exec(query)?.[1];
  const answer = () => {
    if (!state.refresh.has(given))
      return send(res, JSON.stringify({ data: { refreshToken: null }, errors: [{ message: 'Invalid or expired refresh token' }] }));
    const { accessToken, expiresIn } = issue();
    send(res, JSON.stringify({ data: { refreshToken: { accessToken, expiresIn } } }));
  };
  if (config.refreshDelayMs) setTimeout(answer, config.refreshDelayMs);
  else answer();
}

/** Over `config.perUser` in the current fixed window: the RATE_LIMITED answer, as NextSchool's per-user limit. */
function declined(res) {
  const { config, stats } = state;
  if (!config.perUser) return false;
  const now = Date.now();
  if (now - state.window.start >= config.windowMs) state.window = { start: now, count: 0 };
  if (++state.window.count <= config.perUser) return false;
  stats.declined++;
  const retryAfter = Math.max(0.05, (state.window.start + config.windowMs - now) / 1000);
  send(
    res,
    JSON.stringify({ errors: [{ message: 'Too many requests. Please slow down.', extensions: { code: 'RATE_LIMITED', retryAfter } }] }),
  );
  return true;
}

serve((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const query = String(body.query ?? '');
    if (query.includes('refreshToken(')) return refresh(res, body, query);
    if (!live(req.headers.authorization?.slice(7))) {
      state.stats.unauthenticated++;
      return send(res, UNAUTH);
    }
    if (declined(res)) return;
    state.stats.answered++;
    send(res, STUDENTS);
  });
});
