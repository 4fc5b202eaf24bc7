import type { AxiosResponse } from 'axios';
import type { GraphQLErrorShape } from '../documents/types';
import { parseBody } from '../util/body';

export { parseBody };

// Detection of auth errors in answers (docs/how-it-works.md, "The path of a request", step 1): in the
// body whatever the HTTP status (NextSchool answers 200), in any entry of `errors`, in batched
// answers, or by HTTP status.
// Bodies are hostile input: every access is guarded and nothing here throws.

/**
 * The common answer, told apart without running the detectors: a parsed JSON object with no
 * `errors`, at a status that is neither 429 nor one of `authStatusCodes`. It can be neither an auth
 * error (for the default detector) nor a rate-limit decline.
 */
export function isPlainlyFine({ status, data }: AxiosResponse, authStatusCodes: readonly number[]): boolean {
  return (
    status !== 429 &&
    !authStatusCodes.includes(status) &&
    !!data &&
    typeof data === 'object' &&
    Object.getPrototypeOf(data) === Object.prototype &&
    (data as { errors?: unknown }).errors === undefined
  );
}

/** The GraphQL answers in a body: one for a plain answer, one per entry of a batched answer. */
export function answersOf(body: unknown): Array<Record<string, unknown>> {
  const list = Array.isArray(body) ? body : [body];
  return list.filter((entry): entry is Record<string, unknown> => !!entry && typeof entry === 'object' && !Array.isArray(entry));
}

/** The well-formed entries of an answer's `errors`. */
export function errorsOf(answer: Record<string, unknown>): GraphQLErrorShape[] {
  const errors = answer.errors;
  if (!Array.isArray(errors)) return [];
  return errors.filter((e): e is GraphQLErrorShape => !!e && typeof e === 'object' && !Array.isArray(e));
}

/** `extensions.code` of a GraphQL error, if it is a string. */
export function codeOf(error: GraphQLErrorShape): string | undefined {
  const extensions = error.extensions;
  if (!extensions || typeof extensions !== 'object') return undefined;
  const code = (extensions as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Every GraphQL error in a body (plain or batched). */
export function allErrors(body: unknown): GraphQLErrorShape[] {
  return answersOf(body).flatMap(errorsOf);
}

/** A cheap pre-check so large successful text bodies are not parsed just to find nothing. */
function mayContainCode(data: unknown, codes: string[]): boolean {
  if (typeof data !== 'string') return true;
  return codes.some((code) => data.includes(code));
}

/** True when the body holds a GraphQL error whose code is one of `codes`. */
export function hasErrorCode(data: unknown, codes: string[]): boolean {
  if (!mayContainCode(data, codes)) return false;
  return allErrors(parseBody(data)).some((e) => {
    const code = codeOf(e);
    return code !== undefined && codes.includes(code);
  });
}

/** The default `isAuthError`: a code from `authErrorCodes` in the body, or a status in `authStatusCodes`. */
export function createAuthErrorDetector(authErrorCodes: string[], authStatusCodes: number[]) {
  return function isAuthError(response?: AxiosResponse, error?: unknown): boolean {
    const answer = response ?? (error as { response?: AxiosResponse } | undefined)?.response;
    if (!answer || typeof answer !== 'object') return false;
    if (authStatusCodes.includes(answer.status)) return true;
    return hasErrorCode(answer.data, authErrorCodes);
  };
}

/** A server's "slow down": how long it asked us to wait. */
export interface RateLimitVerdict {
  /** Milliseconds to wait before sending again. */
  delayMs: number;
  /** HTTP 429 (declined before any execution) or a GraphQL `RATE_LIMITED` error. */
  kind: 'http429' | 'graphql';
}

const DEFAULT_DELAY_MS = 1_000;
/** The longest delay a timer can hold; a server asking for more gets this (then the caller's cap applies). */
const MAX_DELAY_MS = 2 ** 31 - 1;
const clampDelay = (ms: number) => Math.min(Math.max(0, ms), MAX_DELAY_MS);

/** `Retry-After` as milliseconds to wait (the header holds seconds or an HTTP date). */
export function retryAfterMs(headers: unknown): number | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const bag = headers as { get?: (name: string) => unknown } & Record<string, unknown>;
  const raw = typeof bag.get === 'function' ? bag.get('retry-after') : (bag['retry-after'] ?? bag['Retry-After']);
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(String(raw));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Recognises NextSchool's two rate-limit answers: HTTP 429 with `Retry-After`, and a GraphQL error
 * `RATE_LIMITED` with `extensions.retryAfter` (seconds) at any HTTP status (docs/reliability.md,
 * "Rate limits: backpressure, not failures").
 */
export function rateLimitOf(response: AxiosResponse | undefined): RateLimitVerdict | undefined {
  if (!response || typeof response !== 'object') return undefined;
  if (response.status === 429) return { kind: 'http429', delayMs: clampDelay(retryAfterMs(response.headers) ?? DEFAULT_DELAY_MS) };
  if (!mayContainCode(response.data, ['RATE_LIMITED'])) return undefined;
  const declined = allErrors(parseBody(response.data)).find((e) => codeOf(e) === 'RATE_LIMITED');
  if (!declined) return undefined;
  const seconds = Number((declined.extensions as { retryAfter?: unknown }).retryAfter);
  return { kind: 'graphql', delayMs: clampDelay(Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_DELAY_MS) };
}
