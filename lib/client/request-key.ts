import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { listOperations } from '../documents/scan';
import { plainHeaders } from '../util/headers';

// When two calls of the GraphQL client are the same request, and may share one
// (docs/graphql-client.md#coalescing): the same query document (queries only), the same variables
// (as the JSON that would be sent, whatever the order of their keys), the same operation name, and
// everything else the client can see of the request — the caller's config, and the instance's
// defaults at call time — except the headers that identify a call rather than ask for something.

/**
 * Headers left out of the key by default: they trace or name a call and do not change the answer
 * (W3C trace context, B3, Sentry, AWS and Google trace ids, request and correlation ids).
 */
export const DEFAULT_IGNORED_HEADERS: readonly string[] = [
  'traceparent',
  'tracestate',
  'baggage',
  'sentry-trace',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'uber-trace-id',
  'x-amzn-trace-id',
  'x-cloud-trace-context',
  'x-request-id',
  'x-correlation-id',
];

/** Config keys that do not say what is asked: how a caller gives up, whether it coalesces, the body (keyed from the call). */
const NOT_KEYED = new Set(['signal', 'cancelToken', 'coalesce', 'data']);

/** Instance defaults that make a request differ when they change between two calls. */
const KEYED_DEFAULTS = ['baseURL', 'timeout', 'responseType', 'params', 'auth', 'withCredentials'] as const;

/** Answers a GraphQL client reads as a whole: anything else (a stream, a Blob) could be read once only. */
const SHAREABLE_RESPONSE_TYPES = new Set([undefined, '', 'json', 'text']);

/** Deeper values are not keyed (their request is sent on its own): no stack overflow on hostile input. */
const MAX_DEPTH = 256;

/** Thrown inside the walk when a value cannot be keyed; the call is then sent on its own. */
const UNKEYABLE = Symbol('unkeyable');

/** One call, as the client is about to send it. */
export interface Call {
  query: string;
  operationName?: string;
  variables?: unknown;
  /** The request config without `data`: `url`, `method` and the caller's config. */
  config: AxiosRequestConfig;
}

/** A call that may share a request: its key, and copies of what it sends (taken at call time). */
export interface KeyedCall {
  key: string;
  /** A copy of the variables: a caller changing its object after the call cannot change what others were promised. */
  variables: unknown;
  /** A copy of the config, without `signal` and `cancelToken` (the shared request has its own). */
  config: AxiosRequestConfig;
  /** The request's own timeout in ms, if any (the caller's, else the instance's). */
  timeout?: number;
}

type Walk = (value: unknown, depth: number, path: Set<object>) => [string, unknown];

/** JSON data (variables): the text with sorted keys, and a copy in the caller's order. Anything JSON would change or drop is not keyed. */
const json: Walk = (value, depth, path) => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return [JSON.stringify(value), value];
  if (typeof value === 'number' && Number.isFinite(value)) return [JSON.stringify(value), value];
  if (typeof value === 'object' && (Array.isArray(value) || isPlain(value))) return container(value, depth, path, json);
  throw UNKEYABLE;
};

/** `target[key] = value` as an own property, also for the key `__proto__` (which `=` would take as the prototype). */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An array or plain object: keys sorted in the key, the caller's order kept in the copy; `undefined` entries of objects are absent, as in JSON. */
function container(value: object, depth: number, path: Set<object>, walk: Walk): [string, unknown] {
  if (depth > MAX_DEPTH || path.has(value)) throw UNKEYABLE;
  path.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.map((item) => walk(item, depth + 1, path));
      return [`[${items.map(([text]) => text).join(',')}]`, items.map(([, copy]) => copy)];
    }
    const entries: Array<[string, string, unknown]> = [];
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) entries.push([key, ...walk(item, depth + 1, path)]);
    }
    const copy: Record<string, unknown> = {};
    for (const [key, , item] of entries) defineOwn(copy, key, item);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return [`{${entries.map(([key, text]) => `${JSON.stringify(key)}:${text}`).join(',')}}`, copy];
  } finally {
    path.delete(value);
  }
}

