import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { attachTokenRefresh } from '../attach-token-refresh';
import { type CoalesceOptions, createGraphQLClient, type GraphQLClient } from '../client/graphql-client';
import { expectOption } from '../config/validate';
import { isGraphQLRequestError } from '../errors/graphql-request-error';
import { LoginError } from '../errors/login-error';
import { SessionExpiredError } from '../errors/session-expired-error';
import { createFixedOriginPolicy } from '../policy/origin';
import { createPrivateClient, type PrivateClient } from '../transport/private-client';
import { requestTokens } from '../transport/refresh-mutation';
import type { LoginContext, RateLimitOptions, TokenInput, TokenRefreshHandle, TokenRefreshOptions, TokenSet, TokenStore } from '../types';
import {
  ADVISER_SCREEN_STATS_QUERY,
  ADVISER_SCREENS_QUERY,
  type AdviserScreenStats,
  type AdviserScreenStudent,
  type AdviserScreensArgs,
  type AssessmentTemplate,
  type CareStudentsArgs,
  EQ_STUDENTS_QUERY,
  EQ_TEMPLATE_QUERY,
  type EqStudent,
  SDQ_STUDENTS_QUERY,
  SDQ_TEMPLATE_QUERY,
  type SdqStudent,
  STUDENT_CARE_QUERY,
  type StudentCare,
  TEACHER_VISIT_SUMMARY_QUERY,
  VISIT_STATS_QUERY,
  VISIT_STUDENTS_QUERY,
  type VisitStats,
  type VisitStudent,
  type VisitStudentsArgs,
} from './care';
import { readNextSchoolEnv } from './env';
import {
  type AuthUser,
  LOGIN_MUTATION,
  LOGOUT_MUTATION,
  STUDENT_QUERY,
  STUDENTS_QUERY,
  type Student,
  type StudentsArgs,
  TEACHER_QUERY,
  TEACHERS_QUERY,
  type Teacher,
  type TeachersArgs,
} from './schema';

/**
 * The NextSchool Data API endpoint.
 *
 * @example
 * ```ts
 * const ns = createNextSchoolClient({ url: NEXTSCHOOL_URL, username, password });
 * ```
 */
export const NEXTSCHOOL_URL = 'https://data.nextschool.io/';

/**
 * NextSchool's public sandbox endpoint (for the local one, see `axios-graphql-refresh/testing`).
 *
 * @example
 * ```ts
 * const ns = createNextSchoolClient({ url: NEXTSCHOOL_SANDBOX_URL, username, password });
 * ```
 */
export const NEXTSCHOOL_SANDBOX_URL = 'https://sandbox.nextschool.io/';

/**
 * NextSchool's documented limits, the preset's `rateLimit` when none is given (docs/rate-limits.md):
 * 60 data requests a minute per user, 5 logins a minute. (The third, 100 requests a minute per IP,
 * is left room by these two and learned from the `X-RateLimit-*` headers of the answers.)
 *
 * @example
 * ```ts
 * // Twice as cautious, when two processes share one account without a shared store:
 * createNextSchoolClient({ rateLimit: { ...NEXTSCHOOL_RATE_LIMIT, intervalCap: 30 } });
 * ```
 */
export const NEXTSCHOOL_RATE_LIMIT = {
  intervalCap: 60,
  interval: 60_000,
  logins: { intervalCap: 5, interval: 60_000 },
} as const satisfies RateLimitOptions;

/**
 * Options of {@link createNextSchoolClient}: the plugin's options, plus where and who.
 *
 * @example
 * ```ts
 * const options: NextSchoolClientOptions = { username: process.env.NEXTSCHOOL_USERNAME, password: process.env.NEXTSCHOOL_PASSWORD, maxReplays: 2 };
 * ```
 */
