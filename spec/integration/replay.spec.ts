import { Readable } from 'node:stream';
import axios from 'axios';
import type { TokenStore } from '../../lib';
import { attachTokenRefresh, createGraphQLClient, gql, isGraphQLRequestError, isTokenRefreshError } from '../../lib';
import { closeAll, harness, STUDENTS } from '../support/setup';

afterEach(closeAll);

const ADD_NOTE = gql<{ addNote: { id: number; text: string } }, { text: string }>`
  mutation AddNote($text: String!) { addNote(text: $text) { id text } }
`;
const PING_AND_ADD = gql`mutation PingAndAdd($text: String!) { ping addNote(text: $text) { id } }`;

describe('attachTokenRefresh(instance, { maxReplays }): bounded replays', () => {
  it.each([0, 1, 3])('settles every request after at most %i replays when the server never accepts a token', async (maxReplays) => {
    const h = await harness({ maxReplays });
    h.server.set({ acceptTokens: false });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => h.client.query(STUDENTS)));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(isGraphQLRequestError(reason)).toBe(true);
      expect(reason.code).toBe('UNAUTHENTICATED');
    }
    expect(h.studentRequests()).toHaveLength(5 * (1 + maxReplays));
    expect(h.auth.stats.replays).toBe(5 * maxReplays);
  });
});

describe('attachTokenRefresh(instance, { tokens }): a newer stored token that is already dead', () => {
  // The rule kept on purpose (docs/how-it-works.md, "the token-version rule"): a request answered
  // UNAUTHENTICATED while the store holds another token is replayed with it without a refresh, and a
  // failed replay uses up maxReplays — no refresh of its own, which would present the refresh token
  // of a token set a stale store served, spent where refresh tokens rotate.
  it('replays once with the token the store now holds, answers UNAUTHENTICATED without refreshing, and the next request refreshes once', async () => {
    const h = await harness({ tokens: 'none' }); // the server; the attachment under test is made below
    const older = h.initial;
    const newer = h.server.issueTokens();
    h.server.expireAccessTokens(); // both access tokens are dead; the refresh tokens live
    let reads = 0;
    const store: TokenStore = {
      get: async () => (++reads === 1 ? { ...older } : { ...newer }), // the request is sent with `older`, the answer finds `newer`
      set: async () => {},
    };
    const api = axios.create({ baseURL: h.server.url });
    const auth = attachTokenRefresh(api, { tokens: store, maxReplays: 1 });
    const client = createGraphQLClient(api);

    const error = await client.query(STUDENTS).catch((e) => e);
    expect({ code: error.code, sent: h.studentRequests(), refreshes: h.server.stats.refreshes, replays: auth.stats.replays }).toEqual({
      code: 'UNAUTHENTICATED',
      sent: [older.accessToken, newer.accessToken],
      refreshes: 0,
      replays: 1,
    });

    await expect(client.query(STUDENTS)).resolves.toHaveProperty('students');
    expect(h.server.stats.refreshes).toBe(1);
  });
});

