import axios, { type AxiosInstance } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createNextSchoolClient, type NextSchoolClientOptions } from '../../lib/nextschool';

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

/** Advances the fake clock by `ms`, then lets the event loop turn enough times for every slice of a herd to leave. */
async function advance(ms: number) {
  await jest.advanceTimersByTimeAsync(ms);
  for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** The preset on the fake API, one request per call (coalesce: false): pacing is what is measured. */
const preset = (instance: AxiosInstance, options: NextSchoolClientOptions = {}) =>
  createNextSchoolClient({
    axios: instance,
    url: 'https://data.nextschool.io/',
    username: 'u',
    password: 'p',
    coalesce: false,
    ...options,
  });

describe('createNextSchoolClient(): the documented limits by default', () => {
  // setImmediate stays real: a herd leaves in slices of 16, one per turn of the event loop
  // (docs/how-it-works.md, "herds"), and `advance` lets those turns happen.
  beforeEach(() => jest.useFakeTimers({ now: 5_000_000, doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('sends 60 data requests in the first minute of a burst of 61, the 61st a minute after', async () => {
    const { instance, seen } = api();
    const ns = preset(instance);
    const all = Promise.all(Array.from({ length: 61 }, () => ns.students({ limit: 1 })));
    await advance(59_000);
    expect(seen).toEqual({ logins: 1, queries: 60 });
    await advance(2_000);
    await expect(all).resolves.toHaveLength(61);
    expect(seen.queries).toBe(61);
  });

  it('sends them all at once with rateLimit: false', async () => {
    const { instance, seen } = api();
    const ns = preset(instance, { rateLimit: false });
    const all = Promise.all(Array.from({ length: 61 }, () => ns.students({ limit: 1 })));
    await advance(10);
    await expect(all).resolves.toHaveLength(61);
    expect(seen).toEqual({ logins: 1, queries: 61 });
  });

  it('logs in at most 5 times a minute', async () => {
    const { instance, seen } = api();
    const ns = preset(instance);
    const logins = (async () => {
      for (let i = 0; i < 6; i++) await ns.login();
    })();
    await advance(59_000);
    expect(seen.logins).toBe(5);
    await advance(2_000);
    await logins;
    expect(seen.logins).toBe(6);
  });
});
