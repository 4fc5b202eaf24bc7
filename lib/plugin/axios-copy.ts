import type { AxiosInstance, AxiosRequestConfig, InternalAxiosRequestConfig } from 'axios';
import { giveLast, placeFirst } from './interceptor-order';

// What the user's copy of axios does, found once per copy at attach time by a probe that cannot
// leave the process: a private instance whose transformRequest throws before any adapter would run,
// and whose adapter is a local function anyway (docs/getting-started.md, "Supported axios versions").

export interface AxiosCopy {
  /** Request interceptors run in the order registered when asked (`transitional.legacyInterceptorReqResOrdering: false`, axios 1.13.5+). */
  honoursPushOrder: boolean;
  /** A request failing synchronously inside axios' dispatch still passes through response interceptors (recent 1.x; not 0.x). */
  syncFailuresReachInterceptors: Promise<boolean>;
}

/** Per copy of axios (its InterceptorManager class). */
const known = new WeakMap<object, AxiosCopy>();

const OLDEST = '0.22';

const refuse = (found: string) =>
  new TypeError(
    `Expected \`instance\` to be made by axios ${OLDEST} or newer (AbortSignal, instances with create()), got ${found} (docs/getting-started.md)`,
  );

/** Refuses copies of axios the plugin cannot work with, whichever way the instance was made (default export, `create()`, an instance's `create()`). */
export function assertSupportedAxios(instance: AxiosInstance): void {
  const i = instance as AxiosInstance & { VERSION?: unknown; create?: unknown; CancelToken?: unknown };
  if (typeof i.VERSION === 'string') {
    const [major, minor] = i.VERSION.split('.').map(Number) as [number, number];
    if (major === 0 && minor < 22) throw refuse(`axios ${i.VERSION}`);
  } else if (typeof i.CancelToken === 'function') {
    throw refuse('the default export of axios 0.21 or older (it has no `VERSION`)');
  }
  if (typeof i.create !== 'function') throw refuse('an instance without `create()` (axios 0.21 or older)');
}

/** What `instance`'s copy of axios does (see {@link AxiosCopy}); throws a TypeError when its interceptor order cannot be set. */
export function inspectAxiosCopy(instance: AxiosInstance): AxiosCopy {
  const key = instance.interceptors.request.constructor;
  let copy = known.get(key);
  if (!copy) {
    copy = probe(instance);
    known.set(key, copy);
  }
  return copy;
}

const NOT_SENT = 'axios-graphql-refresh: probe, never sent';
const stop = () => {
  throw new Error(NOT_SENT);
};
const notSent = () => Promise.reject(new Error(NOT_SENT));

/** Sends `config` through `client` as far as axios' dispatch, where it fails synchronously; the promise says whether a response interceptor saw the failure. */
function dispatchOnce(client: AxiosInstance, config: AxiosRequestConfig, reached: { yes: boolean }): Promise<boolean> {
  try {
    return client.request({ url: '/', ...config, transformRequest: [stop], adapter: notSent as never }).then(
      () => false,
      () => reached.yes,
    );
  } catch {
    return Promise.resolve(false); // an option this copy does not know (thrown before anything ran)
  }
}

/** axios pushes request interceptors in the order registered instead of unshifting them (1.x: `legacyInterceptorReqResOrdering: false`). */
export function pushesInOrder(config: { transitional?: unknown }): boolean {
  const transitional = config.transitional as { legacyInterceptorReqResOrdering?: boolean } | undefined;
  return !(transitional ? transitional.legacyInterceptorReqResOrdering : true);
}

/**
 * Two synchronous request interceptors on a private instance made from the user's, the plugin's
 * mechanism in place (its `runWhen` as request-interceptor.ts has it): first asked to run them in
 * the order registered, which tells whether this copy can; then as the instance's own defaults say.
 * Both times the plugin's must run after the user's. All of it happens inside `request()`, before
 * it returns; axios builds the response chain the same way.
 */
function probe(instance: AxiosInstance): AxiosCopy {
  const create = (instance as unknown as { create: (c: AxiosRequestConfig) => AxiosInstance }).create;
  const client = create.call(instance, { adapter: notSent as never, transformRequest: [stop] });
  const requests = client.interceptors.request;
  const ran: string[] = [];
  const ours = (c: InternalAxiosRequestConfig) => (ran.push('ours'), c);
  let honoursPushOrder = true;
  const late = { fulfilled: ours, rejected: undefined, synchronous: true, runWhen: () => true };
  const runWhen = (c: InternalAxiosRequestConfig) => !(honoursPushOrder && pushesInOrder(c) && giveLast(requests, late));
  requests.use(ours, undefined, { synchronous: true, runWhen });
  requests.use((c) => (ran.push('user'), c), undefined, { synchronous: true });
  placeFirst(requests, ours);
  const reached = { yes: false };
  client.interceptors.response.use(undefined, (error: unknown) => ((reached.yes = true), Promise.reject(error)));

  void dispatchOnce(client, { transitional: { legacyInterceptorReqResOrdering: false } as never }, { yes: false });
  honoursPushOrder = ran.length > 0; // older copies refuse an option they do not know before anything runs
  if (honoursPushOrder && ran.join() !== 'user,ours') throw unordered(ran);
  ran.length = 0;
  const syncFailuresReachInterceptors = dispatchOnce(client, {}, reached);
  if (ran.join() !== 'user,ours') throw unordered(ran);
  return { honoursPushOrder, syncFailuresReachInterceptors };
}

const unordered = (ran: string[]) =>
  new TypeError(
    `attachTokenRefresh cannot order its interceptors: this axios builds its chains without InterceptorManager#forEach (a probe ran: ${ran.join() || 'nothing'}; docs/how-it-works.md)`,
  );