describe('attachTokenRefresh(instance): replaying mutations', () => {
  it('replays a mutation rejected before execution (request-level UNAUTHENTICATED)', async () => {
    const h = await harness({}, { authMode: 'request' });
    h.server.expireAccessTokens();
    const data = await h.client.mutate(ADD_NOTE, { text: 'hello' });
    expect(data.addNote.text).toBe('hello');
    expect(h.server.stats.notesAdded).toBe(1);
    expect(h.auth.stats.replays).toBe(1);
  });

  it('replays a mutation whose every root field failed at its own path with data null', async () => {
    const h = await harness({}, { authMode: 'field' });
    h.server.expireAccessTokens();
    const data = await h.client.mutate(ADD_NOTE, { text: 'again' });
    expect(data.addNote.text).toBe('again');
    expect(h.server.stats.notesAdded).toBe(1);
  });

  it('does not replay a mutation one of whose root fields ran, but still refreshes for the next requests', async () => {
    const h = await harness({}, { authMode: 'field' });
    h.server.expireAccessTokens();
    const error = await h.client.mutate(PING_AND_ADD, { text: 'x' }).catch((e) => e);
    expect(isGraphQLRequestError(error)).toBe(true);
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(h.server.stats.pings).toBe(1); // ran exactly once: not replayed
    await h.client.query(STUDENTS);
    expect(h.server.stats.refreshes).toBe(1);
    expect(h.studentRequests()).toHaveLength(1); // the refresh happened before this query was sent
  });

  it('does not replay a mutation whose root field ran and failed with a non-auth error at its own path (only an auth error there proves it did not run)', async () => {
    const h = await harness({}, { authMode: 'field' });
    h.server.expireAccessTokens();
    // sendEmail runs (no token needed), sends, then fails INTERNAL at ["sendEmail"]; addNote fails UNAUTHENTICATED at ["addNote"].
    const error = await h.client
      .mutate(gql`mutation Notify($text: String!) { sendEmail addNote(text: $text) { id } }`, { text: 'x' })
      .catch((e) => e);
    expect(h.server.stats.emailsSent).toBe(1); // sent exactly once: not replayed
    expect(isGraphQLRequestError(error)).toBe(true);
    expect(error.errors.map((e: { extensions?: { code?: string } }) => e.extensions?.code).sort()).toEqual([
      'INTERNAL_SERVER_ERROR',
      'UNAUTHENTICATED',
    ]);
    expect(h.auth.stats.replays).toBe(0);
    await h.client.query(STUDENTS);
    expect(h.server.stats.refreshes).toBe(1); // the token is still refreshed for the requests that follow
    expect(h.studentRequests()).toHaveLength(1);
  });

  it('rejects with TokenRefreshError instead of replaying a stream body', async () => {
    const h = await harness({}, { authMode: 'request' });
    h.server.expireAccessTokens();
    const body = JSON.stringify({ query: ADD_NOTE.source, variables: { text: 's' }, operationName: 'AddNote' });
    const error = await h.api.post('', Readable.from([body]), { headers: { 'Content-Type': 'application/json' } }).catch((e) => e);
    expect(isTokenRefreshError(error)).toBe(true);
    expect(error.message).toMatch(/stream/);
    expect(error).toMatchObject({ code: 'BODY_NOT_REPLAYABLE', transient: false });
    expect(h.server.stats.notesAdded).toBe(0);
  });
});

describe('attachTokenRefresh(instance): replays bypass interceptors and transforms', () => {
  it('runs a user transformRequest and an unwrapping response interceptor once per call, refresh or not', async () => {
    const h = await harness();
    let transforms = 0;
    let unwraps = 0;
    const api = axios.create({
      baseURL: h.server.url,
      transformRequest: [
        (data, headers) => {
          transforms++;
          headers['Content-Type'] = 'application/json';
          return JSON.stringify({ ...data, variables: { ...(data.variables ?? {}), limit: 2 } });
        },
      ],
    });
    attachTokenRefresh(api, { tokens: { accessToken: h.initial.accessToken, refreshToken: h.initial.refreshToken } });
    api.interceptors.response.use((response) => {
      unwraps++;
      return response.data; // a common pattern: callers get the body
    });
    const body = { query: STUDENTS.source, operationName: 'Students' };
    const plain: any = await api.post('', body);
    expect(plain.data.students).toHaveLength(2);
    expect([transforms, unwraps]).toEqual([1, 1]);

    h.server.expireAccessTokens();
    const refreshed: any = await api.post('', body);
    expect(refreshed.data.students).toHaveLength(2); // same shape as without a refresh
    expect([transforms, unwraps]).toEqual([2, 2]);
    expect(h.server.stats.refreshes).toBe(1);
    // The replay sent the already-serialized body: the transform did not run on it again.
    const sent = h.server.received.filter((r) => r.operationName === 'Students').map((r) => JSON.parse(r.body).variables);
    expect(sent).toEqual([{ limit: 2 }, { limit: 2 }, { limit: 2 }]);
  });

  it('does not run request interceptors again on a replay', async () => {
    const h = await harness();
    let calls = 0;
    h.api.interceptors.request.use((config) => {
      calls++;
      return config;
    });
    h.server.expireAccessTokens();
    await h.client.query(STUDENTS);
    expect(calls).toBe(1);
    expect(h.studentRequests()).toHaveLength(2);
  });

  it('keeps the replayed body intact (Content-Length recomputed, body identical)', async () => {
    const h = await harness();
    h.server.expireAccessTokens();
    await h.client.query(STUDENTS, { search: 'สมชาย' });
    const [first, replayed] = h.server.received.filter((r) => r.operationName === 'Students');
    expect(replayed!.body).toBe(first!.body);
    expect(replayed!.headers['content-length']).toBe(String(Buffer.byteLength(first!.body)));
  });

  it('works with a client on an instance whose interceptor unwraps data', async () => {
    const h = await harness();
    h.api.interceptors.response.use((response) => response.data);
    const client = createGraphQLClient(h.api);
    h.server.expireAccessTokens();
    const data = await client.query(STUDENTS, { limit: 1 });
    expect(data.students).toHaveLength(1);
  });
});
