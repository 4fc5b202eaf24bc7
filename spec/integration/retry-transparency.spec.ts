import axios, { type AxiosError } from 'axios';
import axiosRetry from 'axios-retry';
import { attachTokenRefresh } from '../../lib';
import { closeTestServers, type ExactAnswer, type ReceivedRequest, startTestServer } from '../support/graphql-server';
import { STUDENTS } from '../support/setup';

// The plugin's own retries are for transient failures of GraphQL queries (docs/how-it-works.md,
// "retries"). Everything else is somebody else's decision: an axios-retry the user installed on the
// same instance decides alone for every request it sees; a REST request is never retried unless the
// user asked; and a failure axios itself judged (too large, a redirect loop, a bad request) cannot
// succeed by sending it again. Counted on a real server: how many times each request arrived.

afterEach(closeTestServers);

const QUERY = { query: STUDENTS.source, operationName: 'Students' };
const fail503 = () => ({ status: 503, body: { errors: [{ message: 'Service unavailable' }] } });
const arrivals = (received: ReceivedRequest[], url = '/') => received.filter((r) => r.url === url).length;

async function api(answer: (r: ReceivedRequest) => ExactAnswer) {
  const server = await startTestServer({ answer });
  const instance = axios.create({ baseURL: `${server.origin}/` });
  return { server, instance };
}

describe("attachTokenRefresh(instance) with the user's own axios-retry: it alone decides", () => {
  it('a retryCondition that rejects stays axios-retry’s to handle: no unhandled rejection, called once per failure', async () => {
    const { server, instance } = await api(fail503);
    let calls = 0;
    axiosRetry(instance, { retries: 2, retryCondition: () => (calls++, Promise.reject(new Error('no'))) });
    attachTokenRefresh(instance, { tokens: { accessToken: 'a' }, retry: { retries: 2, retryDelay: () => 1 } });
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const error = (await instance.post('', QUERY).catch((e: AxiosError) => e)) as AxiosError;
      expect(error.response?.status).toBe(503);
      // Node reports an unhandled rejection once the microtasks of the turn it happened in have run:
      // two turns of the event loop later it would have been reported.
      for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect(calls).toBe(1);
      expect(arrivals(server.received)).toBe(1);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it.each([
    ['retries: 0', { retries: 0 }],
    ['a retryCondition returning false', { retries: 3, retryCondition: () => false }],
  ])('a query is sent once when it declines (%s)', async (_, options) => {
    const { server, instance } = await api(fail503);
    let calls = 0;
    const condition = (options as { retryCondition?: () => boolean }).retryCondition;
    axiosRetry(instance, { ...options, ...(condition ? { retryCondition: () => (calls++, condition()) } : {}) });
    attachTokenRefresh(instance, { tokens: { accessToken: 'a' }, retry: { retries: 2, retryDelay: () => 1 } });
    await expect(instance.post('', QUERY)).rejects.toMatchObject({ response: { status: 503 } });
    expect(arrivals(server.received)).toBe(1);
    if (condition) expect(calls).toBe(1);
  });

  it('a plain REST GET on the API origin is sent once when it declines', async () => {
    const { server, instance } = await api(fail503);
    axiosRetry(instance, { retries: 0 });
    attachTokenRefresh(instance, { tokens: { accessToken: 'a' } });
    await expect(instance.get('/health')).rejects.toMatchObject({ response: { status: 503 } });
    expect(arrivals(server.received, '/health')).toBe(1);
  });
});

describe('attachTokenRefresh(instance, { retry }): what it never sends again', () => {
  it('a REST request (not GraphQL), without axios-retry of the user', async () => {
    const { server, instance } = await api(fail503);
    attachTokenRefresh(instance, { tokens: { accessToken: 'a' }, retry: { retries: 2, retryDelay: () => 1 } });
    await expect(instance.get('/health')).rejects.toMatchObject({ response: { status: 503 } });
    expect(arrivals(server.received, '/health')).toBe(1);
  });

  it('a query whose answer exceeded maxContentLength: downloaded once', async () => {
    const { server, instance } = await api(() => ({
      status: 200,
      body: { data: { students: Array.from({ length: 200 }, (_, id) => ({ id })) } },
    }));
    attachTokenRefresh(instance, { tokens: { accessToken: 'a' }, retry: { retries: 2, retryDelay: () => 1 } });
    const error = (await instance.post('', QUERY, { maxContentLength: 100 }).catch((e: AxiosError) => e)) as AxiosError;
    expect(error.message).toMatch(/maxContentLength/);
    expect(arrivals(server.received)).toBe(1);
  });

  it('a query caught in a redirect loop: maxRedirects + 1 hops, once', async () => {
    const { server, instance } = await api(() => ({ status: 307, headers: { location: '/' } }));
    attachTokenRefresh(instance, { tokens: { accessToken: 'a' }, retry: { retries: 2, retryDelay: () => 1 } });
    const error = (await instance.post('', QUERY, { maxRedirects: 2 }).catch((e: AxiosError) => e)) as AxiosError;
    expect(error.code).toBe('ERR_FR_TOO_MANY_REDIRECTS');
    expect(arrivals(server.received)).toBe(3);
  });

  it('still retries a query that met a transient failure (503, 503, 200)', async () => {
    let n = 0;
    const { server, instance } = await api(() => (++n <= 2 ? fail503() : { status: 200, body: { data: { students: [] } } }));
    attachTokenRefresh(instance, { tokens: { accessToken: 'a' }, retry: { retries: 2, retryDelay: () => 1 } });
    await expect(instance.post('', QUERY)).resolves.toMatchObject({ status: 200 });
    expect(arrivals(server.received)).toBe(3);
  });
});
