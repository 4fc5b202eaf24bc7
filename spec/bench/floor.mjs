// The floor of the bounded-pool scenario: what the refresh costs a client that does nothing but
// the least the scenario asks — node:http, no axios, no plugin. The same warm pool of `maxSockets`
// keep-alive sockets, the same herd of `n` queries on a revoked token, sent as this library sends
// them: at most the pool's size in flight (none waits in the agent), 16 a turn of the event loop
// (PER_TURN, lib/util/turns.ts), so as many requests carry the dead token when it is found out.
// The refresh goes on a connection of its own (warmed too) the moment the first dead answer is
// read, the sockets still carrying the dead token are left unread meanwhile, nothing else is sent
// until the new token is there, and the dead ones go again with it. What the loaded pool adds to
// its refresh is the server's queue with none of this library's work (docs/benchmarks.md, §3).
import http from 'node:http';
import { isUnauthenticated, REFRESH, STUDENTS } from './clients.mjs';

/** POSTs `body` through `agent`; resolves with the parsed answer. `onSocket` sees the socket it went on. */
function post(url, agent, body, token, onSocket) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (onSocket) req.on('socket', onSocket);
    req.end(data);
  });
}

/** Requests that leave in one turn of the event loop, as this library's PER_TURN (lib/util/turns.ts). */
const PER_TURN = 16;

/**
 * One herd of `n` on a revoked token through the least client, on `server` (the bench's IPC).
 * Returns `refreshMs` (the first dead answer read → the refresh's answer read), `wallMs`, what the
 * server counted (`refreshes`, `requests`, `unauthenticated`) and `answered` (queries given data).
 * Rejects if a request fails or an answer is not what the scenario expects.
 */
export async function floorHerd(server, n, { maxSockets }) {
  await server.call('reset', { record: true }); // as the library's runs: the server logs every request
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
    let used = 0; // requests sent this turn
    let due = false; // a new turn is asked for
    let done;
    let fail;
    const finished = new Promise((resolve, reject) => ((done = resolve), (fail = reject)));
    const refresh = () => {
      const started = performance.now();
      for (const socket of inFlight) socket.pause(); // their answers wait: they carry the dead token
      refreshing = post(server.url, own, { query: REFRESH, variables: { refreshToken } })
        .then((answer) => {
          refreshMs = performance.now() - started;
          token = answer.data.refreshToken.accessToken;
          refreshing = undefined;
          for (const socket of inFlight) socket.resume();
          pump();
        })
        .catch(fail);
    };
    const send = (i) => {
      active++;
      used++;
      const sentWith = token;
      let socket;
      post(server.url, pool, query(i, 2), sentWith, (s) => inFlight.add((socket = s)))
        .then((answer) => {
          inFlight.delete(socket);
          active--;
          if (isUnauthenticated(answer)) {
            waiting.unshift(i);
            if (sentWith === token && !refreshing) refresh();
          } else if (Array.isArray(answer.data?.students)) answered++;
          else throw new Error(`unexpected answer: ${JSON.stringify(answer).slice(0, 200)}`);
          if (answered === n) done();
          else pump();
        })
        .catch(fail);
    };
    const newTurn = () => {
      due = false;
      used = 0;
      pump();
    };
    function pump() {
      while (!refreshing && active < maxSockets && waiting.length > 0 && used < PER_TURN) send(waiting.shift());
      if (used > 0 && !due) (due = true), setImmediate(newTurn);
    }
    const t0 = performance.now();
    pump();
    await finished;
    const wallMs = performance.now() - t0;
    const after = await server.call('stats');
    const counted = (key) => after[key] - before[key];
    return {
      refreshMs,
      wallMs,
      refreshes: counted('refreshes'),
      requests: counted('requests'),
      unauthenticated: counted('unauthenticated'),
      answered,
    };
  } finally {
    pool.destroy();
    own.destroy();
  }
}
