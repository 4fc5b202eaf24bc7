import type { AxiosResponse } from 'axios';
import { answersOf, codeOf, errorsOf, parseBody } from './detect';
import { describeOperation, type OperationInfo } from './graphql/scan';

// Whether a request that met an auth error may be sent again (API.md behaviour 6). A query may
// always be replayed. A mutation only when none of its root fields can have run: `data` absent or
// null AND (an auth error without `path`, i.e. rejected before execution, OR an error at the path of
// every root field). `data: null` alone proves nothing: a failing non-null field nulls all of `data`.

export type ReplaySafety = 'replay' | 'may-have-run' | 'stream';

interface RequestLike {
  method?: string;
  data?: unknown;
  params?: unknown;
}

/** True for bodies that can only be read once (Node streams, web ReadableStreams). */
export function isOneShotBody(data: unknown): boolean {
  if (!data || typeof data !== 'object') return false;
  const d = data as { pipe?: unknown; getReader?: unknown };
  return typeof d.pipe === 'function' || typeof d.getReader === 'function';
}

/** The operations a request carries (one per batch entry); `undefined` entries could not be read. */
export function operationsOf(config: RequestLike): Array<OperationInfo | undefined> {
  const method = (config.method ?? 'get').toLowerCase();
  if (method === 'get') {
    // GraphQL over HTTP never runs a mutation from GET, so a GET is a query whatever it holds.
    return [{ type: 'query', rootFields: null }];
  }
  const body = parseBody(config.data);
  const entries = Array.isArray(body) ? body : [body];
  return entries.map((entry) => {
    if (!entry || typeof entry !== 'object') return undefined;
    const { query, operationName } = entry as { query?: unknown; operationName?: unknown };
    if (typeof query !== 'string') return undefined; // e.g. a persisted query sent by hash only
    return describeOperation(query, typeof operationName === 'string' ? operationName : undefined);
  });
}

function answerProvesNothingRan(answer: Record<string, unknown> | undefined, op: OperationInfo | undefined, authCodes: string[]): boolean {
  if (!answer) return false;
  if (answer.data !== undefined && answer.data !== null) return false;
  const errors = errorsOf(answer);
  const requestLevel = errors.some((e) => {
    const code = codeOf(e);
    return code !== undefined && authCodes.includes(code) && (!Array.isArray(e.path) || e.path.length === 0);
  });
  if (requestLevel) return true;
  if (!op || !op.rootFields || op.rootFields.length === 0) return false;
  return op.rootFields.every((field) => errors.some((e) => Array.isArray(e.path) && e.path[0] === field));
}

/**
 * Decides whether the request behind `response` may be replayed.
 *
 * @param statusIsAuth - the answer's HTTP status is an auth status (the server refused before running anything)
 */
export function replaySafety(config: RequestLike, response: AxiosResponse | undefined, authCodes: string[], statusIsAuth: boolean): ReplaySafety {
  if (isOneShotBody(config.data)) return 'stream';
  const operations = operationsOf(config);
  if (operations.every((op) => op?.type === 'query')) return 'replay';
  if (statusIsAuth) return 'replay';
  const answers = answersOf(parseBody(response?.data));
  if (answers.length !== operations.length) return 'may-have-run';
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i];
    if (op?.type === 'query') continue;
    if (!answerProvesNothingRan(answers[i], op, authCodes)) return 'may-have-run';
  }
  return 'replay';
}
