import axios from 'axios';
import { gql, isGraphQLRequestError } from '../../lib';
import { waitFor } from '../support/events';
import { closeAll, harness, STUDENTS } from '../support/setup';

afterEach(closeAll);

const ADD_NOTE = gql`mutation AddNote($text: String!) { addNote(text: $text) { id } }`;

describe('attachTokenRefresh(instance): rate limits as backpressure', () => {
  it.each(['graphql', 'http429'] as const)('waits the time the server asked (%s), sends nothing meanwhile, then replays', async (kind) => {
    const h = await harness();
    h.server.set({ declineNext: { operationName: 'Students', count: 1, kind, retryAfterSeconds: 0.3 } });
    const declined = h.client.query(STUDENTS, { limit: 1 });
    await waitFor(() => h.auth.stats.rateLimited === 1, 'the decline to pause the gate');
    const others = Array.from({ length: 5 }, () => h.client.query(STUDENTS, { limit: 2 }));
    const [first, ...rest] = await Promise.all([declined, ...others]);
    expect(first.students).toHaveLength(1);
    rest.forEach((r) => expect(r.students).toHaveLength(2));
    const times = h.server.received.filter((r) => r.operationName === 'Students').map((r) => r.at);
    expect(times).toHaveLength(1 + 1 + 5);
    // Nothing reached the server during the pause (ordering of arrivals, measured by the server).
    expect(Math.min(...times.slice(1)) - times[0]!).toBeGreaterThanOrEqual(280);
    expect(h.auth.stats.rateLimited).toBe(1);
    expect(h.server.stats.refreshes).toBe(0);
  });

  it('replays a declined mutation (the server did not run it), once', async () => {
    const h = await harness();
    h.server.set({ declineNext: { operationName: 'AddNote', count: 2, kind: 'graphql', retryAfterSeconds: 0.05 } });
    await expect(h.client.mutate(ADD_NOTE, { text: 'x' })).resolves.toEqual({ addNote: { id: 1 } });
    expect(h.server.stats.notesAdded).toBe(1);
    expect(h.server.received.filter((r) => r.operationName === 'AddNote')).toHaveLength(3);
  });

  it('gives up after maxRateLimitWaits with the server’s own answer', async () => {
    const h = await harness({ maxRateLimitWaits: 2 });
    h.server.set({ declineNext: { operationName: 'Students', count: 100, kind: 'graphql', retryAfterSeconds: 0.02 } });
    const error = await h.client.query(STUDENTS).catch((e) => e);
    expect(isGraphQLRequestError(error)).toBe(true);
    expect(error.code).toBe('RATE_LIMITED');
    expect(h.studentRequests()).toHaveLength(3);

    h.server.set({ declineNext: { operationName: 'Students', count: 100, kind: 'http429', retryAfterSeconds: 0.02 } });
    // Through the client: the 429's GraphQL body becomes a GraphQLRequestError; through axios: the 429 itself.
    const viaClient = await h.client.query(STUDENTS).catch((e) => e);
    expect(viaClient).toMatchObject({ name: 'GraphQLRequestError', message: 'Too many requests' });
    expect(viaClient.response.status).toBe(429);
    const viaAxios = await h.api.post('', { query: STUDENTS.source, operationName: 'Students' }).catch((e) => e);
    expect(axios.isAxiosError(viaAxios)).toBe(true);
    expect(viaAxios.response.status).toBe(429);
    expect(h.studentRequests()).toHaveLength(3 + 3 + 3);
  });

  it('answers at once when the server asks for a longer wait than maxRateLimitDelayMs', async () => {
    const h = await harness({ maxRateLimitDelayMs: 1_000 });
    h.server.set({ declineNext: { operationName: 'Students', count: 1, kind: 'graphql', retryAfterSeconds: 45 } });
    await expect(h.client.query(STUDENTS)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(h.studentRequests()).toHaveLength(1);
  });

  it('does not spend maxReplays on rate-limit waits', async () => {
    const h = await harness({ maxReplays: 1 });
    h.server.expireAccessTokens();
    h.server.set({ declineNext: { operationName: 'Students', count: 2, kind: 'http429', retryAfterSeconds: 0.02 } });
    await expect(h.client.query(STUDENTS)).resolves.toBeTruthy(); // 2 declines, then UNAUTHENTICATED, refresh, replay
    expect(h.studentRequests()).toHaveLength(4);
    expect(h.server.stats.refreshes).toBe(1);
  });

  it('rejects a request aborted during the pause with CanceledError', async () => {
    const h = await harness();
    h.server.set({ declineNext: { operationName: 'Students', count: 1, kind: 'graphql', retryAfterSeconds: 2 } });
    const controller = new AbortController();
    const call = h.client.query(STUDENTS, {}, { signal: controller.signal });
    await waitFor(() => h.auth.stats.rateLimited === 1, 'the decline to pause the gate');
    controller.abort();
    expect(axios.isCancel(await call.catch((e) => e))).toBe(true);
    expect(h.studentRequests()).toHaveLength(1);
  });

  it('leaves skipAuthRefresh requests alone', async () => {
    const h = await harness();
    h.server.set({ declineNext: { operationName: 'Students', count: 1, kind: 'graphql', retryAfterSeconds: 0.05 } });
    const res = await h.api.post('', { query: STUDENTS.source, operationName: 'Students' }, { skipAuthRefresh: true });
    expect(res.data.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(h.auth.stats.rateLimited).toBe(0);
  });
});

describe('createNextSchoolClient(): rate-limited logins', () => {
  it('waits out retryAfter once when a login is declined, then logs in', async () => {
    const { createNextSchoolClient } = await import('../../lib/nextschool');
    const h = await harness();
    h.server.set({ declineNext: { operationName: 'Login', count: 1, kind: 'graphql', retryAfterSeconds: 0.1 } });
    const ns = createNextSchoolClient({ url: h.server.url, username: h.server.username, password: h.server.password });
    await expect(Promise.all(Array.from({ length: 10 }, () => ns.query(STUDENTS)))).resolves.toHaveLength(10);
    expect(h.server.received.filter((r) => r.operationName === 'Login')).toHaveLength(2);
    expect(h.server.stats.logins).toBe(1);
  });

  it('never hammers: a login declined twice fails with TokenRefreshError after two attempts', async () => {
    const { isTokenRefreshError } = await import('../../lib');
    const { createNextSchoolClient } = await import('../../lib/nextschool');
    const h = await harness();
    h.server.set({ declineNext: { operationName: 'Login', count: 100, kind: 'graphql', retryAfterSeconds: 0.05 } });
    const ns = createNextSchoolClient({ url: h.server.url, username: h.server.username, password: h.server.password });
    const errors = await Promise.all(Array.from({ length: 10 }, () => ns.query(STUDENTS).catch((e) => e)));
    errors.forEach((e) => expect(isTokenRefreshError(e)).toBe(true));
    expect(h.server.received.filter((r) => r.operationName === 'Login')).toHaveLength(2);
  });
});
