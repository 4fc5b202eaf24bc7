// What the two bench servers share (server.mjs, the lean one; graphql-server.mjs, graphql-js through
// graphql-yoga): the tokens they issue and revoke, their counters, the IPC the bench drives them
// with (reset, issue, expire, stats, log, page), and the page of the browser scenario. Each server runs
// in its own process (child_process fork), so the client under test and the server get a core each.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

// record: keep a log of every POST (requestLog), for the bounded-pool scenario's account of what the
// server answered while a refresh was under way.
const DEFAULTS = { ttlMs: 0, refreshDelayMs: 0, perUser: 0, windowMs: 60_000, record: false };

/** The state of a bench server; `reset()` starts it afresh. */
export const state = {
  config: { ...DEFAULTS },
  access: new Map(), // token → expiry epoch ms (Infinity when no TTL)
  refresh: new Set(),
  stats: undefined,
  window: { start: 0, count: 0 },
  /** With `config.record`: `[arrivedMs, answeredMs, kind]` per POST, on the machine's monotonic clock (see monotonicMs). */
  requestLog: [],
};

/**
 * Milliseconds on the monotonic clock every process of the machine shares (CLOCK_MONOTONIC, which
 * `process.hrtime` reads): the client's times and the server's can be compared.
 */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

function reset(next = {}) {
  state.config = { ...DEFAULTS, ...next };
  state.access = new Map();
  state.refresh = new Set();
  state.stats = { requests: 0, refreshes: 0, unauthenticated: 0, declined: 0, answered: 0 };
  state.window = { start: Date.now(), count: 0 };
  state.requestLog = [];
}
reset();

const token = (p) => `${p}-${randomBytes(12).toString('base64url')}`;
/** A new token pair; the access token lives `config.ttlMs` (forever when 0) or until `expire`. */
export function issue() {
  const { ttlMs } = state.config;
  const accessToken = token('at');
  state.access.set(accessToken, ttlMs ? Date.now() + ttlMs : Infinity);
  const refreshToken = token('rt');
  state.refresh.add(refreshToken);
  return { accessToken, refreshToken, expiresIn: ttlMs ? ttlMs / 1000 : 900 };
}

/** Whether `bearer` (the Authorization header's token) is a live access token. */
export function live(bearer) {
  const expiry = bearer ? state.access.get(bearer) : undefined;
  return expiry !== undefined && Date.now() < expiry;
}

/** What a POST carries: no token (a refresh or a login), a live access token, or a dead one. */
function kindOf(req) {
  const auth = req.headers.authorization;
  if (!auth) return 'token';
  return live(auth.replace(/^Bearer /, '')) ? 'live' : 'dead';
}

/** The two students every query is answered with (the same on both servers). */
export const STUDENTS = [
  { id: 1, fullName: 'เด็กชายสมชาย ใจดี' },
  { id: 2, fullName: 'เด็กหญิงมาลี รักเรียน' },
];

// The browser scenario's page, served on the API's own origin (no CORS preflight: the requests the
// browser queues are the queries and the refresh, nothing else). Set over IPC ('page').
let script;
const HTML = '<!doctype html><meta charset="utf-8"><title>bench</title><script src="/app.js"></script>';
function servePage(req, res) {
  const [type, body] = req.url === '/app.js' && script ? ['text/javascript', script] : req.url === '/' ? ['text/html', HTML] : [];
  if (!type) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * Listens on 127.0.0.1 with `handler` for the GraphQL POSTs (GETs serve the page), counts every POST
 * in `stats.requests`, answers the bench's IPC, and tells the parent its URL (`path` appended).
 */
export function serve(handler, path = '/') {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') return servePage(req, res);
    state.stats.requests++;
    if (state.config.record) {
      const entry = [monotonicMs(), Number.NaN, kindOf(req)];
      state.requestLog.push(entry);
      res.on('finish', () => {
        entry[1] = monotonicMs();
      });
    }
    handler(req, res);
  });
  server.keepAliveTimeout = 60_000;
  process.on('message', ({ id, cmd, args }) => {
    let result;
    if (cmd === 'reset') reset(args);
    else if (cmd === 'issue') result = issue();
    else if (cmd === 'expire') for (const key of state.access.keys()) state.access.set(key, 0);
    else if (cmd === 'stats') result = { ...state.stats };
    else if (cmd === 'log') result = state.requestLog;
    else if (cmd === 'page') script = args;
    process.send({ id, result });
  });
  server.listen(0, '127.0.0.1', () => process.send({ ready: true, url: `http://127.0.0.1:${server.address().port}${path}` }));
}
