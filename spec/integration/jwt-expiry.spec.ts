import { waitFor } from '../support/events';
import { closeAll, harness, holdOperation, STUDENTS } from '../support/setup';

// An access token that is a JWT carries its own expiry: when the login or refresh gives no
// `expiresIn`/`expiresAt`, its `exp` claim (read, never verified) is the known expiry, and its `iat`
// the moment it was issued (docs/configuration.md, "tokens"). The proactive refresh then works.

afterEach(closeAll);

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT-shaped token (the signature is not checked by the plugin, so any bytes do). */
const jwt = (claims: Record<string, unknown>, n = 0) =>
  `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'service', n, ...claims })}.c2lnbmF0dXJl`;
const seconds = (ms: number) => Math.floor(ms / 1000);

describe('attachTokenRefresh(instance): a JWT access token without expiresIn', () => {
  it('is refreshed before sending once its `exp` has passed, so the server never sees it', async () => {
    const h = await harness({ tokens: 'none' });
    // One `exp`, read once: computed twice, a second boundary between the two reads of the clock made them differ.
    const exp = seconds(Date.now() - 10_000);
    const expired = jwt({ iat: exp - 890, exp });
    await h.auth.setTokens({ accessToken: expired, refreshToken: h.initial.refreshToken });
    expect((await h.auth.getTokens())?.expiresAt).toBe(exp * 1000);
    await Promise.all(Array.from({ length: 5 }, () => h.client.query(STUDENTS)));
    expect(h.server.stats.refreshes).toBe(1);
    expect(h.studentRequests()).not.toContain(expired);
    expect(h.server.stats.unauthenticated).toBe(0);
  });

  it('is refreshed once in the background when its `exp` nears, while requests keep using it (lifetime from `iat`)', async () => {
    const now = Date.now();
    // The server issues JWTs: the first expires in 30 s of a 15-minute lifetime (due: refreshAheadMs is 60 s), the next in an hour.
    let nearExpiry = true;
    const h = await harness(
      { tokens: 'none', refreshAheadMs: 60_000 },
      {
        makeAccessToken: (n) =>
          jwt(
            nearExpiry ? { iat: seconds(now - 870_000), exp: seconds(now + 30_000) } : { iat: seconds(now), exp: seconds(now + 3_600_000) },
            n,
          ),
      },
    );
    const first = h.server.issueTokens();
    nearExpiry = false;
    await h.auth.setTokens({ accessToken: first.accessToken, refreshToken: first.refreshToken });
    const refresh = holdOperation(h.server, 'RefreshToken');
    await Promise.all(Array.from({ length: 5 }, () => h.client.query(STUDENTS)));
    expect(h.studentRequests()).toEqual(Array(5).fill(first.accessToken)); // none waited for the refresh
    expect(h.auth.stats.refreshes).toBe(1); // started as the first request passed (counted at its start)
    await refresh.arrived;
    refresh.release();
    await waitFor(async () => (await h.auth.getTokens())?.accessToken !== first.accessToken, 'the background refresh stored its tokens');
    await h.client.query(STUDENTS);
    expect(h.studentRequests()[5]).not.toBe(first.accessToken);
    expect(h.server.stats.refreshes).toBe(1);
    expect(h.server.stats.unauthenticated).toBe(0);
  });

  it('keeps expiresIn when the server gives it (the JWT is not read then)', async () => {
    const h = await harness({ tokens: 'none' });
    const expired = jwt({ exp: seconds(Date.now() - 10_000) });
    const before = Date.now();
    await h.auth.setTokens({ accessToken: expired, refreshToken: h.initial.refreshToken, expiresIn: 900 });
    expect((await h.auth.getTokens())?.expiresAt).toBeGreaterThanOrEqual(before + 900_000);
  });
});
