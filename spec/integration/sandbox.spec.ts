import axios from 'axios';
import { type SandboxServer, startSandboxServer } from '../../lib/testing';

const LOGIN =
  'mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken expiresIn user { id username } } }';
const REFRESH = 'mutation R($t: String!) { refreshToken(refreshToken: $t) { accessToken expiresIn } }';
const STUDENTS =
  'query S($search: String, $limit: Int, $offset: Int, $code: String) { students(search: $search, limit: $limit, offset: $offset, code: $code) { id code fullName classroomName status statusText } }';

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
    // The clock is the test's: only Date is faked (the sandbox reads Date.now()), so the requests
    // themselves run on real timers and a slow machine cannot outrun a TTL between two of them.
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      const { post, login } = await sandbox({ accessTtlMs: 150, refreshTtlMs: 300 });
      const { accessToken, refreshToken, expiresIn } = await login();
      expect(expiresIn).toBe(1);
      jest.setSystemTime(Date.now() + 149);
      expect((await post({ query: STUDENTS }, accessToken)).data.data.students).toHaveLength(20);
      jest.setSystemTime(Date.now() + 1);
      expect((await post({ query: STUDENTS }, accessToken)).data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      jest.setSystemTime(Date.now() + 149);
      expect((await post({ query: REFRESH, variables: { t: refreshToken } })).data.data.refreshToken.accessToken).toBeTruthy();
      jest.setSystemTime(Date.now() + 1);
      expect((await post({ query: REFRESH, variables: { t: refreshToken } })).data.errors[0].message).toBe(
        'Invalid or expired refresh token',
      );
    } finally {
      jest.useRealTimers();
    }
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
    expect((await post({ query: REFRESH, variables: { t: refreshToken } })).data.errors[0].message).toBe(
      'Invalid or expired refresh token',
    );
  });
});

