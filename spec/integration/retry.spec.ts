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
