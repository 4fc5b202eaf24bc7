import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buildSchema, type DocumentNode, execute, GraphQLError, parse, validate } from 'graphql';

// The fake GraphQL and auth server of the test suites: a small NextSchool-like API on 127.0.0.1,
// graphql-js executing `login`, `refreshToken`, `students` and a few mutations, with every knob a
// test needs (forced expiry, auth error placement, refresh faults, held answers, rate limits, a REST
// API beside it, or an exact answer of the test's own in place of all of it) and a log of what it
// received. The other servers the specs start are not fakes of this one, and say why where they are
// defined: graphql-yoga (yoga-server.ts: a real server's own habits), the in-memory model of the
// property tests (spec/property/model-server.ts: time in event-loop turns, no sockets), the sandbox
// (lib/testing: the product, tested as users run it), redis-server processes (redis-server.ts), the
// browser tests' page server (it serves pages, not an API) and the recording proxy in front of the
// sandbox in express-legacy.spec.ts.

const schema = buildSchema(`
  type Student { id: Int, code: String, fullName: String, classroomName: String }
  type AuthUser { id: String, username: String, name: String, email: String }
  type AuthPayload { accessToken: String, refreshToken: String, expiresIn: Int, user: AuthUser }
  type RefreshPayload { accessToken: String, refreshToken: String, expiresIn: Int }
  type Note { id: Int!, text: String! }
  type Order { id: Int!, receipt: String! }
  input MetaInput { label: String, weight: Int }
  directive @meta(info: MetaInput) on FRAGMENT_DEFINITION | FRAGMENT_SPREAD | FIELD
  type Query {
    students(limit: Int = 20, offset: Int = 0, search: String): [Student]
    me: String
  }
  type Mutation {
    login(username: String!, password: String!): AuthPayload
    refreshToken(refreshToken: String!): RefreshPayload
    addNote(text: String!): Note!
    ping: Int!
    createOrder(item: String!): Order!
    needsAuth: Int!
    sendEmail: Int
  }
`);

const STUDENTS = [
  { id: 1, code: '10001', fullName: 'เด็กชายสมชาย ใจดี', classroomName: 'ม.1/1' },
  { id: 2, code: '10002', fullName: 'เด็กหญิงสมหญิง รักเรียน', classroomName: 'ม.1/1' },
  { id: 3, code: '10003', fullName: 'นายวิชัย มีสุข', classroomName: 'ม.4/2' },
];

export type AuthMode = 'field' | 'request' | 'http401' | 'http401plain';
export type RefreshFault = 'none' | 'reject' | 'http500' | 'html' | 'text200' | 'hang' | 'network';

export interface ReceivedRequest {
  /** Milliseconds since the server started, when the request arrived. */
  at: number;
  operationName?: string;
  /** The GraphQL variables of the body (or of the URL of a GET). */
  variables?: Record<string, unknown>;
  authorization?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  url: string;
  method: string;
}

export interface TestServerOptions {
  accessTtlSeconds?: number;
  rotate?: boolean;
  authMode?: AuthMode;
  username?: string;
  password?: string;
  makeRefreshToken?: (n: number) => string;
  /** Shapes issued access tokens (default: opaque random strings), e.g. as JWTs carrying `exp`. */
  makeAccessToken?: (n: number) => string;
  /** A REST API only: every path outside `/rest/` answers 404 (a second origin that is not a GraphQL endpoint). */
  restOnly?: boolean;
  /** Answers every request in place of the API (see `ServerKnobs.answer`). */
  answer?: (request: ReceivedRequest) => ExactAnswer;
}

/** An answer a test writes itself: a status, a JSON body (none when `undefined`), headers. */
export interface ExactAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestServer {
  url: string;
  origin: string;
  port: number;
  username: string;
  password: string;
  received: ReceivedRequest[];
  stats: {
    requests: number;
    logins: number;
    refreshes: number;
    unauthenticated: number;
    notesAdded: number;
    pings: number;
    declined: number;
    ordersCreated: number;
    emailsSent: number;
  };
  /** Every access token issued so far stops working. */
  expireAccessTokens(): void;
  /** Every refresh token issued so far stops working. */
  revokeRefreshTokens(): void;
  /** Issues tokens directly (as a login would), without counting a login. */
  issueTokens(): { accessToken: string; refreshToken: string; expiresIn: number };
  /** Whether this server would accept `token` as an access token now (lets another server trust it). */
  acceptsAccessToken(token: string | undefined): boolean;
  /**
   * Holds every arriving request that matches `match` (before any fault, decline or auth check)
   * until the test calls `release()`; `arrived` resolves with the first one held.
   */
  hold(match: (request: ReceivedRequest) => boolean): Hold;
  set(options: Partial<ServerKnobs>): void;
  close(): Promise<void>;
}

