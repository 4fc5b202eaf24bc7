import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createNextSchoolClient } from '../../lib/nextschool';

// The NextSchool preset paces by the documented limits when given no `rateLimit` (docs/rate-limits.md,
// "the defaults"): 60 data requests a minute per user, 5 logins a minute. Fake timers drive the
// minute; axios-mock-adapter stands for the API and counts what it received.

const LOGIN = { data: { login: { accessToken: 'a', refreshToken: 'r', expiresIn: 900, user: null } } };

function api() {
  const instance = axios.create({ baseURL: 'https://data.nextschool.io/' });
  const mock = new MockAdapter(instance);
  const seen = { logins: 0, queries: 0 };
  mock.onPost('https://data.nextschool.io/').reply((config) => {
    const body = JSON.parse(config.data as string) as { operationName?: string };
    if (body.operationName === 'Login') return (seen.logins++, [200, LOGIN]);
    seen.queries++;
    return [200, { data: { students: [] } }];
  });
  return { instance, seen };
}

describe('createNextSchoolClient(): the documented limits by default', () => {
  beforeEach(() => jest.useFakeTimers({ now: 5_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('sends 60 data requests in the first minute of a burst of 61, the 61st a minute after', async () => {
    const { instance, seen } = api();
    const ns = createNextSchoolClient({
      axios: instance,
      url: 'https://data.nextschool.io/',
      username: 'u',
      password: 'p',
      coalesce: false,
    });
    const all = Promise.all(Array.from({ length: 61 }, () => ns.students({ limit: 1 })));
    await jest.advanceTimersByTimeAsync(59_000);
    expect(seen).toEqual({ logins: 1, queries: 60 });
    await jest.advanceTimersByTimeAsync(2_000);
    await expect(all).resolves.toHaveLength(61);
    expect(seen.queries).toBe(61);
  });

  it('sends them all at once with rateLimit: false', async () => {
    const { instance, seen } = api();
    const ns = createNextSchoolClient({
      axios: instance,
      url: 'https://data.nextschool.io/',
      username: 'u',
      password: 'p',
      coalesce: false, // one request per call: pacing is what is measured
      rateLimit: false,
    });
    const all = Promise.all(Array.from({ length: 61 }, () => ns.students({ limit: 1 })));
    await jest.advanceTimersByTimeAsync(10);
    await expect(all).resolves.toHaveLength(61);
    expect(seen).toEqual({ logins: 1, queries: 61 });
  });

  it('logs in at most 5 times a minute', async () => {
    const { instance, seen } = api();
    const ns = createNextSchoolClient({
      axios: instance,
      url: 'https://data.nextschool.io/',
      username: 'u',
      password: 'p',
      coalesce: false,
    });
    const logins = (async () => {
      for (let i = 0; i < 6; i++) await ns.login();
    })();
    await jest.advanceTimersByTimeAsync(59_000);
    expect(seen.logins).toBe(5);
    await jest.advanceTimersByTimeAsync(2_000);
    await logins;
    expect(seen.logins).toBe(6);
  });
});
