import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { execute, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { signJwt, verifyJwt } from './jwt';
import { createRateLimiter } from './rate-limiter';
import { buildSandboxSchema, type SandboxContext } from './schema';

/**
 * A user of the sandbox. Without a `school`, data queries answer `FORBIDDEN`, as NextSchool does.
 *
 * @example
 * ```ts
 * await startSandboxServer({ users: [{ username: 'svc', password: 's3cret', school: 'โรงเรียนทดสอบ' }, { username: 'lost', password: 'x' }] });
 * ```
 */
export interface SandboxUser {
  username: string;
  password: string;
  school?: string | null;
}

/**
 * The sandbox's rate limits; each defaults to the documented NextSchool value.
 *
 * @example
 * ```ts
 * await startSandboxServer({ rateLimits: { perUser: 5, windowMs: 1_000 } }); // tight, for backpressure tests
 * ```
 */
export interface SandboxRateLimits {
  /** Requests per window per user (HTTP 200, `RATE_LIMITED`, `extensions.retryAfter`). @default 60 */
  perUser?: number;
  /** Requests per window per IP (HTTP 429, `Retry-After`, `X-RateLimit-*`). @default 100 */
  perIp?: number;
  /** Logins per window per IP (HTTP 200, `RATE_LIMITED`). @default 5 */
  login?: number;
  /** @default 60_000 */
  windowMs?: number;
}

/**
 * Options of {@link startSandboxServer}.
 *
 * @example
 * ```ts
 * const options: SandboxOptions = { accessTtlMs: 2_000, rotateRefreshTokens: true, rateLimits: false, latencyMs: 10 };
 * ```
 */
export interface SandboxOptions {
  /** @default a free port on 127.0.0.1 */
  port?: number;
  /** Access token lifetime. @default 900_000 (15 minutes) */
  accessTtlMs?: number;
  /** Refresh token lifetime. @default 7 days */
  refreshTtlMs?: number;
  /** Issue a new refresh token on every refresh (NextSchool does not). @default false */
  rotateRefreshTokens?: boolean;
  /** @default one user with a school, `demo` / `demo-password`, and `noschool` / `noschool-password` without one */
  users?: SandboxUser[];
  /** `false` turns every limit off. @default the documented limits */
  rateLimits?: false | SandboxRateLimits;
  /** Added before every answer. @default 0 */
  latencyMs?: number;
  /**
   * Random faults, as probabilities per request (0–1): an HTTP 500 with a GraphQL body, a reset
   * connection, an HTML 502 page as a proxy would send. For resilience tests and the soak.
   * @default none
   */
  faults?: { http500?: number; reset?: number; html?: number };
  /**
   * Answer CORS, so a web app on another origin can call the sandbox: preflights (`OPTIONS`) get a
   * 204 allowing `POST, GET, OPTIONS` and the requested headers; every other answer (429s, faults
   * and errors included) carries `Access-Control-Allow-Origin` and exposes `Retry-After` and the
   * `X-RateLimit-*` headers. `false` answers preflights with 405, as a server without CORS does.
   * See docs/testing.md#cors.
   * @default true
   */
  cors?: boolean;
}

/**
 * Counters of what the sandbox saw.
 *
 * @example
 * ```ts
 * expect(sandbox.stats.refreshes).toBe(1);
 * ```
 */
export interface SandboxStats {
  requests: number;
  logins: number;
  refreshes: number;
  /** Requests answered with at least one `UNAUTHENTICATED` error. */
  unauthenticated: number;
  /** Requests declined by any rate limit. */
  rateLimited: number;
  /** Requests answered with an injected fault (`faults`). */
  faults: number;
  /** CORS preflights answered (`OPTIONS`); not counted in `requests` nor in any rate limit. */
  preflights: number;
}

/**
 * A running sandbox.
 *
 * @example
 * ```ts
 * const sandbox: SandboxServer = await startSandboxServer();
 * sandbox.expireAccessTokens();
 * await sandbox.close();
 * ```
 */
export interface SandboxServer {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** Credentials of the first user, ready to use. */
  username: string;
  password: string;
  stats: SandboxStats;
  /** Every access token issued so far stops working now. */
  expireAccessTokens(): void;
  /** Every refresh token issued so far stops working now (as if 7 days had passed). */
  revokeRefreshTokens(): void;
  close(): Promise<void>;
}

const DEFAULT_USERS: SandboxUser[] = [
  { username: 'demo', password: 'demo-password', school: 'โรงเรียนสาธิตนครขอนแก่น' },
  { username: 'noschool', password: 'noschool-password', school: null },
];

interface Session {
  userIndex: number;
}

interface RefreshEntry {
  session: string;
  userIndex: number;
  expiresAt: number;
  valid: boolean;
}

interface AccessClaims {
  sub: number;
  username: string;
  sid: string;
  epoch: number;
  iat: number;
  exp: number;
  /** Expiry in ms: `exp` is whole seconds, too coarse for sandboxes with tokens of a few seconds. */
  expMs: number;
}

// CORS (issue 12): a page on its own origin must reach the sandbox and read the rate-limit headers.
const EXPOSED_HEADERS = 'Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset';

/** Headers every non-preflight answer carries: the Origin echoed (or `*` without one). */
function corsHeaders(req: http.IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return {
    'access-control-allow-origin': origin ?? '*',
    'access-control-expose-headers': EXPOSED_HEADERS,
    ...(origin ? { vary: 'Origin' } : {}),
  };
}

/** A preflight's answer: the methods we serve and whatever headers the browser asked to send. */
function preflightHeaders(req: http.IncomingMessage): Record<string, string> {
  const requested = req.headers['access-control-request-headers'];
  return {
    'access-control-allow-methods': 'POST, GET, OPTIONS',
    'access-control-allow-headers': requested ?? 'Authorization, Content-Type',
    'access-control-max-age': '600',
    vary: 'Origin, Access-Control-Request-Headers',
    'content-length': '0',
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a local NextSchool-compatible GraphQL server: the documented schema subset (`login`,
 * `refreshToken`, `logout`, `students`, `student`, `teachers`, `teacher`) with Thai sample data,
 * and the documented behaviour — `UNAUTHENTICATED` at HTTP 200 with `locations`/`path`, "Invalid
 * credentials", "Invalid or expired refresh token", `FORBIDDEN` for a user without a school, and the
 * three rate-limit layers. For your own tests, the demo, and trying things offline.
 *
 * Requires the optional peer dependency `graphql` (16.x).
 *
 * @example
 * ```ts
 * import { startSandboxServer } from 'axios-graphql-refresh/testing';
 * import { createNextSchoolClient } from 'axios-graphql-refresh';
 *
 * const sandbox = await startSandboxServer({ accessTtlMs: 2_000, rateLimits: false });
 * const ns = createNextSchoolClient({ url: sandbox.url, username: sandbox.username, password: sandbox.password });
 * console.log(await ns.students({ limit: 3 }));
 * await sandbox.close();
 * ```
 */
export async function startSandboxServer(options: SandboxOptions = {}): Promise<SandboxServer> {
  const accessTtlMs = options.accessTtlMs ?? 900_000;
  const refreshTtlMs = options.refreshTtlMs ?? 7 * 24 * 3600_000;
  const rotate = options.rotateRefreshTokens ?? false;
  const users = options.users?.length ? options.users : DEFAULT_USERS;
  const latencyMs = options.latencyMs ?? 0;
  const limits = options.rateLimits === false ? undefined : { perUser: 60, perIp: 100, login: 5, windowMs: 60_000, ...(options.rateLimits ?? {}) };
  const perIp = limits && createRateLimiter(limits.perIp, limits.windowMs);
  const perUser = limits && createRateLimiter(limits.perUser, limits.windowMs);
  const perLogin = limits && createRateLimiter(limits.login, limits.windowMs);

  const secret = randomBytes(32).toString('hex');
  const sessions = new Map<string, Session>();
  const refreshTokens = new Map<string, RefreshEntry>();
  const stats: SandboxStats = { requests: 0, logins: 0, refreshes: 0, unauthenticated: 0, rateLimited: 0, faults: 0, preflights: 0 };
  let epoch = 0;

  function issueAccessToken(userIndex: number, sid: string): string {
    const now = Date.now();
    const claims: AccessClaims = {
      sub: userIndex + 1,
      username: users[userIndex]!.username,
      sid,
      epoch,
      iat: Math.floor(now / 1000),
      exp: Math.ceil((now + accessTtlMs) / 1000),
      expMs: now + accessTtlMs,
    };
    return signJwt({ ...claims, jti: randomUUID() }, secret);
  }

  function issueRefreshToken(userIndex: number, sid: string): string {
    const token = randomUUID();
    refreshTokens.set(token, { session: sid, userIndex, expiresAt: Date.now() + refreshTtlMs, valid: true });
    return token;
  }

  const expiresIn = Math.max(1, Math.floor(accessTtlMs / 1000));

  const schema: GraphQLSchema = buildSandboxSchema({
    rotate,
    login(username, password, context) {
      stats.logins++;
      if (perLogin) {
        const verdict = perLogin.hit(context.ip);
        if (!verdict.allowed) {
          context.rateLimited = true;
          throw new GraphQLError('Too many login attempts. Please try again later.', {
            extensions: { code: 'RATE_LIMITED', retryAfter: verdict.retryAfter },
          });
        }
      }
      const userIndex = users.findIndex((u) => u.username === username && u.password === password);
      if (userIndex === -1) throw new GraphQLError('Invalid credentials');
      const sid = randomUUID();
      sessions.set(sid, { userIndex });
      const user = users[userIndex]!;
      return {
        accessToken: issueAccessToken(userIndex, sid),
        refreshToken: issueRefreshToken(userIndex, sid),
        expiresIn,
        user: { id: userIndex + 1, username: user.username, name: user.username, email: `${user.username}@school.example` },
      };
    },
    refresh(token) {
      stats.refreshes++;
      const entry = refreshTokens.get(token);
      if (!entry || !entry.valid || Date.now() >= entry.expiresAt || !sessions.has(entry.session)) {
        throw new GraphQLError('Invalid or expired refresh token');
      }
      const payload: { accessToken: string; expiresIn: number; refreshToken?: string } = {
        accessToken: issueAccessToken(entry.userIndex, entry.session),
        expiresIn,
      };
      if (rotate) {
        entry.valid = false;
        payload.refreshToken = issueRefreshToken(entry.userIndex, entry.session);
      }
      return payload;
    },
    logout(context) {
      const sid = context.claims?.sid;
      if (sid) {
        sessions.delete(sid);
        for (const entry of refreshTokens.values()) if (entry.session === sid) entry.valid = false;
      }
      return true;
    },
    schoolOf: (context) => (context.userIndex === undefined ? undefined : users[context.userIndex]?.school ?? null),
  });

  function authenticate(header: string | undefined): { userIndex?: number; claims?: AccessClaims } {
    if (!header?.startsWith('Bearer ')) return {};
    const claims = verifyJwt<AccessClaims>(header.slice(7), secret);
    if (!claims || claims.epoch !== epoch || Date.now() >= claims.expMs || !sessions.has(claims.sid)) return {};
    return { userIndex: claims.sub - 1, claims };
  }

  const sockets = new Set<Socket>();
  const faults = options.faults ?? {};
  function pickFault(): 'http500' | 'reset' | 'html' | undefined {
    let roll = Math.random();
    for (const kind of ['http500', 'reset', 'html'] as const) {
      const p = faults[kind] ?? 0;
      if (roll < p) return kind;
      roll -= p;
    }
    return undefined;
  }

  const cors = options.cors ?? true;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...(cors ? corsHeaders(req) : {}) };
    if (cors && req.method === 'OPTIONS') {
      stats.preflights++;
      req.resume();
      res.writeHead(204, { ...headers, ...preflightHeaders(req) });
      return void res.end();
    }
    const answer = async (status: number, body: unknown) => {
      if (latencyMs) await sleep(latencyMs);
      const text = JSON.stringify(body);
      res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    stats.requests++;
    const fault = pickFault();
    if (fault === 'reset') {
      stats.faults++;
      return void req.socket.destroy();
    }
    if (fault === 'http500') {
      stats.faults++;
      return answer(500, { errors: [{ message: 'Internal server error' }] });
    }
    if (fault === 'html') {
      stats.faults++;
      if (latencyMs) await sleep(latencyMs);
      res.writeHead(502, { ...headers, 'content-type': 'text/html' });
      return void res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    }
    const ip = req.socket.remoteAddress ?? 'unknown';

    if (perIp) {
      const verdict = perIp.hit(ip);
      headers['x-ratelimit-limit'] = String(limits!.perIp);
      headers['x-ratelimit-remaining'] = String(verdict.remaining);
      headers['x-ratelimit-reset'] = String(Math.ceil(verdict.resetAt / 1000));
      if (!verdict.allowed) {
        stats.rateLimited++;
        headers['retry-after'] = String(verdict.retryAfter);
        return answer(429, { errors: [{ message: 'Too many requests' }] });
      }
    }
    if (req.method !== 'POST') {
      headers.allow = 'POST';
      return answer(405, { errors: [{ message: 'Use POST with a JSON body' }] });
    }

    let payload: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('not an object');
    } catch {
      return answer(400, { errors: [{ message: 'POST body must be a JSON object', extensions: { code: 'BAD_REQUEST' } }] });
    }
    if (typeof payload.query !== 'string') {
      return answer(400, { errors: [{ message: 'Missing "query"', extensions: { code: 'BAD_REQUEST' } }] });
    }
    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (error) {
      return answer(400, { errors: [{ message: (error as Error).message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
    }
    const problems = validate(schema, document);
    if (problems.length) {
      return answer(400, { errors: problems.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) });
    }

    const { userIndex, claims } = authenticate(req.headers.authorization);
    if (perUser && userIndex !== undefined) {
      const verdict = perUser.hit(String(userIndex));
      if (!verdict.allowed) {
        stats.rateLimited++;
        return answer(200, {
          errors: [{ message: 'Too many requests. Please slow down.', extensions: { code: 'RATE_LIMITED', retryAfter: verdict.retryAfter } }],
        });
      }
    }

    const context: SandboxContext = { ip, userIndex, claims, unauthenticated: false, rateLimited: false };
    const result = await execute({
      schema,
      document,
      contextValue: context,
      variableValues: payload.variables as Record<string, unknown> | undefined,
      operationName: typeof payload.operationName === 'string' ? payload.operationName : undefined,
    });
    if (context.unauthenticated) stats.unauthenticated++;
    if (context.rateLimited) stats.rateLimited++;
    return answer(200, result);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', ...(cors ? corsHeaders(req) : {}) });
      res.end(JSON.stringify({ errors: [{ message: 'Internal server error' }] }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    username: users[0]!.username,
    password: users[0]!.password,
    stats,
    expireAccessTokens() {
      epoch++;
    },
    revokeRefreshTokens() {
      for (const entry of refreshTokens.values()) entry.valid = false;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