export interface Hold {
  /** Resolves when the first matching request arrives. */
  arrived: Promise<ReceivedRequest>;
  /** Requests held so far. */
  readonly count: number;
  /** Lets every held request go on (knobs are read after this, so set a fault first to fail them). */
  release(): void;
}

export interface ServerKnobs {
  authMode: AuthMode;
  refreshFault: RefreshFault;
  /** When false, no access token is ever accepted. */
  acceptTokens: boolean;
  /** Runs before a request is authenticated; may hold it (late answers). */
  beforeAuth?: (request: ReceivedRequest) => Promise<void> | void;
  rotate: boolean;
  accessTtlSeconds: number;
  /** Fails the next `count` requests whose operation name matches (`*`: any) with a 500 or a reset socket. */
  failNext?: { operationName: string; count: number; kind: 'http500' | 'http503' | 'network' };
  /** Declines the next `count` matching requests with a rate limit (HTTP 429 or GraphQL RATE_LIMITED). */
  declineNext?: { operationName: string; count: number; kind: 'http429' | 'graphql'; retryAfterSeconds: number };
  /**
   * Who the REST routes (`/rest/...`) accept as a bearer token; default: this server's own access
   * tokens. Lets a second server (another origin) trust the tokens issued by the first.
   */
  restAccepts?: (token: string | undefined) => boolean;
  /**
   * Answers every request in place of the API (after it is recorded and any hold), for a test that
   * needs exact control: a status, a redirect, an echo of what was sent. `undefined`: the API answers.
   */
  answer?: (request: ReceivedRequest) => ExactAnswer;
}

interface Access {
  valid: boolean;
}

const open = new Set<TestServer>();