export interface NextSchoolClientOptions extends Omit<TokenRefreshOptions, 'refresh' | 'login' | 'tokens' | 'url'> {
  /** @default the NEXTSCHOOL_URL environment variable, else {@link NEXTSCHOOL_URL} */
  url?: string | undefined;
  /** Service credentials: lazy login, and a new login when the refresh token dies (7 days). Default: the NEXTSCHOOL_USERNAME / NEXTSCHOOL_PASSWORD environment variables. */
  username?: string | undefined;
  password?: string | undefined;
  /** Tokens you already have, or a store (e.g. `RedisTokenStore` shared by several processes). */
  tokens?: TokenStore | TokenInput | null | undefined;
  /** Attach to this instance instead of creating one. Its other routes and interceptors are left as they were. */
  axios?: AxiosInstance | undefined;
  /**
   * Identical queries in flight are sent once, each caller gets its own copy of the answer; never
   * mutations (docs/graphql-client.md#coalescing). `false` sends every call on its own.
   * @default true
   */
  coalesce?: boolean | CoalesceOptions | undefined;
}

/**
 * What `ns.login()` resolves with: the stored tokens and who logged in (the payload's `AuthUser`).
 *
 * @example
 * ```ts
 * const { user, expiresAt }: NextSchoolLogin = await ns.login();
 * console.log(`${user?.name} until ${new Date(expiresAt ?? 0).toISOString()}`);
 * ```
 */
export interface NextSchoolLogin extends TokenSet {
  /** `null` when the server's answer held no `user`. */
  user: AuthUser | null;
}

/**
 * What {@link createNextSchoolClient} returns: a GraphQL client with login/logout and typed
 * helpers for the documented queries.
 *
 * @example
 * ```ts
 * const ns: NextSchoolClient = createNextSchoolClient({ username, password });
 * const students = await ns.students({ search: 'สมชาย' });
 * ```
 */
export interface NextSchoolClient extends GraphQLClient {
  /** The token-refresh handle (stats, setTokens, refresh, detach). The client's own counters (`coalesced`) are `stats`. */
  auth: TokenRefreshHandle;
  /** The axios instance requests go through. */
  axios: AxiosInstance;
  /** Logs in now (with these credentials, remembered for later re-logins, or the configured ones); resolves with the tokens and who logged in. */
  login(username?: string, password?: string): Promise<NextSchoolLogin>;
  /** Tells the server (best effort) and forgets the tokens. With service credentials, the next request logs in again. */
  logout(): Promise<void>;
  students(args?: StudentsArgs, config?: AxiosRequestConfig): Promise<Array<Student | null>>;
  student(id: number, config?: AxiosRequestConfig): Promise<Student | null>;
  teachers(args?: TeachersArgs, config?: AxiosRequestConfig): Promise<Array<Teacher | null>>;
  teacher(id: number, config?: AxiosRequestConfig): Promise<Teacher | null>;
  /** Care module (docs/nextschool.md#care-module): students with their latest home visit (`limit` 50 by default). */
  visitStudents(args?: VisitStudentsArgs, config?: AxiosRequestConfig): Promise<Array<VisitStudent | null>>;
  /** Home-visit counts of the school. */
  visitStats(config?: AxiosRequestConfig): Promise<VisitStats | null>;
  /** Students with their latest adviser screening (`limit` 50 by default). */
  adviserScreens(args?: AdviserScreensArgs, config?: AxiosRequestConfig): Promise<Array<AdviserScreenStudent | null>>;
  /** Screening counts of the school. */
  adviserScreenStats(config?: AxiosRequestConfig): Promise<AdviserScreenStats | null>;
  /** The 25 SDQ questions and their answers. */
  sdqTemplate(config?: AxiosRequestConfig): Promise<AssessmentTemplate | null>;
  /** The 52 EQ questions and their answers. */
  eqTemplate(config?: AxiosRequestConfig): Promise<AssessmentTemplate | null>;
  /** SDQ completion per student and respondent (the query's name is the sandbox's). */
  sdqStudents(args?: CareStudentsArgs, config?: AxiosRequestConfig): Promise<Array<SdqStudent | null>>;
  /** EQ completion per student (the query's name is the sandbox's). */
  eqStudents(args?: CareStudentsArgs, config?: AxiosRequestConfig): Promise<Array<EqStudent | null>>;
  /** A student with every care result nested on it (names past `visit` are the sandbox's). */
  studentCare(id: number, config?: AxiosRequestConfig): Promise<StudentCare | null>;
  /** Home-visit counts of a teacher's classrooms (`Teacher.visitSummary`). */
  teacherVisitSummary(id: number, semesterId?: number, config?: AxiosRequestConfig): Promise<VisitStats | null>;
}

