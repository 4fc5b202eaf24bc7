// A lean NextSchool-like GraphQL server for the benchmarks, run in its own process (child_process
// fork) so the client under test and the server each get a core. No graphql-js: fixed answers, so
// the numbers measure the clients. Controlled over IPC: reset, expire, configure, stats.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

let config = { ttlMs: 0, refreshDelayMs: 0, perUser: 0, windowMs: 60_000 };
let access = new Map(); // token → expiry epoch ms (Infinity when no TTL)
let refresh = new Set();
let stats;
let window = { start: 0, count: 0 };

function reset(next = {}) {
  config = { ttlMs: 0, refreshDelayMs: 0, perUser: 0, windowMs: 60_000, ...next };
  access = new Map();
  refresh = new Set();
  stats = { requests: 0, refreshes: 0, unauthenticated: 0, declined: 0, answered: 0 };
  window = { start: Date.now(), count: 0 };
}
reset();

const token = (p) => `${p}-${randomBytes(12).toString('base64url')}`;
function issue() {
  const accessToken = token('at');
  access.set(accessToken, config.ttlMs ? Date.now() + config.ttlMs : Infinity);
  const refreshToken = token('rt');
  refresh.add(refreshToken);
  return { accessToken, refreshToken, expiresIn: config.ttlMs ? config.ttlMs / 1000 : 900 };
}

const STUDENTS = JSON.stringify({
  data: {
    students: [
      { id: 1, fullName: 'เด็กชายสมชาย ใจดี' },
      { id: 2, fullName: 'เด็กหญิงมาลี รักเรียน' },
    ],
  },
});
const UNAUTH = JSON.stringify({
  errors: [{ message: 'Authentication required', path: ['students'], extensions: { code: 'UNAUTHENTICATED' } }],
  data: { students: null },
});

function send(res, body) {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    stats.requests++;
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const query = String(body.query ?? '');
    if (query.includes('refreshToken(')) {
      stats.refreshes++;
      const given = body.variables?.refreshToken ?? /refreshToken: "([^"]+)"/.exec(query)?.[1];
      const answer = () => {
        if (!refresh.has(given))
          return send(res, JSON.stringify({ data: { refreshToken: null }, errors: [{ message: 'Invalid or expired refresh token' }] }));
        const { accessToken, expiresIn } = issue();
        send(res, JSON.stringify({ data: { refreshToken: { accessToken, expiresIn } } }));
      };
      if (config.refreshDelayMs) setTimeout(answer, config.refreshDelayMs);
      else answer();
      return;
    }
    const auth = req.headers.authorization?.slice(7);
    const expiry = auth ? access.get(auth) : undefined;
    if (expiry === undefined || Date.now() >= expiry) {
      stats.unauthenticated++;
      return send(res, UNAUTH);
    }
    if (config.perUser) {
      const now = Date.now();
      if (now - window.start >= config.windowMs) window = { start: now, count: 0 };
      if (++window.count > config.perUser) {
        stats.declined++;
        const retryAfter = Math.max(0.05, (window.start + config.windowMs - now) / 1000);
        return send(
          res,
          JSON.stringify({
            errors: [{ message: 'Too many requests. Please slow down.', extensions: { code: 'RATE_LIMITED', retryAfter } }],
          }),
        );
      }
    }
    stats.answered++;
    send(res, STUDENTS);
  });
});
server.keepAliveTimeout = 60_000;

process.on('message', (message) => {
  const { id, cmd, args } = message;
  let result;
  if (cmd === 'reset') reset(args);
  else if (cmd === 'issue') result = issue();
  else if (cmd === 'expire') for (const key of access.keys()) access.set(key, 0);
  else if (cmd === 'stats') result = { ...stats };
  process.send({ id, result });
});

server.listen(0, '127.0.0.1', () => process.send({ ready: true, url: `http://127.0.0.1:${server.address().port}/` }));
