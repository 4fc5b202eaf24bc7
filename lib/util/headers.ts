// Header access that works on axios 1.x `AxiosHeaders` and on axios 0.27's plain objects, where
// defaults still sit under `common` / `<method>` until dispatch flattens them.

type HeaderBag = Record<string, unknown> & {
  set?: (name: string, value: unknown) => unknown;
  get?: (name: string) => unknown;
  delete?: (name: string) => unknown;
  normalize?: (format?: boolean) => unknown;
};

const NESTED = ['common', 'get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

function isAxiosHeaders(bag: HeaderBag): boolean {
  return typeof bag.set === 'function' && typeof bag.get === 'function';
}

function removeFrom(bag: Record<string, unknown>, lower: string): void {
  for (const key of Object.keys(bag)) if (key.trim().toLowerCase() === lower) delete bag[key];
}

/** Reads a header case-insensitively. */
export function getHeader(headers: unknown, name: string): unknown {
  if (!headers || typeof headers !== 'object') return undefined;
  const bag = headers as HeaderBag;
  if (isAxiosHeaders(bag)) return bag.get!(name);
  const lower = name.toLowerCase();
  for (const key of Object.keys(bag)) if (key.toLowerCase() === lower) return bag[key];
  return undefined;
}

/** Deletes every case variant of a header, including those nested under method keys (axios 0.27). */
export function deleteHeader(headers: unknown, name: string): void {
  if (!headers || typeof headers !== 'object') return;
  const bag = headers as HeaderBag;
  const lower = name.toLowerCase();
  if (isAxiosHeaders(bag)) bag.delete!(name);
  removeFrom(bag, lower);
  for (const nested of NESTED) {
    const inner = bag[nested];
    if (inner && typeof inner === 'object') removeFrom(inner as Record<string, unknown>, lower);
  }
}

/** Sets a header, replacing every case variant (so a stale `authorization` cannot ride along). */
export function setHeader(target: { headers?: unknown }, name: string, value: string): void {
  if (!target.headers || typeof target.headers !== 'object') target.headers = {};
  const bag = target.headers as HeaderBag;
  // AxiosHeaders (axios 1.x) keeps one entry per name whatever its case, and `rewrite` replaces even a
  // `false`: nothing else to delete (this runs on every request).
  if (isAxiosHeaders(bag)) return void (bag.set as (n: string, v: string, rewrite: boolean) => unknown)(name, value, true);
  deleteHeader(bag, name);
  bag[name] = value;
}

/**
 * The `Authorization` value the plugin sends `token` with; held-reads.ts knows a request sent with a
 * dead token by the same value.
 *
 * @example
 * ```ts
 * bearerOf('at-1'); // 'Bearer at-1'
 * ```
 */
export const bearerOf = (token: string) => `Bearer ${token}`;

/**
 * Sets `Authorization: Bearer <token>`, replacing every case variant. On axios 1.x headers the entry
 * is written directly: `AxiosHeaders.set` would clean the value, which axios does again for every
 * header before it sends (transformData's `normalize()`), so `set` cost a second cleaning per
 * request — most of what attaching a token cost (docs/benchmarks.md, per-request CPU).
 */
export function setBearer(target: { headers?: unknown }, token: string): void {
  const value = bearerOf(token);
  const bag = target.headers as HeaderBag | undefined;
  // Only axios' own headers keep their entries as properties (and have `normalize`): a fetch `Headers`
  // or a `Map` also has set/get, but axios reads it through its iterator, so a property would not be sent.
  if (!bag || typeof bag !== 'object' || !isAxiosHeaders(bag) || typeof bag.normalize !== 'function') {
    setHeader(target, 'Authorization', value);
    return;
  }
  for (const key of Object.keys(bag)) if (key !== 'Authorization' && key.trim().toLowerCase() === 'authorization') delete bag[key];
  bag.Authorization = value;
}

/** A plain-object copy of request headers (flattening axios 0.27's nested defaults for `method`). */
export function plainHeaders(headers: unknown, method?: string): Record<string, unknown> {
  if (!headers || typeof headers !== 'object') return {};
  const bag = headers as HeaderBag;
  const source: Record<string, unknown> =
    typeof (bag as { toJSON?: unknown }).toJSON === 'function' && isAxiosHeaders(bag)
      ? (bag as unknown as { toJSON(): Record<string, unknown> }).toJSON()
      : bag;
  const out: Record<string, unknown> = {};
  const nestedSources = [source.common, method ? source[method] : undefined];
  for (const nested of nestedSources) {
    if (nested && typeof nested === 'object') Object.assign(out, nested);
  }
  for (const [key, value] of Object.entries(source)) {
    if (NESTED.includes(key)) continue;
    if (typeof value === 'function') continue;
    out[key] = value;
  }
  return out;
}
