import dc from 'node:diagnostics_channel';
import http from 'node:http';
import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, gql } from '../../lib';
import { type HeldServer, heldServer } from '../support/held-server';

// While the refresh is out because an answer said the token is dead, the other answers to that token
// wait unread on their sockets (docs/how-it-works.md, "connection pools"; lib/transport/held-reads.ts).
// The server here answers every held request before the refresh, so those answers reach the client
// first: without the hold, the client reads them before the refresh's answer.

const STUDENTS = gql`query Students { students { id fullName } }`;
const TOKENS = { accessToken: 'at-revoked', refreshToken: 'rt-0123456789' };
const POOL = 4;

let server: HeldServer;
const agents: http.Agent[] = [];
afterEach(async () => {
  await server?.close();
  for (const agent of agents.splice(0)) agent.destroy();
});

/** The answers this process reads, in order: 'data' (a query), 'other' (the application's other traffic) or 'token' (the refresh). */
function recordReads() {
  const reads: string[] = [];
  const onFinish = (message: unknown) => {
    const request = (message as { request: http.ClientRequest }).request;
    reads.push(request.getHeader('authorization') ? 'data' : request.getHeader('x-other') ? 'other' : 'token');
  };
  dc.subscribe('http.client.response.finish', onFinish);
  return { reads, stop: () => dc.unsubscribe('http.client.response.finish', onFinish) };
}

/**
 * POOL queries on a revoked token; the server holds them, then answers the oldest. `others`: as many
 * requests of the application's other traffic on the same agent (no plugin), sent once the queries
 * are on the wire: they queue in a full pool, so the refresh takes a connection of its own.
 */
async function herd(agent: http.Agent, options: { refresh?: () => Promise<{ accessToken: string }>; others?: number } = {}) {
  agents.push(agent);
  const api = axios.create({ baseURL: server.url, httpAgent: agent });
  const plain = axios.create({ baseURL: server.url, httpAgent: agent, headers: { 'x-other': '1' } });
  const auth = attachTokenRefresh(api, { tokens: TOKENS, ...options });
  const client = createGraphQLClient(api, { coalesce: false });
  const recording = recordReads();
  try {
    server.holdData();
    const answers = Promise.allSettled(Array.from({ length: POOL }, () => client.query(STUDENTS)));
    await server.dataArrived(POOL);
    const others = Promise.all(Array.from({ length: options.others ?? 0 }, () => plain.post('', { query: STUDENTS.source })));
    server.answerOldest(); // the refresh starts; the server answers the other POOL - 1 just before it
    const outcomes = await answers;
    server.releaseAll(); // the other traffic that reached the server after the refresh
    await others;
    return { outcomes, reads: recording.reads.filter((r) => r !== 'other'), stats: auth.stats };
  } finally {
    recording.stop();
  }
}

const received = (name: string) => server.received.filter((r) => r.operationName === name);

describe('the herd’s answers to a dead token, while the refresh is out', () => {
  it.each([
    ['a bounded pool (the refresh takes the socket the first answer freed)', POOL, 0],
    ['a bounded pool where other traffic queues (the refresh has a connection of its own)', POOL, POOL],
    ['an unbounded pool', Number.POSITIVE_INFINITY, 0],
  ])('on %s: are read after the refresh’s answer, then replayed once with the new token', async (_, maxSockets, others) => {
    server = await heldServer({ answerHeldFirst: true });

    const { outcomes, reads, stats } = await herd(new http.Agent({ keepAlive: true, maxSockets }), { others });

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
});