/** `user` of a login answer (the private transport's text body), or `null`. */
function loginUserOf(body: unknown): AuthUser | null {
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { data?: { login?: { user?: AuthUser | null } | null } | null };
    return parsed?.data?.login?.user ?? null;
  } catch {
    return null;
  }
}

function absoluteUrl(url: string, base: string | undefined): string {
  try {
    return new URL(url, base).toString();
  } catch {
    throw new TypeError(`Expected \`url\` to be an absolute URL (or relative to the instance's baseURL), got \`${url}\``);
  }
}

/**
 * A ready NextSchool client: attaches the token refresh to an axios instance (a new one, or yours)
 * the NextSchool way — lazy login with service credentials (one at a time, however many requests
 * wait), refresh through the `refreshToken` mutation, a new login when the refresh token dies —
 * and gives you a GraphQL client with typed helpers.
 *
 * Absent `url`, `username` and `password` options default to the environment variables
 * `NEXTSCHOOL_URL`, `NEXTSCHOOL_USERNAME` and `NEXTSCHOOL_PASSWORD` (where `process.env` exists).
 *
 * Wrong credentials reject with {@link LoginError} carrying the server's message, and are never
 * retried automatically (NextSchool allows five logins a minute per IP). The password appears in no
 * error, log line or rendering. Tokens are sent to the NextSchool origin only.
 *
 * @example
 * ```ts
 * const ns = createNextSchoolClient(); // NEXTSCHOOL_URL, NEXTSCHOOL_USERNAME, NEXTSCHOOL_PASSWORD from the environment
 * const students = await ns.students({ search: 'สมชาย', limit: 10 });
 * const { teachers } = await ns.query(TEACHERS_QUERY, { status: 1 });
 * ```
 */
