import { inspect } from 'node:util';
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { isLoginError, isSessionExpiredError } from '../../lib';
import {
  createNextSchoolClient,
  NEXTSCHOOL_SANDBOX_URL,
  NEXTSCHOOL_URL,
  type NextSchoolLogin,
  STUDENT_VISIT_QUERY,
  STUDENTS_QUERY,
  VISIT_STUDENTS_QUERY,
} from '../../lib/nextschool';
import { type SandboxServer, startSandboxServer } from '../../lib/testing';
import { startTestServer } from '../support/graphql-server';

const open: Array<{ close(): Promise<void> }> = [];
async function sandbox(options: Parameters<typeof startSandboxServer>[0] = {}): Promise<SandboxServer> {
  const s = await startSandboxServer({ rateLimits: false, ...options });
  open.push(s);
  return s;
}
afterEach(async () => Promise.all(open.splice(0).map((s) => s.close())));

describe('createNextSchoolClient(options)', () => {
  it('exports the documented endpoints', () => {
    expect(NEXTSCHOOL_URL).toBe('https://data.nextschool.io/');
    expect(NEXTSCHOOL_SANDBOX_URL).toBe('https://sandbox.nextschool.io/');
  });

  it('logs in lazily, once, however many requests wait', async () => {
    const s = await sandbox({ latencyMs: 20 });
    const ns = createNextSchoolClient({ url: s.url, username: s.username, password: s.password });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => ns.students({ limit: 1 + (i % 5) })));
    answers.forEach((list, i) => expect(list).toHaveLength(1 + (i % 5)));
    expect(s.stats.logins).toBe(1);
    expect(s.stats.unauthenticated).toBe(0);
  });

  it('refreshes once across an expiry, and logs in again once when the refresh token dies', async () => {
    const s = await sandbox();
    // 61 requests and their replays in a few milliseconds: more than the preset's 60 a minute (the sandbox here has no limits).
    const ns = createNextSchoolClient({ url: s.url, username: s.username, password: s.password, rateLimit: false });
    await ns.students();
    s.expireAccessTokens();
    await Promise.all(Array.from({ length: 30 }, () => ns.students()));
    expect([s.stats.logins, s.stats.refreshes]).toEqual([1, 1]);
    s.expireAccessTokens();
    s.revokeRefreshTokens();
    await Promise.all(Array.from({ length: 30 }, () => ns.students()));
    expect([s.stats.logins, s.stats.refreshes]).toEqual([2, 2]);
    expect(ns.auth.stats.sessionExpired).toBe(0);
  });

  it('rejects wrong credentials with LoginError carrying the server message, never retried, password nowhere', async () => {
    const s = await sandbox();
    const password = 'wrong-"pass"-word';
    const ns = createNextSchoolClient({ url: s.url, username: s.username, password });
    const errors = await Promise.all([ns.students(), ns.students(), ns.teachers()].map((p) => p.catch((e) => e)));
    for (const error of errors) {
      expect(isLoginError(error)).toBe(true);
      expect(error.message).toBe('Invalid credentials');
      for (const text of [
        String(error),
        JSON.stringify(error),
        JSON.stringify(error.toJSON()),
        inspect(error, { depth: 8 }),
        error.stack,
      ]) {
        expect(text).not.toContain(password);
      }
    }
    await ns.students().catch(() => {});
    expect(s.stats.logins).toBe(1);
    // An explicit login with the right credentials recovers.
    await ns.login(s.username, s.password);
    await expect(ns.students({ limit: 2 })).resolves.toHaveLength(2);
  });

  it('fails with SessionExpiredError (not signed in) when it has neither credentials nor tokens', async () => {
    const s = await sandbox();
    const ns = createNextSchoolClient({ url: s.url });
    const error = await ns.students().catch((e) => e);
    expect(isSessionExpiredError(error)).toBe(true);
    expect(isLoginError(error)).toBe(false);
    expect(error.message).toMatch(/no NextSchool credentials/);
    expect(s.stats.requests).toBe(0);
  });

  it('login() and logout()', async () => {
    const s = await sandbox();
    const ns = createNextSchoolClient({ url: s.url });
    const tokens = await ns.login(s.username, s.password);
    expect(tokens.expiresAt! - tokens.issuedAt!).toBe(900_000);
    await ns.logout();
    expect(await ns.auth.getTokens()).toBeNull();
    // The credentials given to login() are remembered: the next request logs in again.
    await expect(ns.student(1)).resolves.toMatchObject({ id: 1 });
    expect(s.stats.logins).toBe(2);
  });

  it('types and serves the documented queries', async () => {
    const s = await sandbox();
    const ns = createNextSchoolClient({ url: s.url, username: s.username, password: s.password });
    const { students } = await ns.query(STUDENTS_QUERY, { search: 'สมชาย', limit: 3 });
    // Typed without codegen: these are compile errors (checked by `tsc`, which fails on an unused directive).
    // @ts-expect-error `classroom` is not an argument of students
    void (() => ns.students({ classroom: 'ม.1/1' }));
    // @ts-expect-error Student has no `grade` field
    void students?.[0]?.grade;
    const first = students?.[0];
    expect(first?.fullName).toContain('สมชาย');
    expect(first?.classroomName).toMatch(/^ม\./);
    expect(await ns.teacher(1)).toMatchObject({ id: 1 });
    expect(await ns.teachers({ limit: 4 })).toHaveLength(4);
  });

  it('surfaces FORBIDDEN for a user without a school, without refreshing', async () => {
    const s = await sandbox();
    const ns = createNextSchoolClient({ url: s.url, username: 'noschool', password: 'noschool-password' });
    await expect(ns.students()).rejects.toMatchObject({ name: 'GraphQLRequestError', code: 'FORBIDDEN' });
    expect(s.stats.refreshes).toBe(0);
  });

  it('attaches to an existing instance and leaves its other routes and interceptors as they were', async () => {
    const s = await sandbox();
    const own = await startTestServer(); // the application's own backend
    open.push(own);
    const api = axios.create({ baseURL: own.url });
    let seen = 0;
    api.interceptors.request.use((config) => {
      seen++;
      return config;
    });
    let answered = 0;
    api.interceptors.response.use((response) => {
      answered++;
      return response;
    });
    const ns = createNextSchoolClient({ axios: api, url: s.url, username: s.username, password: s.password });

    own.set({ failNext: { operationName: '*', count: 1, kind: 'http500' } });
    await expect(api.get('')).rejects.toMatchObject({ response: { status: 500 } }); // not retried by the plugin
    const mine = await api.post('', { query: '{ me }' });
    expect(mine.data.errors[0].extensions.code).toBe('UNAUTHENTICATED'); // not refreshed: not NextSchool
    expect(own.received.map((r) => r.authorization)).toEqual([undefined, undefined]); // no NextSchool token leaked
    expect(own.stats.requests).toBe(2);

    await expect(ns.students({ limit: 1 })).resolves.toHaveLength(1);
    expect([seen, answered]).toEqual([3, 2]); // the failed GET skipped the fulfilled handler
    expect(s.stats.refreshes + s.stats.logins).toBe(1);
  });
});