/**
 * Makes the keys of one client. Config values are keyed by value when they are data (strings,
 * numbers, plain objects, arrays) and by identity otherwise (a function, an agent): two calls
 * share a request only when nothing the client can see tells them apart.
 */
export function createKeyer(instance: AxiosInstance, ignoredHeaders: readonly string[]): (call: Call) => KeyedCall | undefined {
  const ignored = new Set(ignoredHeaders.map((name) => name.trim().toLowerCase()));
  const ids = new WeakMap<object, number>();
  let lastId = 0;
  const idOf = (value: object) => {
    let id = ids.get(value);
    if (id === undefined) ids.set(value, (id = ++lastId));
    return id;
  };
  const byValue: Walk = (value, depth, path) => {
    if (value === null || typeof value === 'boolean' || typeof value === 'string') return [JSON.stringify(value), value];
    if (typeof value === 'number') return [`n${value}`, value];
    if (typeof value === 'bigint') return [`${value}n`, value];
    if (typeof value === 'object' && (Array.isArray(value) || isPlain(value))) return container(value, depth, path, byValue);
    if ((typeof value === 'object' || typeof value === 'function') && value) return [`#${idOf(value)}`, value];
    throw UNKEYABLE; // a symbol
  };

  /** The headers that are sent, flattened for `method`, names in lower case, minus the ignored ones. */
  const headersKey = (headers: unknown, method: string) => {
    const kept: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(plainHeaders(headers, method))) {
      const lower = name.trim().toLowerCase();
      if (value === undefined || ignored.has(lower)) continue;
      kept[lower] = lower in kept ? [kept[lower], value] : value;
    }
    return byValue(kept, 0, new Set())[0];
  };

  return (call) => {
    const defaults = instance.defaults as Record<string, unknown>;
    const config = call.config as Record<string, unknown>;
    const method = String(config.method ?? defaults.method ?? 'get').toLowerCase();
    if (!isQueryOnly(call.query) || !SHAREABLE_RESPONSE_TYPES.has((config.responseType ?? defaults.responseType) as string | undefined))
      return undefined;
    try {
      // No variables and `{}` ask the same; the first caller's body is sent.
      const [variablesText, variables] = call.variables === undefined ? ['{}', undefined] : json(call.variables, 0, new Set());
      const copy: Record<string, unknown> = {};
      const parts: string[] = [];
      for (const name of Object.keys(config).sort()) {
        if (NOT_KEYED.has(name) || config[name] === undefined) continue;
        const [text, value] =
          name === 'headers'
            ? [headersKey(config.headers, method), plainHeaders(config.headers, method)]
            : byValue(config[name], 0, new Set());
        parts.push(`${JSON.stringify(name)}:${text}`);
        copy[name] = value;
      }
      const instanceParts = KEYED_DEFAULTS.map((name) => byValue(defaults[name] ?? null, 0, new Set())[0]);
      // JSON of the parts: unambiguous whatever a query's text holds.
      const key = JSON.stringify([
        call.query,
        call.operationName ?? '',
        variablesText,
        parts.join(','),
        headersKey(defaults.headers, method),
        ...instanceParts,
      ]);
      const timeout = Number(config.timeout ?? defaults.timeout);
      return { key, variables, config: copy as AxiosRequestConfig, ...(timeout > 0 ? { timeout } : {}) };
    } catch {
      return undefined; // a cycle, a BigInt variable, a getter that throws: sent on its own, and axios says what it makes of it
    }
  };
}

/** Every operation of the document is a query. A mutation or subscription anywhere, or a text that cannot be read, is never shared. */
function isQueryOnly(query: string): boolean {
  const operations = listOperations(query);
  return !!operations && operations.length > 0 && operations.every((operation) => operation.type === 'query');
}