export function createNextSchoolClient(options: NextSchoolClientOptions = {}): NextSchoolClient {
  // An absent option falls back to its environment variable (docs/configuration.md#environment).
  const {
    url: givenUrl = readNextSchoolEnv('NEXTSCHOOL_URL'),
    username = readNextSchoolEnv('NEXTSCHOOL_USERNAME'),
    password = readNextSchoolEnv('NEXTSCHOOL_PASSWORD'),
    tokens,
    axios: given,
    coalesce,
    ...pluginOptions
  } = options;
  // Credentials are secrets: a wrong one is described by its type only.
  for (const [name, value] of [
    ['username', username],
    ['password', password],
  ] as const)
    expectOption(value === undefined || typeof value === 'string', name, 'a string', value, true);
  if ((username === undefined) !== (password === undefined)) {
    throw new TypeError('Expected `username` and `password` together, got only one of them');
  }
  const instance = given ?? axios.create({ baseURL: givenUrl ?? NEXTSCHOOL_URL });
  const url = absoluteUrl(givenUrl ?? NEXTSCHOOL_URL, instance.defaults.baseURL);
  let credentials = username !== undefined ? { username, password: password! } : undefined;
  const client = createPrivateClient(instance);
  // The login answer's `user`, kept for `ns.login()`: the token plumbing only carries tokens.
  let loggedInUser: AuthUser | null = null;
  const loginClient: PrivateClient = {
    request: (async (config: AxiosRequestConfig) => {
      const response = await client.request(config);
      loggedInUser = loginUserOf(response.data);
      return response;
    }) as PrivateClient['request'],
    ownAgent: client.ownAgent, // the login never waits behind the herd either (transport/own-connection.ts)
  };
  const timeoutMs = pluginOptions.refreshTimeoutMs ?? 15_000;

  async function login({ signal }: LoginContext): Promise<TokenInput> {
    if (!credentials) {
      // Nothing to log in with is no session, not a rejected login: apps show their login form on
      // SessionExpiredError (a tab opened before sign-in, or after a sign-out elsewhere).
      throw new SessionExpiredError(
        'Not signed in, and no NextSchool credentials to log in with: pass `username` and `password`, or call `login(username, password)`',
      );
    }
    try {
      return await requestTokens(loginClient, instance, {
        url,
        query: LOGIN_MUTATION,
        operationName: 'Login',
        variables: { username: credentials.username, password: credentials.password },
        field: 'login',
        signal,
        timeoutMs,
        what: 'login',
      });
    } catch (error) {
      // The server's verdict ("Invalid credentials"): never retried on our own.
      if (isGraphQLRequestError(error)) throw new LoginError(error.message, { cause: error });
      throw error;
    }
  }

  const auth = attachTokenRefresh(instance, {
    ...pluginOptions,
    tokens,
    login,
    url,
    // NextSchool's documented limits unless told otherwise (`false` turns pacing off).
    rateLimit: pluginOptions.rateLimit ?? NEXTSCHOOL_RATE_LIMIT,
    // Only NextSchool's origin gets the token, even when the instance's baseURL is your own backend.
    shouldAttachToken: pluginOptions.shouldAttachToken ?? createFixedOriginPolicy(url),
  });
  const graphql = createGraphQLClient(instance, { url, coalesce });

  return {
    ...graphql,
    // Read through: a spread would copy one snapshot of the counters.
    get stats() {
      return graphql.stats;
    },
    auth,
    axios: instance,
    async login(user?: string, pass?: string) {
      if (user !== undefined || pass !== undefined) {
        if (typeof user !== 'string' || typeof pass !== 'string')
          throw new TypeError('Expected `login(username, password)` with two strings');
        credentials = { username: user, password: pass };
      }
      const tokens = await auth.login();
      return { ...tokens, user: loggedInUser };
    },
    async logout() {
      const current = await auth.getTokens();
      if (current?.accessToken) {
        // Best effort: the server may not know this mutation (NextSchool does not document it).
        await graphql.request(LOGOUT_MUTATION, undefined, { skipAuthRefresh: true }).catch(() => {});
      }
      await auth.setTokens(null);
    },
    students: (args, config) => graphql.query(STUDENTS_QUERY, args ?? {}, config).then((d) => d.students ?? []),
    student: (id, config) => graphql.query(STUDENT_QUERY, { id }, config).then((d) => d.student),
    teachers: (args, config) => graphql.query(TEACHERS_QUERY, args ?? {}, config).then((d) => d.teachers ?? []),
    teacher: (id, config) => graphql.query(TEACHER_QUERY, { id }, config).then((d) => d.teacher),
    visitStudents: (args, config) => graphql.query(VISIT_STUDENTS_QUERY, args ?? {}, config).then((d) => d.visitStudents ?? []),
    visitStats: (config) => graphql.query(VISIT_STATS_QUERY, {}, config).then((d) => d.visitStats),
    adviserScreens: (args, config) => graphql.query(ADVISER_SCREENS_QUERY, args ?? {}, config).then((d) => d.adviserScreens ?? []),
    adviserScreenStats: (config) => graphql.query(ADVISER_SCREEN_STATS_QUERY, {}, config).then((d) => d.adviserScreenStats),
    sdqTemplate: (config) => graphql.query(SDQ_TEMPLATE_QUERY, {}, config).then((d) => d.sdqTemplate),
    eqTemplate: (config) => graphql.query(EQ_TEMPLATE_QUERY, {}, config).then((d) => d.eqTemplate),
    sdqStudents: (args, config) => graphql.query(SDQ_STUDENTS_QUERY, args ?? {}, config).then((d) => d.sdqStudents ?? []),
    eqStudents: (args, config) => graphql.query(EQ_STUDENTS_QUERY, args ?? {}, config).then((d) => d.eqStudents ?? []),
    studentCare: (id, config) => graphql.query(STUDENT_CARE_QUERY, { id }, config).then((d) => d.student),
    teacherVisitSummary: (id, semesterId, config) =>
      graphql
        .query(TEACHER_VISIT_SUMMARY_QUERY, semesterId === undefined ? { id } : { id, semesterId }, config)
        .then((d) => d.teacher?.visitSummary ?? null),
  };
}
