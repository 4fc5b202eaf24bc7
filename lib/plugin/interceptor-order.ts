// Why the order in which interceptors were registered does not matter (docs/how-it-works.md,
// "Your interceptors and the plugin's"). axios (0.19 to 1.x) builds the chains of every request by
// calling `forEach` on the instance's two InterceptorManagers. An own `forEach` on each manager
// gives the plugin's handlers to axios before the user's:
// - response: axios runs them in the order given, so ours run first, on the raw answer, and the
//   user's run once, on the final one (replays go through the private client);
// - request: axios unshifts each handler given, so the first given runs last: ours runs after the
//   user's and sees the final URL, headers and `skipAuth`. Where axios pushes instead (1.x with
//   `transitional.legacyInterceptorReqResOrdering: false`), ours asks to be given again at the end.
// `handlers` is never reordered: the user's ids and `eject` keep working.

/** On the manager under a global key: shared by every attachment and by two copies of the package. Its shape is a contract between versions. */
const KEY = Symbol.for('axios-graphql-refresh.interceptor-order');

type Handler = { fulfilled?: unknown } | null;
type Each = (handler: Handler) => void;

interface Order {
  /** `fulfilled` of the plugin's handlers on this manager: given first. */
  ours: Set<unknown>;
  /** Handlers asked (during this iteration) to be given after every other one. */
  late: Handler[];
  /** forEach calls in progress: asking to be given late only works inside one. */
  depth: number;
  /** What the override iterates with: the `forEach` in place before it (own or the class's). */
  base: (this: unknown, fn: Each) => void;
  /** The own `forEach` property found before ours, if any, put back when the last handler leaves. */
  previous?: PropertyDescriptor;
  /** The override installed, to tell whether someone replaced it since. */
  installed: unknown;
  /** The installing copy's state for one iteration: the caller's callback, and the user's handlers kept for after ours. */
  fn?: Each;
  rest: Handler[];
  sort: Each;
}

type Manager = object & { forEach: (fn: Each) => void; [KEY]?: Order };

/**
 * The installed `forEach`: reads its state from the manager, so any copy's override serves every
 * copy's handlers. One pass of axios' own `forEach` (which keeps ids stable while it walks) gives
 * ours at once and keeps the others, given next; it allocates nothing (it runs twice per request).
 */
function forEachOursFirst(this: Manager, fn: Each): void {
  const order = this[KEY];
  if (!order) {
    Object.getPrototypeOf(this).forEach.call(this, fn);
    return;
  }
  if (order.ours.size === 0) {
    order.base.call(this, fn);
    return;
  }
  const { late, rest } = order;
  const lateMark = late.length;
  const restMark = rest.length;
  const outer = order.fn;
  order.depth++;
  order.fn = fn;
  try {
    order.base.call(this, order.sort);
    for (let i = restMark; i < rest.length; i++) fn(rest[i]!);
    for (let i = lateMark; i < late.length; i++) fn(late[i]!);
  } finally {
    late.length = lateMark;
    rest.length = restMark;
    order.fn = outer;
    order.depth--;
  }
}

const frozen = () =>
  new TypeError('attachTokenRefresh cannot order its interceptors: `instance.interceptors` is frozen or sealed (docs/how-it-works.md)');

function install(manager: Manager): Order {
  const previous = Object.getOwnPropertyDescriptor(manager, 'forEach');
  const base = typeof previous?.value === 'function' ? previous.value : Object.getPrototypeOf(manager).forEach; // attach.ts checked there is one
  const order: Order = {
    ours: new Set(),
    late: [],
    depth: 0,
    base,
    previous,
    installed: forEachOursFirst,
    rest: [],
    sort: (h) => (h && order.ours.has(h.fulfilled) ? order.fn!(h) : order.rest.push(h)),
  };
  try {
    Object.defineProperty(manager, KEY, { value: order, configurable: true, enumerable: false, writable: true });
    Object.defineProperty(manager, 'forEach', { value: forEachOursFirst, configurable: true, enumerable: false, writable: true });
  } catch {
    delete manager[KEY];
    throw frozen();
  }
  return order;
}

/** Throws the TypeError {@link placeFirst} would, without changing anything: call it before anything else is set up. */
export function assertPlaceable(manager: object): void {
  const m = manager as Manager;
  const own = Object.getOwnPropertyDescriptor(m, 'forEach');
  if (m[KEY] || (Object.isExtensible(m) && (!own || own.configurable))) return;
  throw frozen();
}

/**
 * Makes the handler whose `fulfilled` is given come first when axios builds a request's chain (see
 * above). Returns the function that undoes it; the manager's `forEach` is put back when no handler
 * of any attachment is left, unless someone replaced it since.
 */
export function placeFirst(manager: object, fulfilled: unknown): () => void {
  const m = manager as Manager;
  const order = m[KEY] ?? install(m);
  order.ours.add(fulfilled);
  return () => {
    order.ours.delete(fulfilled);
    if (order.ours.size > 0 || m[KEY] !== order || m.forEach !== order.installed) return;
    delete m[KEY];
    if (order.previous) Object.defineProperty(m, 'forEach', order.previous);
    else delete (m as { forEach?: unknown }).forEach;
  };
}

/** Inside the manager's `forEach`: asks for `handler` to be given again after every other one. False when not inside it (then nothing is deferred). */
export function giveLast(manager: object, handler: Handler): boolean {
  const order = (manager as Manager)[KEY];
  if (!order || order.depth === 0) return false;
  order.late.push(handler);
  return true;
}
