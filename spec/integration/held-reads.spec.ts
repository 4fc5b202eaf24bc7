import dc from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, gql } from '../../lib';
import { within } from '../support/events';
import { type HeldServer, heldServer } from '../support/held-server';

// While the refresh is out because an answer said the token is dead, the other answers to that token
// wait unread on their sockets (docs/how-it-works.md, "connection pools"; lib/transport/held-reads.ts).
// The server here answers every held request before the refresh, so those answers reach the client
// first: without the hold, the client reads them before the refresh's answer.

const STUDENTS = gql`query Students { students { id fullName } }`;
const TOKENS = { accessToken: 'at-revoked', refreshToken: 'rt-0123456789' };
const POOL = 4;

let server: HeldServer | undefined;
const agents: http.Agent[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const close of closers.splice(0)) await close();
  for (const agent of agents.splice(0)) agent.destroy();
});

/** The answers this process reads, in order: 'data' (a query) or 'token' (the refresh, the one request without Authorization). */
function recordReads() {
  const reads: string[] = [];
  const onFinish = (message: unknown) => {
    const request = (message as { request: http.ClientRequest }).request;
    reads.push(request.getHeader('authorization') ? 'data' : 'token');
  };
  dc.subscribe('http.client.response.finish', onFinish);
  return { reads, stop: () => dc.unsubscribe('http.client.response.finish', onFinish) };
}

/** POOL queries on a revoked token through `agent` (none: Node's global agent); the server holds them, then answers the oldest. */
async function herd(agent: http.Agent | undefined, options: { refresh?: () => Promise<{ accessToken: string }> } = {}) {
  if (agent) agents.push(agent);
  const srv = server!;
  const api = axios.create({ baseURL: srv.url, httpAgent: agent });
  const auth = attachTokenRefresh(api, { tokens: TOKENS, ...options });
  const client = createGraphQLClient(api, { coalesce: false });
  const recording = recordReads();
  try {
    srv.holdData();
    const answers = Promise.allSettled(Array.from({ length: POOL }, () => client.query(STUDENTS)));
    await srv.dataArrived(POOL);
    srv.answerOldest(); // the refresh starts; the server answers the other POOL - 1 just before it
    return { outcomes: await answers, reads: recording.reads, stats: auth.stats };
  } finally {
    recording.stop();
  }
}

const received = (name: string) => server!.received.filter((r) => r.operationName === name);

/** `Date.now()` stays where it is until the test ends (timers still run). */
function frozenClock(): void {
  const now = Date.now();
  jest.spyOn(Date, 'now').mockReturnValue(now);
}
afterEach(() => jest.restoreAllMocks());