describe('createNextSchoolClient(): who logged in', () => {
  it('login() selects user { id username name email } and returns it beside the TokenSet fields', async () => {
    const s = await sandbox();
    const ns = createNextSchoolClient({ url: s.url, username: s.username, password: s.password });
    const result: NextSchoolLogin = await ns.login();
    expect(result.user).toEqual({ id: 1, username: 'demo', name: 'บัญชีทดสอบ API', email: 'api@school.ac.th' });
    expect(result.accessToken.split('.')).toHaveLength(3);
    expect(typeof result.refreshToken).toBe('string');
    expect(result.expiresAt! - result.issuedAt!).toBe(900_000);
    // The stored tokens are the TokenSet alone: `user` is not written to the store.
    expect(await ns.auth.getTokens()).not.toHaveProperty('user');
  });

  it('login(username, password) returns the user who just logged in', async () => {
    const s = await sandbox({
      users: [
        { username: 'a', password: 'pa', school: 'x', name: 'ครูเอ' },
        { username: 'b', password: 'pb', school: 'x' },
      ],
    });
    const ns = createNextSchoolClient({ url: s.url });
    expect((await ns.login('a', 'pa')).user).toMatchObject({ id: 1, username: 'a', name: 'ครูเอ' });
    expect((await ns.login('b', 'pb')).user).toMatchObject({ id: 2, username: 'b', name: 'b', email: 'b@school.example' });
  });

  it('login() gives user: null when the answer holds none', async () => {
    const api = axios.create();
    const mock = new MockAdapter(api);
    mock
      .onPost('https://data.nextschool.io/')
      .reply(200, { data: { login: { accessToken: 'a.b.c', refreshToken: 'r', expiresIn: 900, user: null } } });
    const ns = createNextSchoolClient({ axios: api });
    const result = await ns.login('someone', 'secret');
    expect(result).toMatchObject({ accessToken: 'a.b.c', refreshToken: 'r', user: null });
    expect(JSON.parse(mock.history.post[0]!.data).query).toContain('user { id username name email }');
  });
});

