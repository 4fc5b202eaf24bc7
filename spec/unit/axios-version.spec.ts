import net from 'node:net';
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { startTestServer, type TestServer } from '../support/graphql-server';

// Which copies of axios the plugin works with (docs/getting-started.md, "Supported axios
// versions"): 0.22 and newer. Older ones are refused at attach with a TypeError naming what was
// found, whichever way the instance was made. The suite runs under AXIOS_MODULE (scripts/test-with.sh):
// .ci/run runs all of it on 1.x, 0.27.2 and 0.22.0, and this file alone on 0.21.4 and 0.19.2.

// axios 0.21 and older have no `VERSION`: the run says which version it installed.
const version = process.env.EXPECT_AXIOS_VERSION ?? (axios as { VERSION?: string }).VERSION ?? '';
const [major = 0, minor = 0] = version.split('.').map(Number);
const supported = major > 0 || minor >= 22;
const QUERY = { query: 'query Students { students(limit: 1) { id } }', operationName: 'Students' };

const servers: TestServer[] = [];
afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server() {
  const s = await startTestServer();
  servers.push(s);
  return s;
}
const tokensOf = (s: TestServer) => {
  const t = s.issueTokens();
  return { accessToken: t.accessToken, refreshToken: t.refreshToken };
};
/** Lets every probe the attachment may have started run to its end. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('axios under test', () => {
  it('is the version the run asked for', () => {
    const expected = process.env.EXPECT_AXIOS_VERSION;
    const installed = (axios as { VERSION?: string }).VERSION;
    if (expected) expect(installed ?? expected).toBe(expected);
    else expect(Number(String(installed).split('.')[0])).toBeGreaterThanOrEqual(1);
  });
});

describe(`attachTokenRefresh(instance) on axios ${version}: ${supported ? 'supported' : 'refused'}`, () => {
  it("sends nothing at attach time: no socket opened, the instance's adapter never called", async () => {
    const s = await server();
    const connect = jest.spyOn(net.Socket.prototype, 'connect');
    const adapter = jest.fn<ReturnType<AxiosAdapter>, Parameters<AxiosAdapter>>(() => Promise.reject(new Error('no request expected')));
    const api = axios.create({ baseURL: s.url, adapter: adapter as AxiosAdapter });
    const attach = (instance: AxiosInstance) => {
      try {
        return attachTokenRefresh(instance, { url: s.url, tokens: tokensOf(s) });
      } catch {
        expect(supported).toBe(false);
        return undefined;
      }
    };
    const handles = [attach(api), attach(axios)];
    await settle();
    handles.forEach((h) => h?.detach());

    expect(adapter).not.toHaveBeenCalled();
    // Only sockets to this test's server count: Node's net module is shared by the test files a jest
    // worker runs, and a timer an earlier file left behind may open one meanwhile (seen in CI).
    const port = new URL(s.url).port;
    const portOf = (options: unknown) => (options && typeof options === 'object' ? (options as { port?: unknown }).port : options);
    const toThisServer = connect.mock.calls.filter(([options]) => String(portOf(options)) === port);
    expect(toThisServer).toEqual([]);
    expect(s.received).toHaveLength(0);
  });

  (supported ? it : it.skip)(
    "attaches to the default export, a create() instance and an instance's create(): each refreshes an expired token once",
    async () => {
      const instances: Array<[string, AxiosInstance]> = [['the default export', axios]];
      const made = axios.create();
      instances.push(
        ['a create() instance', made],
        ['an instance of an instance', (made as unknown as { create: () => AxiosInstance }).create()],
      );
      for (const [what, instance] of instances) {
        const s = await server();
        const auth = attachTokenRefresh(instance, { url: s.url, tokens: tokensOf(s) });
        try {
          s.expireAccessTokens();
          const response = await instance.post(s.url, QUERY);
          expect({ what, students: response.data.data.students.length, refreshes: s.stats.refreshes }).toEqual({
            what,
            students: 1,
            refreshes: 1,
          });
        } finally {
          auth.detach();
        }
      }
    },
  );

  (supported ? it : it.skip)(
    "rejects a request whose timeout runs out while held behind a refresh with axios' own timeout error",
    async () => {
      const s = await server();
      const api = axios.create({ baseURL: s.url });
      attachTokenRefresh(api, { tokens: tokensOf(s) });
      s.expireAccessTokens();
      const hold = s.hold((r) => r.body.includes('refreshToken('));
      const first = api.post('', QUERY);
      await hold.arrived;
      const error = await api.post('', QUERY, { timeout: 50 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      hold.release();
      await first;

      expect(error).toBeInstanceOf(Error);
      expect(axios.isAxiosError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'ECONNABORTED', message: 'timeout of 50ms exceeded' });
      expect(axios.isCancel(error)).toBe(false);
    },
  );

  (supported ? it.skip : it)(
    'refuses the default export and a create() instance with a TypeError naming the axios version found',
    async () => {
      const s = await server();
      const named = (axios as { VERSION?: string }).VERSION ? `axios ${version}` : 'axios 0.21 or older';
      expect(() => attachTokenRefresh(axios, { url: s.url, tokens: tokensOf(s) })).toThrow(
        expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(named) }),
      );
      expect(() => attachTokenRefresh(axios.create({ baseURL: s.url }), { tokens: tokensOf(s) })).toThrow(
        expect.objectContaining({
          name: 'TypeError',
          message: expect.stringMatching(/axios 0\.22 or newer .*, got an instance without `create\(\)` \(axios 0\.21 or older\)/),
        }),
      );
      expect(s.received).toHaveLength(0);
    },
  );
});
