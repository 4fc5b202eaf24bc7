// Copies of one answer, one per caller that shared its request (docs/graphql-client.md#coalescing):
// a caller changing its result, its response or its error changes nobody else's. Parsed data is
// copied deeply; what cannot be copied faithfully (bytes, a socket, an instance of some class) is
// shared, as it was never meant to be changed.

import { defineOwn } from '../util/own-properties';

/** What the instance settled with: a value (a response, or what an interceptor made of it), or an error. */
export type Settled = { value: unknown; error?: undefined; failed?: false } | { error: unknown; failed: true; value?: undefined };

const MAX_DEPTH = 512;

/** A deep copy of arrays, plain objects and dates; anything else is shared. */
export function copyData<T>(value: T, depth = 0, seen = new Map<object, unknown>()): T {
  if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (seen.has(value)) return seen.get(value) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(copyData(item, depth + 1, seen));
    return out as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = Object.create(proto);
  seen.set(value, out);
  for (const key of Object.keys(value)) defineOwn(out, key, copyData((value as Record<string, unknown>)[key], depth + 1, seen));
  return out as T;
}

/** Response headers: axios 1.x `AxiosHeaders` (copied through its constructor) or a plain object. */
function copyHeaders(headers: unknown): unknown {
  if (!headers || typeof headers !== 'object') return headers;
  const bag = headers as { set?: unknown; get?: unknown; constructor?: new (from: unknown) => unknown };
  if (typeof bag.set === 'function' && typeof bag.get === 'function' && typeof bag.constructor === 'function')
    return new bag.constructor(headers);
  return copyData(headers);
}

/** A copy with the same prototype and properties (enumerable or not: a hidden `request` stays hidden), then `changes` applied. */
function sameShape<T extends object>(
  from: T,
  changes: Record<string, unknown>,
  base: object = Object.create(Object.getPrototypeOf(from)),
): T {
  Object.defineProperties(base, Object.getOwnPropertyDescriptors(from));
  for (const [key, value] of Object.entries(changes)) {
    const descriptor = Object.getOwnPropertyDescriptor(from, key);
    if (descriptor && 'value' in descriptor) Object.defineProperty(base, key, { ...descriptor, value });
  }
  return base as T;
}

function copyConfig(config: unknown): unknown {
  if (!config || typeof config !== 'object') return config;
  return sameShape(config, { headers: copyHeaders((config as { headers?: unknown }).headers) });
}

/** A response (or anything an interceptor resolved with) for one more caller. */
export function copyValue(value: unknown): unknown {
  if (!value || typeof value !== 'object' || !('config' in value && 'status' in value && 'headers' in value)) return copyData(value);
  const response = value as { data?: unknown; headers?: unknown; config?: unknown };
  return sameShape(response, {
    data: copyData(response.data),
    headers: copyHeaders(response.headers),
    config: copyConfig(response.config),
  });
}

/**
 * An error for one more caller: an `Error` of the same class (`instanceof`, `axios.isCancel`,
 * `isAxiosError` still hold; `Object.prototype.toString` still says Error), its `config` and
 * `response` copied. An error that cannot be copied faithfully (a `DOMException`) is shared.
 */
export function copyError(error: unknown): unknown {
  if (!error || typeof error !== 'object') return error;
  const e = error as { config?: unknown; response?: unknown };
  const config = copyConfig(e.config);
  const changes: Record<string, unknown> = { config };
  if (e.response) {
    const response = copyValue(e.response) as { config?: unknown };
    if ((e.response as { config?: unknown }).config === e.config && response && typeof response === 'object') {
      Object.defineProperty(response, 'config', { ...Object.getOwnPropertyDescriptor(response, 'config'), value: config });
    }
    changes.response = response;
  }
  try {
    const copy = sameShape(
      error,
      changes,
      error instanceof Error ? Object.setPrototypeOf(new Error(), Object.getPrototypeOf(error)) : undefined,
    );
    // Newer V8 makes `stack` an accessor bound to the error it was captured on: keep the original's text.
    const stack = Object.getOwnPropertyDescriptor(error, 'stack');
    if (stack && !('value' in stack))
      Object.defineProperty(copy, 'stack', { value: (error as { stack?: unknown }).stack, writable: true, configurable: true });
    void (copy as { message?: unknown; name?: unknown }).message;
    void (copy as { name?: unknown }).name;
    return copy;
  } catch {
    return error;
  }
}

/** The answer for one more caller. */
export function copySettled(settled: Settled): Settled {
  return settled.failed ? { error: copyError(settled.error), failed: true } : { value: copyValue(settled.value) };
}
