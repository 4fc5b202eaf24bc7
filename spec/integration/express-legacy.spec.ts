import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { type SandboxServer, startSandboxServer } from '../../lib/testing';

// The recipe in docs/examples/express-legacy, booted as written (CommonJS, Express 4) against the
// sandbox, and called over real HTTP.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('../../docs/examples/express-legacy/app.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createNextSchool } = require('../../docs/examples/express-legacy/nextschool.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSchoolClients } = require('../../docs/examples/express-legacy/schools.js');

interface Booted {
  sandbox: SandboxServer;
  base: string;
  logs: string[];
  get(path: string): Promise<{ status: number; data: any; text: string }>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => Promise.all(cleanups.splice(0).map((c) => c())));

async function boot(env: Record<string, string> = {}, sandboxOptions: Parameters<typeof startSandboxServer>[0] = {}): Promise<Booted> {
  const sandbox = await startSandboxServer({ rateLimits: false, ...sandboxOptions });
  const logs: string[] = [];
  const log = (message: string, meta?: object) => logs.push(`${message} ${JSON.stringify(meta ?? {})}`);
  const nextschool = createNextSchool(
    { NEXTSCHOOL_URL: sandbox.url, NEXTSCHOOL_USERNAME: sandbox.username, NEXTSCHOOL_PASSWORD: sandbox.password, ...env },
    { debug: log },
  );
  const server: Server = createApp({ nextschool, log }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    await new Promise((resolve) => server.close(resolve));
    await sandbox.close();
  });
  const get = async (path: string) => {
    const res = await axios.get(base + path, { validateStatus: () => true, responseType: 'text', transformResponse: [(d) => d] });
    return { status: res.status, text: res.data as string, data: JSON.parse(res.data as string) };
  };
  return { sandbox, base, logs, get };
}

describe('docs/examples/express-legacy', () => {
  it('serves routes from NextSchool, with one refresh for concurrent calls across a token expiry', async () => {
    const app = await boot();
    const first = await app.get('/students?limit=3');
    expect(first.status).toBe(200);
    expect(first.data.students).toHaveLength(3);
    app.sandbox.expireAccessTokens();
    const calls = await Promise.all(
      Array.from({ length: 40 }, (_, i) => app.get(i % 2 ? '/students?search=%E0%B8%AA%E0%B8%A1' : '/teachers?limit=2')),
    );
    calls.forEach((c) => expect(c.status).toBe(200));
    expect([app.sandbox.stats.logins, app.sandbox.stats.refreshes]).toEqual([1, 1]);
    expect((await app.get('/students/1')).data.student.fullName).toBe('เด็กชายสมชาย ใจดี');
    // The README's first curl, percent-encoded as it must be.
    const readme = await app.get('/students?search=%E0%B8%AA%E0%B8%A1%E0%B8%8A%E0%B8%B2%E0%B8%A2&limit=5');
    expect(readme.status).toBe(200);
    expect(readme.data.students.map((s: { fullName: string }) => s.fullName)).toContain('เด็กชายสมชาย ใจดี');
    expect((await app.get('/students/999')).status).toBe(404);
  });

  it('logs in again once when the refresh token has died', async () => {
    const app = await boot();
    await app.get('/students');
    app.sandbox.expireAccessTokens();
    app.sandbox.revokeRefreshTokens();
    const calls = await Promise.all(Array.from({ length: 25 }, () => app.get('/students?limit=1')));
    calls.forEach((c) => expect(c.status).toBe(200));
    expect(app.sandbox.stats.logins).toBe(2);
  });

  it('maps rejected credentials to 502 and a failing refresh to 503, with safe messages and no secret anywhere', async () => {
    const wrong = await boot({ NEXTSCHOOL_PASSWORD: 'not-the-"password"' });
    const denied = await wrong.get('/students');
    expect(denied.status).toBe(502);
    expect(denied.data).toEqual({ error: 'upstream_auth', message: 'The school data service is unavailable.' });

    const slow = await boot({ NEXTSCHOOL_REFRESH_TIMEOUT_MS: '60' }, { latencyMs: 150 });
    await slow.get('/students?limit=1'); // the login itself times out: transient
    const unavailable = await slow.get('/students?limit=1');
    expect(unavailable.status).toBe(503);
    expect(unavailable.data.error).toBe('upstream_unavailable');

    const secrets = ['not-the-"password"', wrong.sandbox.password];
    for (const text of [denied.text, unavailable.text, ...wrong.logs, ...slow.logs]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no JWT
    }
    expect(wrong.logs.some((l) => l.startsWith('nextschool credentials rejected'))).toBe(true);
    expect(wrong.sandbox.stats.logins).toBe(1); // never retried automatically
  });
});