/** Closes every server `startTestServer` started that is still open (call in afterEach). */
export async function closeTestServers(): Promise<void> {
  await Promise.all([...open].map((s) => s.close()));
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const username = options.username ?? 'service';
  const password = options.password ?? 'pa$$"word';
  const knobs: ServerKnobs = {
    authMode: options.authMode ?? 'field',
    refreshFault: 'none',
    acceptTokens: true,
    rotate: options.rotate ?? false,
    accessTtlSeconds: options.accessTtlSeconds ?? 900,
    answer: options.answer,
  };
  const startedAt = Date.now();
  const access = new Map<string, Access>();
  const refresh = new Map<string, { valid: boolean }>();
  const received: ReceivedRequest[] = [];
  const stats = {
    requests: 0,
    logins: 0,
    refreshes: 0,
    unauthenticated: 0,
    notesAdded: 0,
    pings: 0,
    declined: 0,
    ordersCreated: 0,
    emailsSent: 0,
  };
  const holds: Array<{
    match: (request: ReceivedRequest) => boolean;
    arrive: (request: ReceivedRequest) => void;
    count: number;
    released: boolean;
    gate: Promise<void>;
    open: () => void;
  }> = [];
  let counter = 0;
  const makeRefreshToken = options.makeRefreshToken ?? ((n: number) => `rt-${n}-${randomBytes(6).toString('hex')}`);

  function issueAccess(): string {
    const token = options.makeAccessToken ? options.makeAccessToken(++counter) : `at-${++counter}-${randomBytes(8).toString('hex')}`;
    access.set(token, { valid: true });
    return token;
  }
  function issueTokens() {
    const refreshToken = makeRefreshToken(++counter);
    refresh.set(refreshToken, { valid: true });
    return { accessToken: issueAccess(), refreshToken, expiresIn: knobs.accessTtlSeconds };
  }

  const unauthenticated = () => new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED' } });

  function requireAuth(context: { authenticated: boolean }) {
    if (!context.authenticated) {
      stats.unauthenticated++;
      throw unauthenticated();
    }
  }

  const root = {
    students: (args: { limit: number; offset: number; search?: string }, context: { authenticated: boolean }) => {
      requireAuth(context);
      const list = args.search ? STUDENTS.filter((s) => s.fullName.includes(args.search!) || s.code.includes(args.search!)) : STUDENTS;
      return list.slice(args.offset, args.offset + args.limit);
    },
    me: (_: unknown, context: { authenticated: boolean }) => {
      requireAuth(context);
      return username;
    },
    login: (args: { username: string; password: string }) => {
      stats.logins++;
      if (args.username !== username || args.password !== password) throw new GraphQLError('Invalid credentials');
      return { ...issueTokens(), user: { id: '1', username, name: 'Test User', email: null } };
    },
    refreshToken: async (args: { refreshToken: string }) => {
      stats.refreshes++;
      const entry = refresh.get(args.refreshToken);
      if (!entry?.valid || knobs.refreshFault === 'reject') throw new GraphQLError('Invalid or expired refresh token');
      const payload: { accessToken: string; expiresIn: number; refreshToken?: string } = {
        accessToken: issueAccess(),
        expiresIn: knobs.accessTtlSeconds,
      };
      if (knobs.rotate) {
        entry.valid = false;
        payload.refreshToken = makeRefreshToken(++counter);
        refresh.set(payload.refreshToken, { valid: true });
      }
      return payload;
    },
    addNote: (args: { text: string }, context: { authenticated: boolean }) => {
      requireAuth(context);
      stats.notesAdded++;
      return { id: stats.notesAdded, text: args.text };
    },
    // Runs without a token: lets a test see a mutation root field that ran next to one that failed.
    ping: () => ++stats.pings,
    // Runs without a token (a public root field); its `receipt` needs one, checked when it resolves:
    // an auth error at the nested path ["createOrder","receipt"] after the order was created.
    createOrder: (args: { item: string }, context: { authenticated: boolean }) => {
      const id = ++stats.ordersCreated;
      return {
        id,
        receipt: () => {
          requireAuth(context);
          return `receipt-${id}-${args.item}`;
        },
      };
    },
    // Runs without a token, sends (counts) the email, then fails with a non-auth error: a root field
    // that ran although its answer is an error at its own path. Nullable: the fields after it still run.
    sendEmail: () => {
      stats.emailsSent++;
      throw new GraphQLError('Mail server said no', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    },
    // Needs a token and, like Apollo Server or graphql-yoga, sets the HTTP status through
    // `extensions.http.status` (401) when it has none.
    needsAuth: (_: unknown, context: { authenticated: boolean }) => {
      if (!context.authenticated) {
        stats.unauthenticated++;
        throw new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      }
      return 1;
    },
  };

  function acceptsAccessToken(token: string | undefined): boolean {
    return !!token && knobs.acceptTokens && access.get(token)?.valid === true;
  }

  /**
   * The HTTP status Apollo Server and graphql-yoga derive from a resolver's error
   * (`extensions.http.status`), which they strip from the body.
   */
  function statusOf(errors: readonly GraphQLError[] | undefined): number {
    let status = 200;
    for (const error of errors ?? []) {
      const http = error.extensions?.http as { status?: number } | undefined;
      if (http?.status) {
        status = http.status;
        delete (error.extensions as Record<string, unknown>).http;
      }
    }
    return status;
  }

  const sockets = new Set<Socket>();
  const pending = new Set<() => void>();

  function send(res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json') {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  function answerExactly(res: http.ServerResponse, answer: ExactAnswer) {
    res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const buffer = Buffer.concat(chunks);
    let raw = buffer.toString('utf8');
    const contentType = String(req.headers['content-type'] ?? '');
    let parsedBody: string | undefined;
    if (contentType.startsWith('multipart/form-data')) {
      // graphql-multipart-request-spec: the operation is JSON in the `operations` field.
      const form = await new Response(buffer, { headers: { 'content-type': contentType } }).formData().catch(() => undefined);
      const operations = form?.get('operations');
      if (typeof operations === 'string') parsedBody = operations;
    } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const params = new URLSearchParams(raw);
      if (params.has('query')) {
        parsedBody = JSON.stringify({
          query: params.get('query'),
          variables: JSON.parse(params.get('variables') ?? '{}'),
          operationName: params.get('operationName') ?? undefined,
        });
      }
    }
    if (req.method === 'GET') {
      // GraphQL over HTTP GET: query, variables and operationName in the URL.
      const params = new URL(req.url ?? '/', 'http://x').searchParams;
      if (params.has('query')) {
        raw = JSON.stringify({
          query: params.get('query'),
          variables: JSON.parse(params.get('variables') ?? '{}'),
          operationName: params.get('operationName') ?? undefined,
        });
      }
    }
    stats.requests++;
    let payload: { query?: string; variables?: Record<string, unknown>; operationName?: string } = {};
    let badJson = false;
    try {
      payload = JSON.parse(parsedBody ?? raw);
    } catch {
      badJson = true;
    }
    const authorization = req.headers.authorization;
    const record: ReceivedRequest = {
      at: Date.now() - startedAt,
      operationName: payload.operationName,
      variables: payload.variables,
      authorization,
      headers: req.headers,
      body: raw,
      url: req.url ?? '',
      method: req.method ?? '',
    };
    received.push(record);
    for (const hold of holds) {
      if (hold.released || !hold.match(record)) continue;
      hold.count++;
      hold.arrive(record);
      await hold.gate;
    }
    if (knobs.answer) return answerExactly(res, knobs.answer(record));
    const fail = knobs.failNext;
    if (fail && fail.count > 0 && (fail.operationName === '*' || fail.operationName === payload.operationName)) {
      fail.count--;
      if (fail.kind === 'network') return void req.socket.destroy();
      if (fail.kind === 'http503') return send(res, 503, { errors: [{ message: 'Service unavailable' }] });
      return send(res, 500, { errors: [{ message: 'Internal server error' }] });
    }
    if (record.url.startsWith('/rest/')) return rest(record, res);
    if (options.restOnly) return send(res, 404, { error: 'not found' });
    if (badJson) return send(res, 400, { errors: [{ message: 'Body must be JSON' }] });
    const decline = knobs.declineNext;
    if (decline && decline.count > 0 && (decline.operationName === '*' || decline.operationName === payload.operationName)) {
      decline.count--;
      stats.declined++;
      if (decline.kind === 'http429') {
        res.setHeader('retry-after', String(decline.retryAfterSeconds));
        return send(res, 429, { errors: [{ message: 'Too many requests' }] });
      }
      return send(res, 200, {
        errors: [
          { message: 'Too many requests. Please slow down.', extensions: { code: 'RATE_LIMITED', retryAfter: decline.retryAfterSeconds } },
        ],
      });
    }

    let document: DocumentNode;
    try {
      document = parse(payload.query ?? '');
    } catch (error) {
      return send(res, 400, { errors: [{ message: (error as Error).message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
    }
    const validation = validate(schema, document);
    if (validation.length)
      return send(res, 400, { errors: validation.map((e) => ({ message: e.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) });

    const isRefresh = payload.query?.includes('refreshToken(') ?? false;
    if (isRefresh) {
      if (knobs.refreshFault === 'hang') {
        await new Promise<void>((resolve) => pending.add(resolve));
        return;
      }
      if (knobs.refreshFault === 'network') {
        stats.refreshes++;
        req.socket.destroy();
        return;
      }
      if (knobs.refreshFault === 'http500') {
        stats.refreshes++;
        return send(res, 500, { errors: [{ message: 'Internal server error' }] });
      }
      if (knobs.refreshFault === 'text200') {
        stats.refreshes++;
        return send(res, 200, 'OK', 'text/plain');
      }
      if (knobs.refreshFault === 'html') {
        stats.refreshes++;
        return send(res, 502, '<html><body>Bad gateway</body></html>', 'text/html');
      }
    }

    if (knobs.beforeAuth) await knobs.beforeAuth(record);

    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    const authenticated = !!token && knobs.acceptTokens && access.get(token)?.valid === true;
    const isAuthOperation = payload.query?.includes('login(') || isRefresh;

    if (!authenticated && !isAuthOperation && knobs.authMode !== 'field') {
      stats.unauthenticated++;
      const body = { errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] };
      if (knobs.authMode === 'http401plain') return send(res, 401, 'Unauthorized', 'text/plain');
      return send(res, knobs.authMode === 'http401' ? 401 : 200, body);
    }
    const result = await execute({
      schema,
      document,
      rootValue: root,
      contextValue: { authenticated },
      variableValues: payload.variables,
      operationName: payload.operationName,
    });
    send(res, statusOf(result.errors), result);
  }

  /**
   * A REST API next to the GraphQL one: `/rest/public/...` answers anyone, every other `/rest/` path
   * needs a bearer token (401 without a valid one).
   */
  function rest(record: ReceivedRequest, res: http.ServerResponse) {
    if (record.url.startsWith('/rest/public')) return send(res, 200, { ok: true, path: record.url });
    const token = record.authorization?.startsWith('Bearer ') ? record.authorization.slice(7) : undefined;
    const accepts = knobs.restAccepts ?? acceptsAccessToken;
    if (!accepts(token)) {
      stats.unauthenticated++;
      return send(res, 401, { error: 'unauthorized' });
    }
    return send(res, 200, { me: username, path: record.url });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => send(res, 500, { errors: [{ message: String(error) }] }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const testServer: TestServer = {
    url: `${origin}/graphql`,
    origin,
    port,
    username,
    password,
    received,
    stats,
    expireAccessTokens() {
      for (const entry of access.values()) entry.valid = false;
    },
    revokeRefreshTokens() {
      for (const entry of refresh.values()) entry.valid = false;
    },
    issueTokens,
    acceptsAccessToken,
    hold(match) {
      let arrive!: (request: ReceivedRequest) => void;
      const arrived = new Promise<ReceivedRequest>((resolve) => (arrive = resolve));
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const entry = { match, arrive, count: 0, released: false, gate, open };
      holds.push(entry);
      return {
        arrived,
        get count() {
          return entry.count;
        },
        release() {
          entry.released = true;
          entry.open();
        },
      };
    },
    set(next) {
      Object.assign(knobs, next);
    },
    async close() {
      open.delete(testServer);
      for (const resolve of pending) resolve();
      for (const hold of holds) {
        hold.released = true;
        hold.open();
      }
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.add(testServer);
  return testServer;
}
