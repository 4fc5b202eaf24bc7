import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import axios from 'axios';
import { startSandboxServer, type SandboxServer } from '../../lib/testing';

// The recipe in docs/examples/express-legacy, booted as written (CommonJS, Express 4) against the
// sandbox, and called over real HTTP.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('../../docs/examples/express-legacy/app.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createNextSchool } = require('../../docs/examples/express-legacy/nextschool.js');

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
    const calls = await Promise.all(Array.from({ length: 40 }, (_, i) => app.get(i % 2 ? '/students?search=%E0%B8%AA%E0%B8%A1' : '/teachers?limit=2')));
    calls.forEach((c) => expect(c.status).toBe(200));
    expect([app.sandbox.stats.logins, app.sandbox.stats.refreshes]).toEqual([1, 1]);
    expect((await app.get('/students/1')).data.student.fullName).toBe('เด็กชายสมชาย ใจดี');
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
