// The floor of the bounded-pool scenario: what the refresh costs a client that does nothing but
// the least the scenario asks — node:http, no axios, no plugin. The same warm pool of `maxSockets`
// keep-alive sockets, the same herd of `n` queries on a revoked token; at most `maxSockets` in
// flight (none waits in the agent), the refresh sent on a connection of its own (warmed too) the
// moment the first dead answer is read, the sockets still carrying the dead token left unread
// meanwhile, nothing else sent until the new token is there, the dead ones sent again with it. Its
// refresh time is what any client meets against that server on this machine: the server's own
// queue of requests already on the wire, which no client can call back (docs/benchmarks.md, §1c).
import http from 'node:http';
import { STUDENTS } from './clients.mjs';

const REFRESH = 'mutation RefreshToken($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken expiresIn } }';

/** POSTs `body` through `agent`; resolves with the parsed answer. `onSocket` sees the socket it went on. */
function post(url, agent, body, token, onSocket) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (onSocket) req.on('socket', onSocket);
    req.end(data);
  });
}

const dead = (answer) => answer.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED');

/**
 * One herd of `n` on a revoked token through the least client, on `server` (the bench's IPC), with
 * at most `window` requests in flight. Returns `refreshMs` (the first dead answer read → the
 * refresh's answer read), `wallMs`, `refreshes` and `requests` the server saw, and `answered`.
 */
export async function floorHerd(server, n, { maxSockets, window = maxSockets }) {
  await server.call('reset');
  let { accessToken: token, refreshToken } = await server.call('issue');
  const pool = new http.Agent({ keepAlive: true, maxSockets });
  const own = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const query = (offset, limit) => ({ query: STUDENTS.source, variables: { limit, offset } });
  try {
    await Promise.all(Array.from({ length: maxSockets }, (_, i) => post(server.url, pool, query(i, 1), token)));
    await post(server.url, own, query(0, 1), token); // the refresh's connection, warm as the pool's
    await server.call('expire');
    const before = await server.call('stats');
    const waiting = Array.from({ length: n }, (_, i) => i);
    const inFlight = new Set(); // sockets carrying a request whose answer is not read yet
    let active = 0;
    let refreshing;
    let refreshMs;
    let answered = 0;
    let done;
    const finished = new Promise((resolve) => (done = resolve));
    const refresh = () => {
      const started = performance.now();
      for (const socket of inFlight) socket.pause(); // their answers wait: they carry the dead token
      refreshing = post(server.url, own, { query: REFRESH, variables: { refreshToken } }).then((answer) => {
        refreshMs = performance.now() - started;
        token = answer.data.refreshToken.accessToken;
        refreshing = undefined;
        for (const socket of inFlight) socket.resume();
        pump();
      });
    };
    const send = (i) => {
      active++;
      const sentWith = token;
      let socket;
      post(server.url, pool, query(i, 2), sentWith, (s) => inFlight.add((socket = s))).then((answer) => {
        inFlight.delete(socket);
        active--;
        if (dead(answer)) {
          waiting.unshift(i);
          if (sentWith === token && !refreshing) refresh();
        } else answered++;
        if (answered === n) done();
        else pump();
      });
    };
    const pump = () => {
      while (!refreshing && active < window && waiting.length > 0) send(waiting.shift());
    };
    const t0 = performance.now();
    pump();
    await finished;
    const wallMs = performance.now() - t0;
    const after = await server.call('stats');
    return { refreshMs, wallMs, refreshes: after.refreshes - before.refreshes, requests: after.requests - before.requests, answered };
  } finally {
    pool.destroy();
    own.destroy();
  }
}