interface Received {
  /** The account the request was sent for: the first path segment of its client's URL. */
  account: string;
  /** The user whose access token it carried (the JWT's `username`), if any. */
  user?: string;
  operation: 'login' | 'refresh' | 'data';
}

/**
 * A pass-through proxy in front of the sandbox that records, per request, which account's URL it used
 * and whose token it carried. A proxy, not a fake server: the example runs against the sandbox, as its
 * README tells users to.
 */
async function recordingProxy(target: string): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const claims = bearer ? JSON.parse(Buffer.from(bearer.split('.')[1]!, 'base64url').toString('utf8')) : undefined;
      received.push({
        account: (req.url ?? '/').split('/')[1]!,
        user: claims?.username,
        operation: /\blogin\s*\(/.test(text) ? 'login' : /\brefreshToken\s*\(/.test(text) ? 'refresh' : 'data',
      });
      const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('docs/examples/express-legacy: one NextSchool account per school', () => {
  async function bootSchools() {
    const sandbox = await startSandboxServer({
      rateLimits: false,
      users: [
        { username: 'svc-school-a', password: 'password-a', school: 'โรงเรียนเอ' },
        { username: 'svc-school-b', password: 'password-b', school: 'โรงเรียนบี' },
      ],
    });
    const proxy = await recordingProxy(sandbox.url);
    // Memory stores here; with several processes, schools.js passes a RedisTokenStore per account.
    const schools = createSchoolClients({
      rateLimit: false, // the sandbox here has no limits, and the tests send more than 60 a minute per account
      accounts: {
        'school-a': { username: 'svc-school-a', password: 'password-a', url: `${proxy.url}/school-a/` },
        'school-b': { username: 'svc-school-b', password: 'password-b', url: `${proxy.url}/school-b/` },
      },
    });
    const server: Server = createApp({ schools }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cleanups.push(async () => {
      await new Promise((resolve) => server.close(resolve));
      await proxy.close();
      await sandbox.close();
    });
    const get = async (path: string) => {
      const res = await axios.get(base + path, { validateStatus: () => true });
      return { status: res.status, data: res.data };
    };
    const count = (account: string, operation: Received['operation']) =>
      proxy.received.filter((r) => r.account === account && r.operation === operation).length;
    return { sandbox, proxy, schools, get, count };
  }

  it("creates a school's client on first use, and answers 404 for a school without an account", async () => {
    const app = await bootSchools();
    expect((await app.get('/schools/school-a/students?limit=2')).data.students).toHaveLength(2);
    expect([app.count('school-a', 'login'), app.count('school-b', 'login')]).toEqual([1, 0]);
    expect(app.schools.forSchool('school-a')).toBe(app.schools.forSchool('school-a'));
    const unknown = await app.get('/schools/nowhere/students');
    expect([unknown.status, unknown.data]).toEqual([404, { error: 'unknown_school' }]);
    expect(app.proxy.received.every((r) => r.account === 'school-a')).toBe(true);
    // The shared-account routes are not mounted without a shared client.
    expect((await app.get('/students')).status).toBe(404);
  });

  it("refreshes once per account per expiry, and never sends one account's token for another's request", async () => {
    const app = await bootSchools();
    // Distinct queries: identical ones in flight would share one request (docs/graphql-client.md#coalescing).
    const paths = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => `/schools/${i % 2 ? 'school-a' : 'school-b'}/${i % 3 ? `students?limit=1&offset=${i}` : `teachers?limit=${i + 1}`}`,
      );
    (await Promise.all(paths(30).map(app.get))).forEach((r) => expect(r.status).toBe(200));
    for (let expiry = 1; expiry <= 2; expiry++) {
      app.sandbox.expireAccessTokens();
      (await Promise.all(paths(40).map(app.get))).forEach((r) => expect(r.status).toBe(200));
      expect([app.count('school-a', 'refresh'), app.count('school-b', 'refresh')]).toEqual([expiry, expiry]);
    }
    expect([app.count('school-a', 'login'), app.count('school-b', 'login')]).toEqual([1, 1]);

    const data = app.proxy.received.filter((r) => r.operation === 'data');
    expect(data.length).toBeGreaterThanOrEqual(110);
    const owner: Record<string, string> = { 'school-a': 'svc-school-a', 'school-b': 'svc-school-b' };
    const mismatched = data.filter((r) => r.user !== owner[r.account]);
    expect(mismatched).toEqual([]);
    expect(new Set(data.map((r) => r.user))).toEqual(new Set(['svc-school-a', 'svc-school-b']));
  });
});