describe('startSandboxServer(): data', () => {
  it('serves Thai students with paging and partial-match filters, and the documented sample record', async () => {
    const { post, login } = await sandbox();
    const { accessToken } = await login();
    const first = (await post({ query: STUDENTS, variables: { limit: 1 } }, accessToken)).data.data.students[0];
    expect(first).toEqual({
      id: 1,
      code: '10001',
      fullName: 'เด็กชายสมชาย ใจดี',
      classroomName: 'ม.1/1',
      status: 10,
      statusText: 'กำลังศึกษา',
    });
    const page2 = (await post({ query: STUDENTS, variables: { limit: 25, offset: 25 } }, accessToken)).data.data.students;
    expect(page2[0].id).toBe(26);
    const found = (await post({ query: STUDENTS, variables: { search: 'สมชาย' } }, accessToken)).data.data.students;
    expect(found.length).toBeGreaterThan(0);
    found.forEach((s: { fullName: string }) => expect(s.fullName).toContain('สมชาย'));
    expect(
      (await post({ query: STUDENTS, variables: { code: '1006' } }, accessToken)).data.data.students.map((s: { id: number }) => s.id),
    ).toEqual([60]);
  });

  it('serves student(id), teachers and teacher(id)', async () => {
    const { post, login } = await sandbox();
    const { accessToken } = await login();
    const res = await post(
      { query: '{ student(id: 2) { fullName } teachers(limit: 3) { id fullName teachGroup } teacher(id: 1) { username takecare } }' },
      accessToken,
    );
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
    expect(res.data.errors[0]).toMatchObject({
      message: 'Too many login attempts. Please try again later.',
      extensions: { code: 'RATE_LIMITED' },
    });
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
      Array.from({ length: 300 }, () =>
        post({ query: '{ student(id: 1) { id } }' }).then(
          (r) => String(r.status),
          (e) => e.code,
        ),
      ),
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
    const res = await axios.post(
      faulty.s.url,
      { query: '{ student(id: 1) { id } }' },
      { headers: { Origin: ORIGIN }, validateStatus: () => true },
    );
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

describe('startSandboxServer(): the documented login payload and token', () => {
  it('answers login with AuthUser { id username name email } and a JWT whose sub is a string', async () => {
    const { post } = await sandbox();
    const res = await post({
      query: 'mutation { login(username: "demo", password: "demo-password") { accessToken user { __typename id username name email } } }',
    });
    const { accessToken, user } = res.data.data.login;
    expect(user).toEqual({ __typename: 'AuthUser', id: 1, username: 'demo', name: 'บัญชีทดสอบ API', email: 'api@school.ac.th' });
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
    expect(claims.sub).toBe('1');
  });
});

describe('startSandboxServer(): filters match as the query pages say', () => {
  async function authed() {
    const { post, login } = await sandbox({ rateLimits: false });
    const { accessToken } = await login();
    return async (query: string, variables: object = {}) => {
      const res = await post({ query, variables }, accessToken);
      expect(res.data.errors).toBeUndefined();
      return res.data.data;
    };
  }
  const STUDENT_IDS =
    'query S($search: String, $firstname: String, $mobileNo: String, $citizenId: String) { students(search: $search, firstname: $firstname, mobileNo: $mobileNo, citizenId: $citizenId, limit: 100) { id firstname mobileNo citizenId firstnameEn } }';
  const TEACHERS =
    'query T($search: String, $username: String, $email: String, $mobileNo: String, $citizenId: String) { teachers(search: $search, username: $username, email: $email, mobileNo: $mobileNo, citizenId: $citizenId) { id username email mobileNo } }';

  it('students: firstname is partial; mobileNo and citizenId are exact; search spans code, names, mobileNo, citizenId only', async () => {
    const q = await authed();
    const everyone = (await q(STUDENT_IDS)).students;
    const first = everyone[0];
    expect((await q(STUDENT_IDS, { firstname: 'ชาย' })).students.every((s: { firstname: string }) => s.firstname.includes('ชาย'))).toBe(
      true,
    );
    expect((await q(STUDENT_IDS, { mobileNo: first.mobileNo })).students.map((s: { id: number }) => s.id)).toEqual([1]);
    expect((await q(STUDENT_IDS, { mobileNo: first.mobileNo.slice(0, 6) })).students).toEqual([]);
    expect((await q(STUDENT_IDS, { citizenId: first.citizenId })).students.map((s: { id: number }) => s.id)).toEqual([1]);
    expect((await q(STUDENT_IDS, { citizenId: first.citizenId.slice(1) })).students).toEqual([]);
    expect((await q(STUDENT_IDS, { search: first.citizenId.slice(3, 9) })).students.map((s: { id: number }) => s.id)).toContain(1);
    // English names are not among the searched fields.
    expect((await q(STUDENT_IDS, { search: first.firstnameEn })).students).toEqual([]);
  });

  it('teachers: username and email partial; mobileNo exact; teachers(citizenId) honoured; search spans citizenId', async () => {
    const q = await authed();
    const all = (await q(TEACHERS)).teachers;
    expect((await q(TEACHERS, { username: '.t1' })).teachers.map((t: { id: number }) => t.id)).toEqual([1, 10, 11, 12]);
    expect((await q(TEACHERS, { email: 'school.example' })).teachers).toHaveLength(12);
    expect((await q(TEACHERS, { mobileNo: all[2].mobileNo })).teachers.map((t: { id: number }) => t.id)).toEqual([3]);
    expect((await q(TEACHERS, { mobileNo: all[2].mobileNo.slice(0, 5) })).teachers).toEqual([]);
    // The citizen id is not a documented Teacher field: read it from the sandbox's data.
    const { sampleTeachers } = await import('../../lib/testing/data');
    const citizenId = sampleTeachers()[4]!.citizenId;
    expect((await q(TEACHERS, { citizenId })).teachers.map((t: { id: number }) => t.id)).toEqual([5]);
    expect((await q(TEACHERS, { citizenId: citizenId.slice(0, 8) })).teachers).toEqual([]);
    expect((await q(TEACHERS, { search: citizenId.slice(2, 10) })).teachers.map((t: { id: number }) => t.id)).toEqual([5]);
  });
});

describe('startSandboxServer(): the care module', () => {
  async function authed(options: Parameters<typeof startSandboxServer>[0] = {}) {
    const { post, login } = await sandbox({ rateLimits: false, ...options });
    const { accessToken } = await login();
    return (query: string, variables: object = {}) => post({ query, variables }, accessToken);
  }
  const VISITS =
    'query V($classroomId: Int, $semesterId: Int, $status: String, $limit: Int, $offset: Int) { visitStudents(classroomId: $classroomId, semesterId: $semesterId, status: $status, limit: $limit, offset: $offset) { studentId classroomName visitId visitedAt overall overallText } }';

  it('visitStudents: 50 rows by default, status and classroomId filters, overall with Thai text, and visitStats agreeing', async () => {
    const q = await authed();
    const all = (await q(VISITS)).data.data.visitStudents;
    expect(all).toHaveLength(50);
    const whole = (await q(VISITS, { limit: 100 })).data.data.visitStudents;
    expect(whole).toHaveLength(60);
    const stats = (await q('{ visitStats { total visited notVisited problem normal } }')).data.data.visitStats;
    const count = (o: string) => whole.filter((r: { overall: string }) => r.overall === o).length;
    expect(stats).toEqual({
      total: 60,
      visited: 60 - count('NOT_VISITED'),
      notVisited: count('NOT_VISITED'),
      problem: count('PROBLEM'),
      normal: count('NORMAL'),
    });
    expect(stats.problem).toBeGreaterThan(0);
    expect(stats.notVisited).toBeGreaterThan(0);
    const problems = (await q(VISITS, { classroomId: 42, status: 'problem' })).data.data.visitStudents;
    expect(problems.length).toBeGreaterThan(0);
    for (const row of problems)
      expect(row).toMatchObject({ classroomName: 'ม.1/2', overall: 'PROBLEM', overallText: 'มีปัญหา', visitId: expect.any(Number) });
    const notVisited = (await q(VISITS, { status: 'not_visited', limit: 100 })).data.data.visitStudents;
    expect(notVisited).toHaveLength(stats.notVisited);
    for (const row of notVisited)
      expect(row).toMatchObject({ overall: 'NOT_VISITED', overallText: 'ยังไม่เยี่ยม', visitId: null, visitedAt: null });
    expect((await q(VISITS, { status: 'visited', limit: 100 })).data.data.visitStudents).toHaveLength(stats.visited);
  });

  it('semesterId overrides the year; an unknown status is a GraphQL error with BAD_USER_INPUT', async () => {
    const q = await authed();
    const second = (await q(VISITS, { semesterId: 2, status: 'visited', limit: 100 })).data.data.visitStudents;
    expect(second.length).toBeGreaterThan(0);
    for (const row of second) expect(row.visitedAt).toMatch(/^2025-11-/);
    const bad = await q(VISITS, { status: 'maybe' });
    expect(bad.status).toBe(200);
    expect(bad.data.errors[0]).toMatchObject({
      message: expect.stringContaining('Invalid status "maybe"'),
      path: ['visitStudents'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('adviserScreens and adviserScreenStats: overall classes in the documented precedence, per-domain counts', async () => {
    const q = await authed();
    const rows = (await q('{ adviserScreens(limit: 100) { studentId screenId overall } }')).data.data.adviserScreens;
    const stats = (
      await q(
        '{ adviserScreenStats { total totalSpecial totalTalent totalNormal totalRisk totalProblem totalGenius totalNotScreened domains { name nameText normal risk problem } } }',
      )
    ).data.data.adviserScreenStats;
    const count = (o: string) => rows.filter((r: { overall: string }) => r.overall === o).length;
    expect(stats).toMatchObject({
      total: 60,
      totalSpecial: count('SPECIAL'),
      totalTalent: count('TALENT'),
      totalNormal: count('NORMAL'),
      totalRisk: count('RISK'),
      totalProblem: count('PROBLEM'),
      totalNotScreened: count('NOT_SCREENED'),
    });
    expect(count('SPECIAL')).toBe(stats.totalGenius);
    expect(stats.domains.map((d: { name: string }) => d.name)).toEqual([
      'STUDY',
      'HEALTH',
      'FINANCIAL',
      'SECURITY',
      'DRUG',
      'VIOLENCE',
      'SEXUAL',
      'GAME',
      'ELECTRONIC',
    ]);
    const special = (await q('{ adviserScreens(status: "special") { studentId overall } }')).data.data.adviserScreens;
    expect(special.map((r: { studentId: number }) => r.studentId)).toEqual([29, 58]);
    // Student 58 is a genius with a PROBLEM domain or not: SPECIAL wins either way.
    const nested = (await q('{ student(id: 58) { adviserScreen { overall isGenius domains { state stateText } } } }')).data.data.student
      .adviserScreen;
    expect(nested).toMatchObject({ overall: 'SPECIAL', isGenius: true });
    expect(nested.domains).toHaveLength(9);
  });

  it('sdqTemplate (25 questions, 0–2 points, reverse items reversed) and eqTemplate (52 questions, 1–4 points)', async () => {
    const q = await authed();
    const { sdqTemplate, eqTemplate } = (
      await q(
        '{ sdqTemplate { id name questions { orderNumber questionText answers { answerText answerPoint } } } eqTemplate { name questions { orderNumber answers { answerPoint } } } }',
      )
    ).data.data;
    expect(sdqTemplate.questions).toHaveLength(25);
    expect(sdqTemplate.questions.map((x: { orderNumber: number }) => x.orderNumber)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(sdqTemplate.questions[0].answers.map((a: { answerPoint: number }) => a.answerPoint)).toEqual([0, 1, 2]);
    expect(sdqTemplate.questions[6].answers.map((a: { answerPoint: number }) => a.answerPoint)).toEqual([2, 1, 0]); // item 7, reversed
    expect(eqTemplate.questions).toHaveLength(52);
    expect(eqTemplate.questions[0].answers.map((a: { answerPoint: number }) => a.answerPoint)).toEqual([1, 2, 3, 4]);
  });

  it('sdqResults on Student: levels per the SDQ page for full, partial and missing answers; RespondentType filter', async () => {
    const q = await authed();
    const query =
      'query R($id: Int, $r: RespondentType) { student(id: $id) { sdqResults(respondentType: $r) { respondentType answered totalScore level levelText dimensions { dimension score level } } } }';
    const student8 = (await q(query, { id: 8 })).data.data.student.sdqResults;
    expect(student8.map((r: { respondentType: string }) => r.respondentType)).toEqual(['TEACHER', 'PARENT', 'STUDENT']);
    // Student 8 answered 2 everywhere: dimensions 1–4 score 10 each (total 40 → PROBLEM), PROSOCIAL a STRENGTH.
    expect(student8[0]).toMatchObject({ answered: 25, totalScore: 40, level: 'PROBLEM', levelText: 'มีปัญหา' });
    expect(student8[0].dimensions.map((d: { level: string }) => d.level)).toEqual(['PROBLEM', 'PROBLEM', 'PROBLEM', 'PROBLEM', 'STRENGTH']);
    const partial = (await q(query, { id: 9, r: 'TEACHER' })).data.data.student.sdqResults; // 12 of 25 answered
    expect(partial).toEqual([
      expect.objectContaining({ respondentType: 'TEACHER', answered: 12, level: 'PARTIAL', levelText: 'ประเมินยังไม่ครบ' }),
    ]);
    expect(partial[0].dimensions.some((d: { level: string }) => d.level === 'NOT_ASSESSED')).toBe(true);
    const none = (await q(query, { id: 1, r: 'PARENT' })).data.data.student.sdqResults[0];
    expect(none).toMatchObject({ answered: 0, totalScore: null, level: 'NOT_ASSESSED', levelText: 'ยังไม่ประเมิน' });
    const notAnEnumValue = await q(query, { id: 1, r: 'NOBODY' });
    expect(notAnEnumValue.status).toBe(400);
    expect(notAnEnumValue.data.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('eqResult on Student: 9 dimensions with NORMAL ranges; NOT_ASSESSED without answers; eqStudents and sdqStudents agree', async () => {
    const q = await authed();
    const eq = (
      await q(
        '{ a: student(id: 1) { eqResult { answered dimensions { group dimension score normalMin normalMax level } } } b: student(id: 4) { eqResult { answered dimensions { level } } } }',
      )
    ).data.data;
    expect(eq.a.eqResult.answered).toBe(52);
    expect(eq.a.eqResult.dimensions).toHaveLength(9);
    for (const d of eq.a.eqResult.dimensions) {
      const expected = d.score < d.normalMin ? 'LOW' : d.score > d.normalMax ? 'HIGH' : 'NORMAL';
      expect(d.level).toBe(expected);
    }
    expect(eq.a.eqResult.dimensions[0]).toMatchObject({ group: 'GOOD', dimension: 'SELF_CONTROL', normalMin: 13, normalMax: 18 });
    expect(eq.b.eqResult.answered).toBe(0);
    expect(eq.b.eqResult.dimensions.every((d: { level: string }) => d.level === 'NOT_ASSESSED')).toBe(true);
    const lists = (
      await q(
        '{ eqStudents(limit: 4) { studentId answered } sdqStudents(classroomId: 42) { studentId classroomName teacherAnswered parentAnswered studentAnswered } }',
      )
    ).data.data;
    expect(lists.eqStudents.map((r: { answered: number }) => r.answered)).toEqual([52, 52, 52, 0]);
    expect(lists.sdqStudents).toHaveLength(8);
    expect(lists.sdqStudents.every((r: { classroomName: string }) => r.classroomName === 'ม.1/2')).toBe(true);
    expect(lists.sdqStudents.find((r: { studentId: number }) => r.studentId === 9)).toMatchObject({
      teacherAnswered: 12,
      parentAnswered: 0,
      studentAnswered: 0,
    });
  });

  it('Student.visit and Teacher.visitSummary(semesterId) agree with visitStudents', async () => {
    const q = await authed();
    const visit = (await q('{ student(id: 10) { visit { id overall overallText visitedAt studyAssist game houseAssist } } }')).data.data
      .student.visit;
    expect(visit).toMatchObject({ overall: 'PROBLEM', overallText: 'มีปัญหา', studyAssist: true, game: true, houseAssist: false });
    expect((await q('{ student(id: 4) { visit { id } } }')).data.data.student.visit).toBeNull();
    const teacher = (
      await q(
        '{ teacher(id: 2) { takecare all: visitSummary { total visited notVisited problem normal } s2: visitSummary(semesterId: 2) { total visited } } }',
      )
    ).data.data.teacher;
    expect(teacher.takecare).toBe('ม.1/2');
    const rows = (await q(VISITS, { classroomId: 42 })).data.data.visitStudents;
    expect(teacher.all.total).toBe(rows.length);
    expect(teacher.all.visited).toBe(rows.filter((r: { overall: string }) => r.overall !== 'NOT_VISITED').length);
    const s2 = (await q(VISITS, { classroomId: 42, semesterId: 2, status: 'visited' })).data.data.visitStudents;
    expect(teacher.s2).toEqual({ total: rows.length, visited: s2.length });
  });

  it('requires authentication (UNAUTHENTICATED) and a school (FORBIDDEN), as the other data queries', async () => {
    const { post, login } = await sandbox({ rateLimits: false });
    const anonymous = await post({ query: '{ visitStats { total } }' });
    expect(anonymous.data.errors[0]).toMatchObject({ path: ['visitStats'], extensions: { code: 'UNAUTHENTICATED' } });
    const { accessToken } = await login('noschool', 'noschool-password');
    const forbidden = await post({ query: '{ sdqTemplate { id } }' }, accessToken);
    expect(forbidden.data.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('startSandboxServer() without the optional peer graphql', () => {
  it('rejects with an error naming the peer and how to install it (the module load simulated to fail)', async () => {
    await jest.isolateModulesAsync(async () => {
      jest.doMock('graphql', () => {
        throw Object.assign(new Error("Cannot find module 'graphql' from 'lib/testing/sandbox-server.ts'"), { code: 'MODULE_NOT_FOUND' });
      });
      const testing = await import('../../lib/testing'); // the entry itself loads
      const error = (await testing.startSandboxServer().then(
        (server) => server.close(),
        (e: Error) => e,
      )) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toBe(
        'axios-graphql-refresh/testing needs the optional peer dependency "graphql" (16.x), which is not installed. Install it with: npm install --save-dev graphql@16',
      );
      expect((error as Error & { cause: { code: string } }).cause.code).toBe('MODULE_NOT_FOUND');
    });
    jest.dontMock('graphql');
  });
});
