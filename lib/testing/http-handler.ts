import type http from 'node:http';
import { type DocumentNode, execute, type GraphQLSchema, parse, validate } from 'graphql';
import type { SandboxAuth } from './auth';
import { corsHeaders, preflightHeaders } from './cors';
import { type FaultKind, sendFault } from './faults';
import type { SandboxLimits } from './rate-limits';
import type { SandboxStats } from './sandbox-options';
import type { SandboxContext } from './schema';

// The sandbox's HTTP layer: one POST endpoint taking `{ query, variables, operationName }`, answering
// as NextSchool does (docs/testing.md#what-it-implements): faults, CORS, the per-IP limit (HTTP 429),
// parse/validation errors (HTTP 400), the per-user limit, then execution (HTTP 200).

export interface HandlerDeps {
  schema: GraphQLSchema;
  auth: SandboxAuth;
  limits: SandboxLimits;
  pickFault: () => FaultKind | undefined;
  cors: boolean;
  latencyMs: number;
  stats: SandboxStats;
}

type Answer = (status: number, body: unknown) => Promise<void>;
type Parsed = { document: DocumentNode; variables?: Record<string, unknown>; operationName?: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Body → document, or the 400 answer's body (as Apollo Server answers: a GraphQL `errors` body). */
function parseRequest(raw: Buffer, schema: GraphQLSchema): Parsed | { errors: unknown[] } {
  let payload: { query?: unknown; variables?: unknown; operationName?: unknown };
  try {
    payload = JSON.parse(raw.toString('utf8'));
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('not an object');
  } catch {
    return { errors: [{ message: 'POST body must be a JSON object', extensions: { code: 'BAD_REQUEST' } }] };
  }
  if (typeof payload.query !== 'string') return { errors: [{ message: 'Missing "query"', extensions: { code: 'BAD_REQUEST' } }] };
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch (error) {
    return { errors: [{ message: (error as Error).message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] };
  }
  const problems = validate(schema, document);
  if (problems.length) {
    return {
      errors: problems.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })),
    };
  }
  return {
    document,
    variables: payload.variables as Record<string, unknown> | undefined,
    ...(typeof payload.operationName === 'string' ? { operationName: payload.operationName } : {}),
  };
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Authenticates, applies the per-user limit, executes. */
async function runOperation(deps: HandlerDeps, req: http.IncomingMessage, parsed: Parsed, ip: string, answer: Answer): Promise<void> {
  const { userIndex, claims } = deps.auth.authenticate(req.headers.authorization);
  if (deps.limits && userIndex !== undefined) {
    const limited = deps.limits.user(String(userIndex));
    if (limited) {
      deps.stats.rateLimited++;
      return answer(200, { errors: [limited] });
    }
  }
  const context: SandboxContext = { ip, userIndex, claims, unauthenticated: false, rateLimited: false };
  const result = await execute({
    schema: deps.schema,
    document: parsed.document,
    contextValue: context,
    variableValues: parsed.variables,
    operationName: parsed.operationName,
  });
  if (context.unauthenticated) deps.stats.unauthenticated++;
  if (context.rateLimited) deps.stats.rateLimited++;
  // No `data` at all: the variables did not fit their types. Apollo Server answers that with HTTP 400
  // and BAD_USER_INPUT (the NextSchool docs do not say); see docs/nextschool.md#not-documented.
  if (!('data' in result)) {
    return answer(400, { errors: result.errors?.map((e) => ({ ...e.toJSON(), extensions: { code: 'BAD_USER_INPUT', ...e.extensions } })) });
  }
  return answer(200, result);
}

async function handle(deps: HandlerDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { stats, latencyMs } = deps;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...(deps.cors ? corsHeaders(req) : {}) };
  if (deps.cors && req.method === 'OPTIONS') {
    // Preflights skip limits, latency and `requests`: a browser test counts what its app sent.
    stats.preflights++;
    req.resume();
    res.writeHead(204, preflightHeaders(req));
    return void res.end();
  }
  const answer: Answer = async (status, body) => {
    if (latencyMs) await sleep(latencyMs);
    const text = JSON.stringify(body);
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };
  const raw = await readBody(req);
  stats.requests++;
  const fault = deps.pickFault();
  if (fault) {
    stats.faults++;
    if (latencyMs && fault !== 'reset') await sleep(latencyMs);
    return sendFault(fault, req, res, headers);
  }
  const ip = req.socket.remoteAddress ?? 'unknown';
  if (deps.limits && !deps.limits.ip(ip, headers).allowed) {
    stats.rateLimited++;
    return answer(429, { errors: [{ message: 'Too many requests' }] });
  }
  if (req.method !== 'POST') {
    headers.allow = 'POST';
    return answer(405, { errors: [{ message: 'Use POST with a JSON body' }] });
  }
  const parsed = parseRequest(raw, deps.schema);
  if ('errors' in parsed) return answer(400, parsed);
  return runOperation(deps, req, parsed, ip, answer);
}

/** The `http.createServer` listener; an unexpected throw becomes an HTTP 500 with a GraphQL body. */
export function createHttpHandler(deps: HandlerDeps): http.RequestListener {
  return (req, res) => {
    handle(deps, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', ...(deps.cors ? corsHeaders(req) : {}) });
      res.end(JSON.stringify({ errors: [{ message: 'Internal server error' }] }));
    });
  };
}
