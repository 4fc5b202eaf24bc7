import { isSessionExpiredError } from '../../lib';
import { createNextSchoolClient } from '../../lib/nextschool';
import { type SandboxServer, startSandboxServer } from '../../lib/testing';

// createNextSchoolClient reads NEXTSCHOOL_URL / NEXTSCHOOL_USERNAME / NEXTSCHOOL_PASSWORD when the
// matching option is absent; explicit options win (docs/configuration.md#environment).
const NAMES = ['NEXTSCHOOL_URL', 'NEXTSCHOOL_USERNAME', 'NEXTSCHOOL_PASSWORD'] as const;
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
const open: SandboxServer[] = [];

async function sandbox(): Promise<SandboxServer> {
  const s = await startSandboxServer({
    rateLimits: false,
    users: [
      { username: 'env-user', password: 'env-password', school: 'โรงเรียนหนึ่ง' },
      { username: 'explicit-user', password: 'explicit-password', school: 'โรงเรียนสอง' },
    ],
  });
  open.push(s);
  return s;
}

function setEnv(values: Partial<Record<(typeof NAMES)[number], string>>): void {
  for (const name of NAMES) delete process.env[name];
  Object.assign(process.env, values);
}

afterEach(async () => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('createNextSchoolClient() and the environment', () => {
  it('uses NEXTSCHOOL_URL, NEXTSCHOOL_USERNAME and NEXTSCHOOL_PASSWORD when no option is given', async () => {
    const s = await sandbox();
    setEnv({ NEXTSCHOOL_URL: s.url, NEXTSCHOOL_USERNAME: 'env-user', NEXTSCHOOL_PASSWORD: 'env-password' });
    const ns = createNextSchoolClient();
    await expect(ns.students({ limit: 2 })).resolves.toHaveLength(2);
    expect(s.stats.logins).toBe(1);
    const tokens = await ns.auth.getTokens();
    expect(JSON.parse(Buffer.from(tokens!.accessToken.split('.')[1]!, 'base64url').toString()).username).toBe('env-user');
  });

  it('lets explicit options win over the environment, field by field', async () => {
    const s = await sandbox();
    const other = await sandbox();
    // The environment points at another server with other credentials: none of it is used.
    setEnv({ NEXTSCHOOL_URL: other.url, NEXTSCHOOL_USERNAME: 'env-user', NEXTSCHOOL_PASSWORD: 'env-password' });
    const ns = createNextSchoolClient({ url: s.url, username: 'explicit-user', password: 'explicit-password' });
    await expect(ns.teachers({ limit: 1 })).resolves.toHaveLength(1);
    expect([s.stats.logins, other.stats.requests]).toEqual([1, 0]);
    const tokens = await ns.auth.getTokens();
    expect(JSON.parse(Buffer.from(tokens!.accessToken.split('.')[1]!, 'base64url').toString()).username).toBe('explicit-user');

    // Only the URL from the environment; credentials given.
    setEnv({ NEXTSCHOOL_URL: s.url });
    const urlOnly = createNextSchoolClient({ username: 'explicit-user', password: 'explicit-password' });
    await expect(urlOnly.students({ limit: 1 })).resolves.toHaveLength(1);
    expect(s.stats.logins).toBe(2);
  });

  it('treats an empty variable as unset, and without credentials fails with SessionExpiredError (not signed in) on the first request', async () => {
    const s = await sandbox();
    setEnv({ NEXTSCHOOL_URL: s.url, NEXTSCHOOL_USERNAME: '', NEXTSCHOOL_PASSWORD: '' });
    const ns = createNextSchoolClient();
    const error = await ns.students().catch((e) => e);
    expect(isSessionExpiredError(error)).toBe(true);
    expect(s.stats.logins).toBe(0);
  });

  it('rejects only one of NEXTSCHOOL_USERNAME / NEXTSCHOOL_PASSWORD, as it does for options', () => {
    setEnv({ NEXTSCHOOL_USERNAME: 'env-user' });
    expect(() => createNextSchoolClient()).toThrow('Expected `username` and `password` together, got only one of them');
  });
});