describe('createNextSchoolClient(): the care module helpers, against the sandbox', () => {
  async function client() {
    const s = await sandbox();
    return { s, ns: createNextSchoolClient({ url: s.url, username: s.username, password: s.password }) };
  }

  it('visitStudents(args) and visitStats(): 50 rows by default, filters sent as variables, counts that agree', async () => {
    const { ns } = await client();
    expect(await ns.visitStudents()).toHaveLength(50);
    const problems = await ns.visitStudents({ classroomId: 42, status: 'problem' });
    expect(problems.length).toBeGreaterThan(0);
    problems.forEach((row) => expect(row).toMatchObject({ classroomName: 'ม.1/2', overall: 'PROBLEM', overallText: 'มีปัญหา' }));
    const stats = await ns.visitStats();
    const all = await ns.visitStudents({ limit: 100 });
    expect(stats).toEqual({
      total: all.length,
      visited: all.filter((r) => r?.overall !== 'NOT_VISITED').length,
      notVisited: all.filter((r) => r?.overall === 'NOT_VISITED').length,
      problem: all.filter((r) => r?.overall === 'PROBLEM').length,
      normal: all.filter((r) => r?.overall === 'NORMAL').length,
    });
    // @ts-expect-error not a documented status
    void (() => ns.visitStudents({ status: 'late' }));
  });

  it('adviserScreens(args) and adviserScreenStats()', async () => {
    const { ns } = await client();
    const special = await ns.adviserScreens({ status: 'special' });
    expect(special.map((r) => r?.studentId)).toEqual([29, 58]);
    const stats = await ns.adviserScreenStats();
    expect(stats).toEqual({
      totalSpecial: 2,
      totalNormal: expect.any(Number),
      totalRisk: expect.any(Number),
      totalProblem: expect.any(Number),
      totalGenius: 2,
      totalAcademicSpecial: expect.any(Number),
      totalActivitySpecial: expect.any(Number),
    });
    const all = await ns.adviserScreens({ limit: 100 });
    expect(stats!.totalRisk).toBe(all.filter((r) => r?.overall === 'RISK').length);
  });

  it('sdqTemplate(), eqTemplate(), sdqStudents(args), eqStudents(args)', async () => {
    const { ns } = await client();
    expect((await ns.sdqTemplate())?.questions).toHaveLength(25);
    expect((await ns.eqTemplate())?.questions).toHaveLength(52);
    const sdq = await ns.sdqStudents({ classroomId: 42 });
    expect(sdq).toHaveLength(8);
    expect(sdq.find((r) => r?.studentId === 9)).toMatchObject({ teacherAnswered: 12, parentAnswered: 0, studentAnswered: 0 });
    expect((await ns.eqStudents({ limit: 4 })).map((r) => r?.answered)).toEqual([52, 52, 52, 0]);
  });

  it('studentCare(id), teacherVisitSummary(id, semesterId) and the typed documents', async () => {
    const { ns } = await client();
    const care = await ns.studentCare(8);
    expect(care?.visit).toBeNull(); // student 8 was not visited this year
    expect(care?.sdqResults?.[0]).toMatchObject({ respondentType: 'TEACHER', level: 'PROBLEM', totalScore: 40 });
    expect(care?.eqResult?.answered).toBe(0);
    expect(care?.adviserScreen?.domains).toHaveLength(9);
    const summary = await ns.teacherVisitSummary(2);
    const rows = await ns.visitStudents({ classroomId: 42 });
    expect(summary).toMatchObject({ total: rows.length, visited: rows.filter((r) => r?.overall !== 'NOT_VISITED').length });
    expect((await ns.teacherVisitSummary(2, 2))?.total).toBe(rows.length);
    const { student } = await ns.query(STUDENT_VISIT_QUERY, { id: 10 });
    expect(student?.visit).toMatchObject({ overall: 'PROBLEM', overallText: 'มีปัญหา' });
    const { visitStudents } = await ns.query(VISIT_STUDENTS_QUERY, { semesterId: 2, status: 'visited' });
    visitStudents?.forEach((r) => expect(r?.visitedAt).toMatch(/^2025-11-/));
  });
});
