import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { attachTokenRefresh } from '../attach-token-refresh';
import { isGraphQLRequestError } from '../errors/graphql-request-error';
import { LoginError } from '../errors/login-error';
import { createGraphQLClient, type GraphQLClient } from '../graphql/client';
import { requestTokens } from './refresh';
import { createFixedOriginPolicy } from '../policy/origin';
import { createPrivateClient } from '../transport/private-client';
import type { LoginContext, TokenInput, TokenRefreshHandle, TokenRefreshOptions, TokenSet, TokenStore } from '../types';
import {
  LOGIN_MUTATION,
  LOGOUT_MUTATION,
  STUDENT_QUERY,
  STUDENTS_QUERY,
  TEACHER_QUERY,
  TEACHERS_QUERY,
  type Student,
  type StudentsArgs,
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
 * Options of {@link createNextSchoolClient}: the plugin's options, plus where and who.
 *
 * @example
 * ```ts
 * const options: NextSchoolClientOptions = { username: process.env.NS_USER, password: process.env.NS_PASSWORD, maxReplays: 2 };
 * ```
 */
export interface NextSchoolClientOptions extends Omit<TokenRefreshOptions, 'refresh' | 'login' | 'tokens' | 'url'> {
  /** @default NEXTSCHOOL_URL */
  url?: string;
  /** Service credentials: lazy login, and a new login when the refresh token dies (7 days). */
  username?: string;
  password?: string;
  /** Tokens you already have, or a store (e.g. `RedisTokenStore` shared by several processes). */
  tokens?: TokenStore | TokenInput | null;
  /** Attach to this instance instead of creating one. Its other routes and interceptors are left as they were. */
  axios?: AxiosInstance;
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
  /** The token-refresh handle (stats, setTokens, refresh, detach). */
  auth: TokenRefreshHandle;
  /** The axios instance requests go through. */
  axios: AxiosInstance;
  /** Logs in now (with these credentials, remembered for later re-logins, or the configured ones). */
  login(username?: string, password?: string): Promise<TokenSet>;
  /** Tells the server (best effort) and forgets the tokens. With service credentials, the next request logs in again. */
  logout(): Promise<void>;
  students(args?: StudentsArgs, config?: AxiosRequestConfig): Promise<Array<Student | null>>;
  student(id: number, config?: AxiosRequestConfig): Promise<Student | null>;
  teachers(args?: TeachersArgs, config?: AxiosRequestConfig): Promise<Array<Teacher | null>>;
  teacher(id: number, config?: AxiosRequestConfig): Promise<Teacher | null>;
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
 * Wrong credentials reject with {@link LoginError} carrying the server's message, and are never
 * retried automatically (NextSchool allows five logins a minute per IP). The password appears in no
 * error, log line or rendering. Tokens are sent to the NextSchool origin only.
 *
 * @example
 * ```ts
 * const ns = createNextSchoolClient({ username: process.env.NS_USER, password: process.env.NS_PASSWORD });
 * const students = await ns.students({ search: 'สมชาย', limit: 10 });
 * const { teachers } = await ns.query(TEACHERS_QUERY, { status: 1 });
 * ```
 */
export function createNextSchoolClient(options: NextSchoolClientOptions = {}): NextSchoolClient {
  const { url: givenUrl, username, password, tokens, axios: given, ...pluginOptions } = options;
  for (const [name, value] of [['username', username], ['password', password]] as const) {
    if (value !== undefined && typeof value !== 'string') throw new TypeError(`Expected \`${name}\` to be a string, got \`${typeof value}\``);
  }
  if ((username === undefined) !== (password === undefined)) {
    throw new TypeError('Expected `username` and `password` together, got only one of them');
  }
  const instance = given ?? axios.create({ baseURL: givenUrl ?? NEXTSCHOOL_URL });
  const url = absoluteUrl(givenUrl ?? NEXTSCHOOL_URL, instance.defaults.baseURL);
  let credentials = username !== undefined ? { username, password: password! } : undefined;
  const client = createPrivateClient(instance);
  const timeoutMs = pluginOptions.refreshTimeoutMs ?? 15_000;

  async function login({ signal }: LoginContext): Promise<TokenInput> {
    if (!credentials) {
      throw new LoginError('No NextSchool credentials: pass `username` and `password`, or call `login(username, password)`');
    }
    try {
      return await requestTokens(client, instance, {
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
    // Only NextSchool's origin gets the token, even when the instance's baseURL is your own backend.
    shouldAttachToken: pluginOptions.shouldAttachToken ?? createFixedOriginPolicy(url),
  });
  const graphql = createGraphQLClient(instance, { url });

  return {
    ...graphql,
    auth,
    axios: instance,
    async login(user?: string, pass?: string) {
      if (user !== undefined || pass !== undefined) {
        if (typeof user !== 'string' || typeof pass !== 'string') throw new TypeError('Expected `login(username, password)` with two strings');
        credentials = { username: user, password: pass };
      }
      return auth.login();
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
  };
}
