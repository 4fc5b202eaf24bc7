import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { listOperations } from '../documents/scan';
import { plainHeaders } from '../util/headers';
import { defineOwn } from '../util/own-properties';

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

/** Instance defaults besides headers that make a request differ when they change between two calls. */
const KEYED_DEFAULTS = ['baseURL', 'timeout', 'responseType', 'params', 'auth', 'withCredentials'] as const;

/** Answers a GraphQL client reads as a whole: anything else (a stream, a Blob) could be read once only. */
const SHAREABLE_RESPONSE_TYPES = new Set([undefined, '', 'json', 'text']);

/** Deeper values are not keyed (their request is sent on its own): no stack overflow on hostile input, and a cycle ends here. */
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

// Texts read back one way only, so that two keys are equal only when what they stand for is: a
// string or a name is its length and itself (cheaper than escaping it), a number is `n` and its
// digits, containers are bracketed, and entries end with a comma.

/** The text of a value that is not an array or a plain object (throws {@link UNKEYABLE} when it cannot be keyed). */
type Leaf = (value: unknown) => string;

/** A string as a self-delimiting text. */
const str = (value: string) => `${value.length}"${value}`;

/** The texts both leaves share: `null`, booleans, strings. */
function primitiveText(value: unknown): string | undefined {
  if (typeof value === 'string') return str(value);
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  return undefined;
}

/** JSON data (variables): anything JSON would change or drop is not keyed. */
const jsonLeaf: Leaf = (value) => {
  if (typeof value === 'number' && Number.isFinite(value)) return `n${value}`;
  const text = primitiveText(value);
  if (text === undefined) throw UNKEYABLE;
  return text;
};

/** How many distinct documents a client names in its keys (`nameOf`). */
const MAX_NAMED = 1_000;
/** How many of the instance's defaults (as keyed) a client remembers by name (`nameOf`). */
const DEFAULTS_NAMED = 4;

/**
 * The key as one flat string. Built by concatenation, it is a rope of a few dozen pieces, which a
 * `Map` keeps as it is: about 1.2 KB per call in flight (docs/benchmarks.md, memory). Reading a
 * character makes V8 flatten it in place, and the pieces are freed (about 0.7 KB left, measured).
 * Looking it up as a property name flattens it too, but also interns it in V8's string table:
 * measured alone, that took twice the CPU per key for keys that are unique per call.
 */
function flat(text: string): string {
  // The read's result is used, so that no bundler drops it as a statement without effect.
  return text.charCodeAt(0) === -1 ? '' : text;
}

