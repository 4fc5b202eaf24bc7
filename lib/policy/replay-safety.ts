import type { AxiosResponse } from 'axios';
import { describeOperation, type OperationInfo } from '../documents/scan';
import { answersOf, codeOf, errorsOf, parseBody } from './detect';

// Whether a request that met an auth error (or a rate-limit decline) may be sent again
// (docs/how-it-works.md, "when a mutation is replayed"). A query may always be replayed. A mutation
// only when none of its root fields can have run, whatever the HTTP status (servers set it from an
// error thrown inside a resolver): the answer is not a GraphQL answer at all (refused before
// execution), or `data` is absent or null AND either every error is request-level (no `path`) or
// every root field has a declining error (one of `codes`) at its own path — exactly `[field]`. Any
// other error there (`INTERNAL_SERVER_ERROR`) may come from a resolver that ran, then threw (the
// email was sent); an error at a nested path (`["createOrder","receipt"]`) proves the root field
// ran. `data: null` alone proves nothing: a failing non-null field nulls all of `data`.

export type ReplaySafety = 'replay' | 'may-have-run' | 'stream';

interface RequestLike {
  method?: string;
  url?: string;
  data?: unknown;
  params?: unknown;
}

type FormLike = { get(name: string): unknown };

/** True for bodies that can only be read once (Node streams, web ReadableStreams). */
export function isOneShotBody(data: unknown): boolean {
  if (!data || typeof data !== 'object') return false;
  const d = data as { pipe?: unknown; getReader?: unknown };
  return typeof d.pipe === 'function' || typeof d.getReader === 'function';
}

const hasGet = (data: unknown): data is FormLike => !!data && typeof data === 'object' && typeof (data as FormLike).get === 'function';

/**
 * The GraphQL payload(s) a request body carries: JSON (text or object), a multipart request
 * (graphql-multipart-request-spec: the `operations` field of a FormData), or URL-encoded fields.
 * `undefined` when the body is none of these.
 */
export function graphqlPayloadOf(config: RequestLike): unknown {
  const { data } = config;
  if (hasGet(data)) {
    const operations = data.get('operations');
    if (typeof operations === 'string') return parseBody(operations);
    const query = data.get('query');
    if (typeof query === 'string') return { query, operationName: data.get('operationName') };
    return undefined;
  }
  if (typeof data === 'string' && !/^\s*[[{]/.test(data) && data.includes('query=')) {
    const form = new URLSearchParams(data);
    return { query: form.get('query'), operationName: form.get('operationName') };
  }
  return parseBody(data);
}

/** The `query` of a GET request, from `params` or from the URL. */
function queryOfGet(config: RequestLike): unknown {
  const params = config.params;
  if (hasGet(params)) return params.get('query');
  if (params && typeof params === 'object' && 'query' in params) return (params as { query?: unknown }).query;
  const url = config.url ?? '';
  const at = url.indexOf('?');
  return at === -1 ? undefined : new URLSearchParams(url.slice(at + 1)).get('query');
}

/** True when the request carries a GraphQL operation (used to confirm a refresh endpoint). */
export function isGraphQLRequest(config: RequestLike | undefined): boolean {
  if (!config || typeof config !== 'object') return false;
  if ((config.method ?? 'get').toLowerCase() === 'get') return typeof queryOfGet(config) === 'string';
  const payload = graphqlPayloadOf(config);
  const entries = Array.isArray(payload) ? payload : [payload];
  return (
    entries.length > 0 &&
    entries.every((e) => !!e && typeof e === 'object' && (typeof (e as { query?: unknown }).query === 'string' || 'extensions' in e))
  );
}

/** The operations a request carries (one per batch entry); `undefined` entries could not be read. */
export function operationsOf(config: RequestLike): Array<OperationInfo | undefined> {
  const method = (config.method ?? 'get').toLowerCase();
  if (method === 'get') {
    // GraphQL over HTTP never runs a mutation from GET, so a GET is a query whatever it holds.
    return [{ type: 'query', rootFields: null }];
  }
  const body = graphqlPayloadOf(config);
  const entries = Array.isArray(body) ? body : [body];
  return entries.map((entry) => {
    if (!entry || typeof entry !== 'object') return undefined;
    const { query, operationName } = entry as { query?: unknown; operationName?: unknown };
    if (typeof query !== 'string') return undefined; // e.g. a persisted query sent by hash only
    return describeOperation(query, typeof operationName === 'string' ? operationName : undefined);
  });
}

const isRoot = (path: unknown): path is [string] => Array.isArray(path) && path.length === 1 && typeof path[0] === 'string';
const hasPath = (path: unknown) => Array.isArray(path) && path.length > 0;

function answerProvesNothingRan(answer: Record<string, unknown> | undefined, op: OperationInfo | undefined, codes: string[]): boolean {
  if (!answer) return false;
  if (answer.data !== undefined && answer.data !== null) return false;
  const errors = errorsOf(answer);
  // Rejected before execution: a declining error without a path, and no error from inside execution.
  const requestLevel = errors.some((e) => codes.includes(codeOf(e) ?? '') && !hasPath(e.path)) && !errors.some((e) => hasPath(e.path));
  if (requestLevel) return true;
  if (!op?.rootFields || op.rootFields.length === 0) return false;
  return op.rootFields.every((field) => errors.some((e) => isRoot(e.path) && e.path[0] === field && codes.includes(codeOf(e) ?? '')));
}

/** True when the body holds no GraphQL answer at all (an HTML page, an empty 401…). */
function isNotGraphQL(answers: Array<Record<string, unknown>>): boolean {
  return answers.length === 0 || answers.every((a) => !('data' in a) && !('errors' in a));
}

/**
 * Decides whether the request behind `response` may be sent again.
 *
 * @param codes - the error codes that declined the request (`authErrorCodes`, or `['RATE_LIMITED']`)
 */
export function replaySafety(config: RequestLike, response: AxiosResponse | undefined, codes: string[]): ReplaySafety {
  if (isOneShotBody(config.data)) return 'stream';
  const operations = operationsOf(config);
  if (operations.every((op) => op?.type === 'query')) return 'replay';
  const answers = answersOf(parseBody(response?.data));
  if (isNotGraphQL(answers)) return response && response.status >= 400 ? 'replay' : 'may-have-run';
  if (answers.length !== operations.length) return 'may-have-run';
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i];
    if (op?.type === 'query') continue;
    if (!answerProvesNothingRan(answers[i], op, codes)) return 'may-have-run';
  }
  return 'replay';
}