describe('the herd’s answers to a dead token, while the refresh is out', () => {
  it.each([
    ['a bounded pool (the refresh takes the socket the first answer freed)', POOL],
    ['an unbounded pool', Number.POSITIVE_INFINITY],
    ['no agent of the instance’s own (Node’s global agent)', undefined],
  ])('on %s: are read after the refresh’s answer, then replayed once with the new token', async (_, maxSockets) => {
    server = await heldServer({ answerHeldFirst: true });
    // The hold lets go after 50 ms by the clock: frozen here, so a machine slow to send and answer
    // the refresh still sees what the hold does (its deadline is pinned in spec/unit/held-reads.spec.ts).
    frozenClock();

    const agent = maxSockets === undefined ? undefined : new http.Agent({ keepAlive: true, maxSockets });
    const { outcomes, reads, stats } = await herd(agent);

    // One dead answer started the refresh; the other POOL - 1 were on the wire before its answer, and read after it.
    expect(reads.slice(0, 2)).toEqual(['data', 'token']);
    expect(reads.filter((r) => r === 'data')).toHaveLength(2 * POOL);
    expect(outcomes.map((o) => o.status)).toEqual(Array(POOL).fill('fulfilled'));
    expect(received('RefreshToken')).toHaveLength(1);
    expect(received('Students').filter((r) => r.authorization === 'Bearer at-new-1')).toHaveLength(POOL);
    expect(stats.replays).toBe(POOL);
  });

  it('are read as they come when the refresh is the user’s own (its transport is unknown: holding could starve it)', async () => {
    server = await heldServer({ answerHeldFirst: true });
    const own = axios.create({ baseURL: server.url });
    const refresh = async () => {
      const { data } = await own.post('', { query: 'mutation { refreshToken }', operationName: 'RefreshToken' });
      return data.data.refreshToken as { accessToken: string };
    };

    const { outcomes, reads } = await herd(new http.Agent({ keepAlive: true, maxSockets: POOL }), { refresh });

    expect(reads.indexOf('token')).toBe(POOL);
    expect(outcomes.map((o) => o.status)).toEqual(Array(POOL).fill('fulfilled'));
  });

  it('let other traffic through at once when it queues behind them (a shared agent, a refresh slow to answer)', async () => {
    const api = await scripted(new http.Agent({ keepAlive: true, maxSockets: POOL }));
    const client = createGraphQLClient(api.instance, { coalesce: false });
    const answers = Promise.allSettled(Array.from({ length: POOL }, () => client.query(STUDENTS)));
    const dead = await api.arrived((r) => r.authorization === 'Bearer at-revoked', POOL);
    const others = Promise.allSettled(Array.from({ length: POOL }, () => api.plain.post('', { query: STUDENTS.source })));
    dead[0]!.answer(UNAUTHENTICATED);
    const [refresh] = await api.arrived((r) => r.operationName === 'RefreshToken', 1);
    for (const request of dead.slice(1)) request.answer(UNAUTHENTICATED); // on the wire before the refresh's answer: held

    // The other traffic needs every socket of the pool, three of them held: held until the refresh
    // answered, none of it would reach the server before `refreshTimeoutMs`.
    const arrivedOthers = await within(
      api.arrived((r) => r.other, POOL),
      'the other traffic waited behind the held sockets',
    );
    for (const request of arrivedOthers) request.answer(DATA);
    refresh!.answer({ data: { refreshToken: { accessToken: 'at-new', expiresIn: 900 } } });

    expect((await others).map((o) => o.status)).toEqual(Array(POOL).fill('fulfilled'));
    expect((await answers).map((o) => o.status)).toEqual(Array(POOL).fill('fulfilled'));
    expect(api.requests.filter((r) => r.operationName === 'RefreshToken')).toHaveLength(1);
  });

  it.each([
    ['an axios timeout', () => ({ timeout: 400 })],
    ['an AbortSignal the plugin cannot see', () => ({ signal: AbortSignal.timeout(400) })],
  ])('are held briefly: a good answer given just before the token died reaches its caller before %s', async (_, deadline) => {
    const api = await scripted(new http.Agent({ keepAlive: true }));
    const slow = api.instance.post('', { query: STUDENTS.source }, deadline());
    const [accepted] = await api.arrived(() => true, 1); // accepted with the token, answered later
    const dead = api.instance.post('', { query: STUDENTS.source });
    const [rejected] = await api.arrived((r) => r !== accepted, 1);
    rejected!.answer(UNAUTHENTICATED);
    const [refresh] = await api.arrived((r) => r.operationName === 'RefreshToken', 1);
    accepted!.answer(DATA); // on the wire while the refresh is out: held

    // The refresh is answered only once the good answer reached its caller: held until then, it would time out.
    await expect(slow.then((r) => r.data)).resolves.toEqual(DATA);
    refresh!.answer({ data: { refreshToken: { accessToken: 'at-new', expiresIn: 900 } } });
    await expect(dead.then((r) => r.data)).resolves.toEqual(DATA);
  });
});

interface Arrived {
  operationName?: string;
  authorization?: string;
  other: boolean;
  answer(body: object): void;
}

const UNAUTHENTICATED = { errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }], data: null };
const DATA = { data: { students: [{ id: 1, fullName: 'A' }] } };

/**
 * A server the test answers request by request; requests with the refreshed token are answered with
 * data at once. `instance` carries the plugin; `plain` is other traffic on the same agent (no plugin).
 */
async function scripted(agent: http.Agent) {
  agents.push(agent);
  const requests: Arrived[] = [];
  const waits: Array<() => void> = [];
  const http1 = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const body = JSON.parse(text || '{}') as { operationName?: string };
      const answer = (reply: object) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      if (req.headers.authorization === 'Bearer at-new') return answer(DATA);
      requests.push({
        operationName: body.operationName,
        authorization: req.headers.authorization,
        other: !!req.headers['x-other'],
        answer,
      });
      for (const wake of waits.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => http1.listen(0, '127.0.0.1', resolve));
  closers.push(() => (http1.closeAllConnections(), new Promise<void>((resolve) => http1.close(() => resolve()))));
  const baseURL = `http://127.0.0.1:${(http1.address() as AddressInfo).port}/`;
  const instance = axios.create({ baseURL, httpAgent: agent });
  attachTokenRefresh(instance, { tokens: TOKENS });
  /** Resolves with the first `count` requests that match, once they have arrived. */
  async function arrived(match: (r: Arrived) => boolean, count: number): Promise<Arrived[]> {
    while (requests.filter(match).length < count) await new Promise<void>((wake) => waits.push(wake));
    return requests.filter(match).slice(0, count);
  }
  return { instance, plain: axios.create({ baseURL, httpAgent: agent, headers: { 'x-other': '1' } }), requests, arrived };
}