function isContainer(value: unknown): value is object {
  if (!value || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The text of `value` (objects with sorted keys) and a copy of it (arrays and plain objects copied, in the caller's order; anything else as it is). */
function keyed(value: unknown, depth: number, leaf: Leaf): [string, unknown] {
  return isContainer(value) ? container(value, depth, leaf) : [leaf(value), value];
}

/** An array or plain object; `undefined` entries of objects are absent, as in JSON and in axios' merge. */
function container(value: object, depth: number, leaf: Leaf): [string, unknown] {
  if (depth > MAX_DEPTH) throw UNKEYABLE;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const [itemText, itemCopy] = isContainer(item) ? container(item, depth + 1, leaf) : [leaf(item), item];
      text += i === 0 ? itemText : `,${itemText}`;
      copy[i] = itemCopy;
    }
    return [`${text}]`, copy];
  }
  const names: string[] = [];
  const texts: string[] = [];
  const copy: Record<string, unknown> = {};
  let sorted = true;
  for (const name of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[name];
    if (item === undefined) continue;
    if (names.length > 0 && names[names.length - 1]! >= name) sorted = false;
    names.push(name);
    if (isContainer(item)) {
      const [itemText, itemCopy] = container(item, depth + 1, leaf);
      texts.push(itemText);
      defineOwn(copy, name, itemCopy);
    } else {
      texts.push(leaf(item));
      defineOwn(copy, name, item);
    }
  }
  let text = '{';
  const entry = (i: number) => `${str(names[i]!)}:${texts[i]},`;
  if (sorted) for (let i = 0; i < names.length; i++) text += entry(i);
  else for (const i of names.map((_, i) => i).sort((a, b) => (names[a]! < names[b]! ? -1 : 1))) text += entry(i);
  return [`${text}}`, copy];
}

/**
 * The instance's default headers as they are now — the top level and the `common` and `method`
 * sections axios sends — in the order stored: cheap, and a reordering only costs a request that
 * could have been shared. Names and values as they are: one holding a NUL could not be sent anyway.
 */
function defaultHeadersKey(headers: unknown, method: string): string {
  if (!headers || typeof headers !== 'object') return '';
  const bag = headers as Record<string, unknown>;
  let text = '';
  for (const section of [bag, bag.common, bag[method]]) {
    if (!section || typeof section !== 'object') continue;
    for (const name of Object.keys(section)) {
      const value = (section as Record<string, unknown>)[name];
      if (value !== undefined && (section !== bag || typeof value !== 'object')) text += `${name}\u0000${String(value)}\u0000`;
    }
    text += '\u0001';
  }
  return text;
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
  /** Config values: data by value, anything else (a function, an agent) by identity. */
  const configLeaf: Leaf = (value) => {
    const text = primitiveText(value ?? null);
    if (text !== undefined) return text;
    if (typeof value === 'number') return `n${value}`;
    if (typeof value === 'bigint') return `${value}n`;
    if ((typeof value === 'object' || typeof value === 'function') && value) return `#${idOf(value)}`;
    throw UNKEYABLE; // a symbol
  };
  const byValue = (value: unknown) => keyed(value, 0, configLeaf);

  /** The headers a caller set, flattened for `method`, names in lower case, minus the ignored ones. */
  const headersKey = (headers: unknown, method: string) => {
    const kept: Record<string, unknown> = Object.create(null);
    for (const [name, value] of Object.entries(plainHeaders(headers, method))) {
      const lower = name.trim().toLowerCase();
      if (value === undefined || ignored.has(lower)) continue;
      kept[lower] = lower in kept ? [kept[lower], value] : value;
    }
    return byValue(kept)[0];
  };

  /**
   * Short names for long texts that recur in keys (the document, the instance's defaults): a key
   * holds `#n` in place of the text, so a call in flight does not keep a copy of it. A name is never
   * given to another text (ids only grow), so forgetting one can only cost a share, never make two
   * calls share wrongly. Documents: the first `MAX_NAMED`, then the text itself (`'` first, never
   * read as a name). The instance's defaults may hold a default `Authorization`: only the last few
   * are remembered, so that old tokens are not kept for the client's lifetime.
   */
  let lastName = -1;
  const documents = new Map<string, number>();
  const defaultsSeen = new Map<string, number>();
  const nameOf = (text: string, seen: Map<string, number>, max: number) => {
    let id = seen.get(text);
    if (id === undefined) {
      if (seen.size >= max && seen === documents) return `'${text}`;
      if (seen.size >= max) seen.delete(seen.keys().next().value as string);
      seen.set(text, (id = ++lastName));
    }
    return `#${id}`;
  };

  /** The last config made of `url` and `method` only (a call without config), keyed once. */
  let bare: { url: unknown; method: unknown; text: string } | undefined;

  /** The caller's config (with `url` and `method`): its text, and a copy of what is sent. */
  const configKey = (config: Record<string, unknown>, method: string): [string, Record<string, unknown>] => {
    const names = Object.keys(config);
    const isBare = names.length === 2 && typeof config.url === 'string' && typeof config.method === 'string';
    if (isBare && bare && bare.url === config.url && bare.method === config.method)
      return [bare.text, { url: config.url, method: config.method }];
    const copy: Record<string, unknown> = {};
    let text = '';
    for (const name of names.sort()) {
      const given = config[name];
      if (given === undefined || NOT_KEYED.has(name)) continue;
      const [valueText, value] =
        name === 'headers'
          ? [headersKey(given, method), plainHeaders(given, method)]
          : isContainer(given)
            ? byValue(given)
            : [configLeaf(given), given];
      text += `${str(name)}:${valueText},`;
      defineOwn(copy, name, value);
    }
    if (isBare) bare = { url: config.url, method: config.method, text };
    return [text, copy];
  };

  return (call) => {
    const defaults = instance.defaults as Record<string, unknown>;
    const config = call.config as Record<string, unknown>;
    const method = String(config.method ?? defaults.method ?? 'get').toLowerCase();
    if (!isQueryOnly(call.query) || !SHAREABLE_RESPONSE_TYPES.has((config.responseType ?? defaults.responseType) as string | undefined))
      return undefined;
    try {
      // No variables and `{}` ask the same; the first caller's body is sent.
      const [variablesText, variables] = call.variables === undefined ? ['{}', undefined] : keyed(call.variables, 0, jsonLeaf);
      const [configText, copy] = configKey(config, method);
      // The instance's defaults as they are now, so that a call made after they change (another
      // user's Authorization) never joins a request sent before.
      let instanceText = '';
      for (const name of KEYED_DEFAULTS) {
        const value = defaults[name];
        instanceText += value === undefined ? ';' : `${isContainer(value) ? byValue(value)[0] : configLeaf(value)};`;
      }
      instanceText += defaultHeadersKey(defaults.headers, method);
      // Unambiguous: each part of `rest` but the last reads back one way, the last ends where
      // `rest` does (its length is given), and the query's text, which may hold anything, follows.
      const rest = `${call.operationName ?? ''}\u0000${variablesText}\u0000${configText}\u0000${nameOf(instanceText, defaultsSeen, DEFAULTS_NAMED)}`;
      const key = flat(`${rest.length}:${rest}${nameOf(call.query, documents, MAX_NAMED)}`);
      const timeout = Number(config.timeout ?? defaults.timeout);
      return { key, variables, config: copy as AxiosRequestConfig, ...(timeout > 0 ? { timeout } : {}) };
    } catch {
      return undefined; // a cycle, a BigInt variable, a getter that throws: sent on its own, and axios says what it makes of it
    }
  };
}

/** Every operation of the document is a query. A mutation or subscription anywhere, or a text that cannot be read, is never shared. */
export function isQueryOnly(query: string): boolean {
  const operations = listOperations(query);
  return !!operations && operations.length > 0 && operations.every((operation) => operation.type === 'query');
}
