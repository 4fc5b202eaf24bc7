import { gql, isTokenRefreshError } from '../../lib';
import { closeAll, harness, STUDENTS } from '../support/setup';

afterEach(closeAll);

const ADD_NOTE = gql`mutation AddNote($text: String!) { addNote(text: $text) { id } }`;
const fast = { retryDelay: () => 5 };

describe('attachTokenRefresh(instance, { retry }): GraphQL-aware retries (behaviour 11)', () => {
  it.each(['network', 'http500'] as const)('retries a query after %s failures and answers', async (kind) => {
    const h = await harness({ retry: { retries: 2, ...fast } });
    h.server.set({ failNext: { operationName: 'Students', count: 2, kind } });
    await expect(h.client.query(STUDENTS)).resolves.toBeTruthy();
    expect(h.server.received.filter((r) => r.operationName === 'Students')).toHaveLength(3);
  });

  it('never retries a mutation', async () => {
    const h = await harness({ retry: { retries: 3, ...fast } });
    h.server.set({ failNext: { operationName: 'AddNote', count: 1, kind: 'http500' } });
    const error = await h.client.mutate(ADD_NOTE, { text: 'once' }).catch((e) => e);
    expect(error.response?.status).toBe(500);
    expect(h.server.received.filter((r) => r.operationName === 'AddNote')).toHaveLength(1);
  });

  it('bounds the sends of one call by 1 + retries + maxReplays', async () => {
    const h = await harness({ retry: { retries: 2, ...fast }, maxReplays: 1 });
    h.server.expireAccessTokens();
    h.server.set({ failNext: { operationName: 'Students', count: 100, kind: 'http500' } });
    await h.client.query(STUDENTS).catch(() => {});
    expect(h.studentRequests()).toHaveLength(3);
    h.server.set({ failNext: undefined, acceptTokens: false });
    await h.client.query(STUDENTS).catch(() => {});
    expect(h.studentRequests()).toHaveLength(3 + 2); // auth: 1 send + 1 replay, retries not involved
  });

  it('can be turned off', async () => {
    const h = await harness({ retry: false });
    h.server.set({ failNext: { operationName: 'Students', count: 1, kind: 'http500' } });
    await expect(h.client.query(STUDENTS)).rejects.toMatchObject({ response: { status: 500 } });
    expect(h.studentRequests()).toHaveLength(1);
  });

  it('retries a transient refresh failure when refresh tokens do not rotate', async () => {
    const h = await harness({ retry: { retries: 2, ...fast } });
    h.server.expireAccessTokens();
    h.server.set({ failNext: { operationName: 'RefreshToken', count: 1, kind: 'http500' } });
    await expect(h.client.query(STUDENTS)).resolves.toBeTruthy();
    expect(h.server.received.filter((r) => r.operationName === 'RefreshToken')).toHaveLength(2);
    expect(h.auth.stats.refreshes).toBe(1);
  });

  it('never retries the refresh when refresh tokens rotate', async () => {
    const h = await harness({ retry: { retries: 2, ...fast }, rotatingRefreshTokens: true }, { rotate: true });
    h.server.expireAccessTokens();
    h.server.set({ failNext: { operationName: 'RefreshToken', count: 1, kind: 'network' } });
    expect(isTokenRefreshError(await h.client.query(STUDENTS).catch((e) => e))).toBe(true);
    expect(h.server.received.filter((r) => r.operationName === 'RefreshToken')).toHaveLength(1);
  });
});

describe('attachTokenRefresh(instance, { rateLimit }): client-side pacing', () => {
  it('keeps at most `concurrency` requests in flight, replays included', async () => {
    const h = await harness({ rateLimit: { concurrency: 3 } });
    let inFlight = 0;
    let peak = 0;
    h.server.set({
      beforeAuth: async (req) => {
        if (req.operationName !== 'Students') return;
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 15));
        inFlight--;
      },
    });
    h.server.expireAccessTokens();
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.client.query(STUDENTS)));
    expect(answers).toHaveLength(20);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    expect(h.server.stats.refreshes).toBe(1);
  });

  it('starts at most `intervalCap` requests per `interval`', async () => {
    const h = await harness({ rateLimit: { intervalCap: 5, interval: 200 } });
    const started: number[] = [];
    h.server.set({ beforeAuth: (req) => void (req.operationName === 'Students' && started.push(Date.now())) });
    await Promise.all(Array.from({ length: 12 }, () => h.client.query(STUDENTS)));
    expect(started).toHaveLength(12);
    // Three windows are needed for twelve requests at five per window: the first and last start
    // at least two windows apart (an ordering property of the schedule, not a speed assertion).
    expect(started[11]! - started[0]!).toBeGreaterThanOrEqual(2 * 200 - 20);
  });

  it('gives the slot back when a paced request is aborted while waiting', async () => {
    const h = await harness({ rateLimit: { concurrency: 1 } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    h.server.set({ beforeAuth: (req) => (req.operationName === 'Students' ? gate : undefined) });
    const first = h.client.query(STUDENTS);
    const controller = new AbortController();
    const waiting = h.client.query(STUDENTS, {}, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'CanceledError' });
    release();
    await first;
    h.server.set({ beforeAuth: undefined });
    await expect(h.client.query(STUDENTS)).resolves.toBeTruthy();
  });
});

describe('attachTokenRefresh(instance, { retry }): other routes', () => {
  it('does not retry requests the plugin does not handle (another origin on the same instance)', async () => {
    const h = await harness({ retry: { retries: 2, ...fast } });
    const { startTestServer } = await import('../support/graphql-server');
    const other = await startTestServer();
    try {
      other.set({ failNext: { operationName: '*', count: 5, kind: 'http500' } });
      await expect(h.api.get(other.url.replace('127.0.0.1', 'localhost'))).rejects.toMatchObject({ response: { status: 500 } });
      expect(other.stats.requests).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('attachTokenRefresh(instance, { retry }): what counts as a query', () => {
  it('retries GraphQL over HTTP GET', async () => {
    const h = await harness({ retry: { retries: 2, ...fast } });
    h.server.set({ failNext: { operationName: 'Students', count: 2, kind: 'http500' } });
    const res = await h.api.get('', { params: { query: STUDENTS.source, operationName: 'Students', variables: JSON.stringify({ limit: 2 }) } });
    expect(res.data.data.students).toHaveLength(2);
    expect(h.studentRequests()).toHaveLength(3);
  });

  it('retries a persisted query that carries its text, but not one sent by hash only over POST (it might be a mutation)', async () => {
    const h = await harness({ retry: { retries: 2, ...fast } });
    h.server.set({ failNext: { operationName: 'Students', count: 1, kind: 'http500' } });
    const withText = { query: STUDENTS.source, operationName: 'Students', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } };
    await expect(h.api.post('', withText)).resolves.toMatchObject({ status: 200 });
    h.server.set({ failNext: { operationName: 'Students', count: 1, kind: 'http500' } });
    const hashOnly = { operationName: 'Students', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } };
    await expect(h.api.post('', hashOnly)).rejects.toMatchObject({ response: { status: 500 } });
    expect(h.studentRequests()).toHaveLength(2 + 1);
  });
});
