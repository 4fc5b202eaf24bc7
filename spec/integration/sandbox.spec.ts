import axios from 'axios';
import { startSandboxServer, type SandboxServer } from '../../lib/testing';

const LOGIN = 'mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken expiresIn user { id username } } }';
const REFRESH = 'mutation R($t: String!) { refreshToken(refreshToken: $t) { accessToken expiresIn } }';
const STUDENTS = 'query S($search: String, $limit: Int, $offset: Int, $code: String) { students(search: $search, limit: $limit, offset: $offset, code: $code) { id code fullName classroomName status statusText } }';

const open: SandboxServer[] = [];
async function sandbox(options: Parameters<typeof startSandboxServer>[0] = {}) {
  const s = await startSandboxServer(options);
  open.push(s);
  const post = (body: object, token?: string) =>
    axios.post(s.url, body, { headers: token ? { Authorization: `Bearer ${token}` } : {}, validateStatus: () => true });
  const login = async (u = s.username, p = s.password) => (await post({ query: LOGIN, variables: { u, p } })).data.data.login;
  return { s, post, login };
}
afterEach(async () => Promise.all(open.splice(0).map((s) => s.close())));

describe('startSandboxServer(): authentication', () => {
  it('logs in with the ready-made user and issues an HS256 JWT, a refresh token and expiresIn 900', async () => {
    const { login } = await sandbox();
    const tokens = await login();
    const header = JSON.parse(Buffer.from(tokens.accessToken.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(tokens.refreshToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens.expiresIn).toBe(900);
    expect(tokens.user.username).toBe('demo');
  });

  it('answers wrong credentials with "Invalid credentials"', async () => {
    const { post } = await sandbox();
    const res = await post({ query: LOGIN, variables: { u: 'demo', p: 'wrong' } });
    expect(res.status).toBe(200);
    expect(res.data.errors[0].message).toBe('Invalid credentials');
    expect(res.data.data.login).toBeNull();
  });

  it('answers an expired token with UNAUTHENTICATED at HTTP 200, with locations, path and code', async () => {
    const { s, post, login } = await sandbox();
    const { accessToken } = await login();
    expect((await post({ query: STUDENTS }, accessToken)).data.data.students).toHaveLength(20);
    s.expireAccessTokens();
    const res = await post({ query: STUDENTS }, accessToken);
    expect(res.status).toBe(200);
    expect(res.data.errors[0]).toEqual({
      message: 'Authentication required',
      locations: [{ line: 1, column: STUDENTS.indexOf('students(') + 1 }],
      path: ['students'],
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(s.stats.unauthenticated).toBe(1);
  });

  it('refreshes with a valid refresh token, rejects a revoked one with "Invalid or expired refresh token"', async () => {
    const { s, post, login } = await sandbox();
    const { refreshToken } = await login();
    const ok = await post({ query: REFRESH, variables: { t: refreshToken } });
    expect(ok.data.data.refreshToken.accessToken.split('.')).toHaveLength(3);
    s.revokeRefreshTokens();
    const no = await post({ query: REFRESH, variables: { t: refreshToken } });
    expect(no.data.errors[0].message).toBe('Invalid or expired refresh token');
    expect(s.stats.refreshes).toBe(2);
  });

  it('expires access tokens after accessTtlMs and refresh tokens after refreshTtlMs', async () => {
    const { post, login } = await sandbox({ accessTtlMs: 150, refreshTtlMs: 300 });
    const { accessToken, refreshToken, expiresIn } = await login();
    expect(expiresIn).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect((await post({ query: STUDENTS }, accessToken)).data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await post({ query: REFRESH, variables: { t: refreshToken } })).data.data.refreshToken.accessToken).toBeTruthy();
    await new Promise((r) => setTimeout(r, 150));
    expect((await post({ query: REFRESH, variables: { t: refreshToken } })).data.errors[0].message).toBe('Invalid or expired refresh token');
  });

  it('rotates refresh tokens only when asked, and only then exposes RefreshPayload.refreshToken', async () => {
    const plain = await sandbox();
    const rotating = await sandbox({ rotateRefreshTokens: true });
    const selectNew = 'mutation R($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken expiresIn } }';
    const a = await plain.post({ query: selectNew, variables: { t: (await plain.login()).refreshToken } });
    expect(a.status).toBe(400);
    expect(a.data.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const first = (await rotating.login()).refreshToken;
    const b = await rotating.post({ query: selectNew, variables: { t: first } });
    expect(b.data.data.refreshToken.refreshToken).not.toBe(first);
    const reuse = await rotating.post({ query: selectNew, variables: { t: first } });
    expect(reuse.data.errors[0].message).toBe('Invalid or expired refresh token');
  });

  it('answers FORBIDDEN to a user without a school', async () => {
    const { post, login } = await sandbox();
    const { accessToken } = await login('noschool', 'noschool-password');
    const res = await post({ query: STUDENTS }, accessToken);
    expect(res.data.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('logout ends the session: its refresh token stops working', async () => {
    const { post, login } = await sandbox();
    const { accessToken, refreshToken } = await login();
    expect((await post({ query: 'mutation { logout }' }, accessToken)).data.data.logout).toBe(true);
    expect((await post({ query: REFRESH, variables: { t: refreshToken } })).data.errors[0].message).toBe('Invalid or expired refresh token');
  });
});

describe('startSandboxServer(): data', () => {
  it('serves Thai students with paging and partial-match filters, and the documented sample record', async () => {
    const { post, login } = await sandbox();
    const { accessToken } = await login();
    const first = (await post({ query: STUDENTS, variables: { limit: 1 } }, accessToken)).data.data.students[0];
    expect(first).toEqual({ id: 1, code: '10001', fullName: 'เด็กชายสมชาย ใจดี', classroomName: 'ม.1/1', status: 10, statusText: 'กำลังศึกษา' });
    const page2 = (await post({ query: STUDENTS, variables: { limit: 25, offset: 25 } }, accessToken)).data.data.students;
    expect(page2[0].id).toBe(26);
    const found = (await post({ query: STUDENTS, variables: { search: 'สมชาย' } }, accessToken)).data.data.students;
    expect(found.length).toBeGreaterThan(0);
    found.forEach((s: { fullName: string }) => expect(s.fullName).toContain('สมชาย'));
    expect((await post({ query: STUDENTS, variables: { code: '1006' } }, accessToken)).data.data.students.map((s: { id: number }) => s.id)).toEqual([60]);
  });

  it('serves student(id), teachers and teacher(id)', async () => {
    const { post, login } = await sandbox();
    const { accessToken } = await login();
    const res = await post({ query: '{ student(id: 2) { fullName } teachers(limit: 3) { id fullName teachGroup } teacher(id: 1) { username takecare } }' }, accessToken);
    expect(res.data.data.student.fullName).toMatch(/^เด็กหญิง/);
    expect(res.data.data.teachers).toHaveLength(3);
    expect(res.data.data.teacher.username).toMatch(/\.t1$/);
  });

  it('answers parse and validation errors with HTTP 400 and a GraphQL body', async () => {
    const { post } = await sandbox();
    expect((await post({ query: '{ students {' })).data.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await post({ query: '{ nope }' })).status).toBe(400);
  });
});

describe('startSandboxServer({ rateLimits }): the three documented layers', () => {
  it('per user: RATE_LIMITED at HTTP 200 with extensions.retryAfter', async () => {
    const { s, post, login } = await sandbox({ rateLimits: { perUser: 3, perIp: 1000 } });
    const { accessToken } = await login();
    for (let i = 0; i < 3; i++) expect((await post({ query: STUDENTS }, accessToken)).data.data.students).toBeTruthy();
    const res = await post({ query: STUDENTS }, accessToken);
    expect(res.status).toBe(200);
    expect(res.data.errors[0]).toMatchObject({ message: 'Too many requests. Please slow down.', extensions: { code: 'RATE_LIMITED' } });
    expect(res.data.errors[0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
    expect(s.stats.rateLimited).toBe(1);
  });

  it('per IP: HTTP 429 with Retry-After and X-RateLimit-* headers', async () => {
    const { post } = await sandbox({ rateLimits: { perIp: 2 } });
    const ok = await post({ query: '{ student(id: 1) { id } }' });
    expect(ok.headers['x-ratelimit-remaining']).toBe('1');
    await post({ query: '{ student(id: 1) { id } }' });
    const res = await post({ query: '{ student(id: 1) { id } }' });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    expect(res.data).toEqual({ errors: [{ message: 'Too many requests' }] });
  });

  it('logins: 5 a minute per IP by default, then RATE_LIMITED with retryAfter', async () => {
    const { post } = await sandbox();
    for (let i = 0; i < 5; i++) await post({ query: LOGIN, variables: { u: 'demo', p: 'x' } });
    const res = await post({ query: LOGIN, variables: { u: 'demo', p: 'demo-password' } });
    expect(res.data.errors[0]).toMatchObject({ message: 'Too many login attempts. Please try again later.', extensions: { code: 'RATE_LIMITED' } });
  });

  it('can be turned off', async () => {
    const { post } = await sandbox({ rateLimits: false });
    const answers = await Promise.all(Array.from({ length: 150 }, () => post({ query: '{ student(id: 1) { id } }' })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });
});

describe('startSandboxServer({ faults })', () => {
  it('injects HTTP 500s, resets and HTML pages at the given rates', async () => {
    const { s, post } = await sandbox({ rateLimits: false, faults: { http500: 0.2, reset: 0.1, html: 0.1 } });
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, () => post({ query: '{ student(id: 1) { id } }' }).then((r) => String(r.status), (e) => e.code)),
    );
    const count = (k: string) => outcomes.filter((o) => o === k).length;
    expect(count('500')).toBeGreaterThan(20);
    expect(count('502')).toBeGreaterThan(5);
    expect(outcomes.filter((o) => !['200', '500', '502'].includes(o)).length).toBeGreaterThan(5); // resets
    expect(s.stats.faults).toBe(300 - count('200'));
  });
});

describe('startSandboxServer({ cors })', () => {
  const ORIGIN = 'http://app.example:5173';
  const preflight = (url: string, requestHeaders = 'authorization,content-type') =>
    axios.request({
      url,
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': requestHeaders },
      validateStatus: () => true,
    });

  it('answers a preflight with 204, the Origin echoed, the methods, the requested headers and a max age', async () => {
    const { s } = await sandbox();
    const res = await preflight(s.url, 'authorization,content-type,x-request-id');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['access-control-allow-methods']).toBe('POST, GET, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('authorization,content-type,x-request-id');
    expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
    expect(s.stats).toMatchObject({ requests: 0, preflights: 1 });
  });

  it('does not count preflights against the per-IP limit', async () => {
    const { s, post } = await sandbox({ rateLimits: { perIp: 1 } });
    for (let i = 0; i < 3; i++) expect((await preflight(s.url)).status).toBe(204);
    expect((await post({ query: '{ student(id: 1) { id } }' })).status).toBe(200);
  });

  it('puts Allow-Origin and exposes Retry-After and X-RateLimit-* on answers, 429s and errors included', async () => {
    const { s } = await sandbox({ rateLimits: { perIp: 1 } });
    const send = (body: object) => axios.post(s.url, body, { headers: { Origin: ORIGIN }, validateStatus: () => true });
    const ok = await send({ query: '{ student(id: 1) { id } }' });
    const limited = await send({ query: '{ student(id: 1) { id } }' });
    expect([ok.status, limited.status]).toEqual([200, 429]);
    for (const res of [ok, limited]) {
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      const exposed = String(res.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/);
      expect(exposed).toEqual(expect.arrayContaining(['retry-after', 'x-ratelimit-remaining', 'x-ratelimit-reset']));
    }
  });

  it('answers "*" when the request has no Origin, and carries CORS headers on 400s and injected faults', async () => {
    const { s } = await sandbox({ rateLimits: false });
    const bad = await axios.post(s.url, { query: '{ nope }' }, { validateStatus: () => true });
    expect(bad.status).toBe(400);
    expect(bad.headers['access-control-allow-origin']).toBe('*');
    const faulty = await sandbox({ rateLimits: false, faults: { http500: 1 } });
    const res = await axios.post(faulty.s.url, { query: '{ student(id: 1) { id } }' }, { headers: { Origin: ORIGIN }, validateStatus: () => true });
    expect(res.status).toBe(500);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('cors: false answers a preflight with 405 and no Access-Control-* headers', async () => {
    const { s, post } = await sandbox({ cors: false });
    const res = await preflight(s.url);
    expect(res.status).toBe(405);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const answer = await post({ query: '{ student(id: 1) { id } }' });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});
