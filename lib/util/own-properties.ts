// Own properties, set and copied as a spread sets them: `__proto__` included, as an own property
// (an assignment `o['__proto__'] = v` would set the prototype instead). Used by the GraphQL client's
// keys and per-caller copies (client/), and by the plugin's resends (plugin/send.ts, adapters.ts).
//
// copyConfig: every replay copies its request config. It must hold what `{ ...config, ...changes }`
// holds, but on the configs axios builds (its mergeConfig adds their keys one by one) V8's spread
// takes a slow path: 5.5 µs a copy of an 18-key config on Node 20, against 1.8 µs for the loops
// below, and about 3 µs less per replay sent through axios after it.

/** `target[key] = value` as an own property, also for the key `__proto__` (which `=` would take as the prototype). */
export function defineOwn(target: Record<PropertyKey, unknown>, key: PropertyKey, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Copies `source`'s own enumerable properties onto `copy`, as a spread does: in its order, symbols
 * after strings; an own `__proto__` stays an own property (an assignment would set the prototype).
 */
function put(copy: Record<PropertyKey, unknown>, source: Record<PropertyKey, unknown>): void {
  for (const key of Object.keys(source)) defineOwn(copy, key, source[key]);
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
