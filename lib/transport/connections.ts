import type { AxiosInstance } from 'axios';
import { fullUrlOf, originOf } from '../policy/origin';

// How many requests the transport serves at once before it queues them (docs/how-it-works.md,
// "connection pools"). Admission (plugin/admission.ts) hands it no more than that, so the requests
// that wait do so in the plugin, where a token found dead is still replaced, not in a queue the
// plugin cannot reach, from which every one would leave with it.
//
// - Node: the lowest `maxSockets` of the instance's agents (unbounded by default); jsdom and
//   happy-dom, which put a DOM on Node's global, are Node.
// - A browser page or worker, when the API's origin speaks HTTP/1.1: 5, the 6 connections per host
//   that Chromium, Firefox and Safari open over HTTP/1.1 less one, left free for the refresh and the
//   login (with all 6 busy, the refresh waited for one to free: 3.8–4.6 ms against 2.1–3.4 with one
//   free, the herd's wall time the same). Known so when the browser's Resource Timing entries show
//   the origin answering over HTTP/1.x, or when it is `http:` (browsers speak HTTP/2 only over TLS).
//   Over HTTP/2 or HTTP/3 one connection carries every request and nothing queues: no bound. An
//   `https:` origin whose protocol is not shown (cross-origin without `Timing-Allow-Origin`) is not
//   bounded on a guess either: most are HTTP/2, whose users would lose their concurrency.
//   `rateLimit.concurrency` replaces the browser's bound.

/** Connections a browser opens to one host over HTTP/1.1. */
const HTTP1_CONNECTIONS_PER_HOST = 6;
/** The plugin's requests handed to a browser at once over HTTP/1.1: one connection stays free for the refresh. */
export const BROWSER_BOUND = HTTP1_CONNECTIONS_PER_HOST - 1;

const Infinite = Number.POSITIVE_INFINITY;

type Agent = { maxSockets?: number } | undefined;

/** The lowest `maxSockets` of the instance's agents (Infinity when unbounded or absent). */
function agentBound(instance: AxiosInstance): number {
  const defaults = instance.defaults as { httpAgent?: Agent; httpsAgent?: Agent };
  const a = defaults.httpAgent?.maxSockets;
  const b = defaults.httpsAgent?.maxSockets;
  return Math.min(typeof a === 'number' && a > 0 ? a : Infinite, typeof b === 'number' && b > 0 ? b : Infinite);
}

/** DOM emulations in Node (jsdom, happy-dom) say so in their user agent: their XMLHttpRequest is Node's http, with no per-host bound. */
const emulated = () =>
  /\b(?:jsdom|HappyDOM)\//.test((globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent as string);

/**
 * A browser page or worker: XMLHttpRequest and a document or worker scope (Node, Deno and Bun have
 * neither pair), and not a DOM emulated in Node (a test environment: its requests are Node's).
 */
const inBrowser = () =>
  typeof XMLHttpRequest === 'function' &&
  (typeof document === 'object' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function') &&
  !emulated();

/** The newest protocol the browser reported for each origin (Resource Timing), and a count of changes. */
const protocols = new Map<string, string>();
let learned = 0;
let watching = false;
/** Called when a protocol changed: admission asks for the bound again, so requests waiting for a place go at once on HTTP/2. */
const listeners = new Set<() => void>();

/** Notes the entries' protocols; tells the listeners once if any changed. */
function learn(entries: readonly PerformanceEntry[]): void {
  const before = learned;
  for (const entry of entries as PerformanceResourceTiming[]) {
    const origin = entry.nextHopProtocol ? originOf(entry.name) : undefined;
    if (origin && protocols.get(origin) !== entry.nextHopProtocol) {
      protocols.set(origin, entry.nextHopProtocol);
      learned++;
    }
  }
  if (learned !== before) for (const listener of listeners) listener();
}

/**
 * Watches the page's resource entries, once per page. The timeline is read at once too: an
 * observer reports even its buffered entries only a task later, after an app's first burst. The
 * document's own entry tells the page's origin's protocol (a same-origin API).
 */
function watchProtocols(): void {
  if (watching) return;
  watching = true;
  try {
    learn(performance.getEntriesByType('navigation'));
    learn(performance.getEntriesByType('resource'));
  } catch {
    // No timeline here: the observer, if any, tells.
  }
  if (typeof PerformanceObserver !== 'function') return;
  try {
    new PerformanceObserver((list) => learn(list.getEntries())).observe({ type: 'resource', buffered: true });
  } catch {
    // No Resource Timing here (an old browser, a worker without it): the bound stays.
  }
}

/** Calls `listener` whenever the browser's protocols change (`connectionBound` may answer otherwise); returns the way to stop. */
export function onProtocolsLearned(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether the browser speaks HTTP/1.x to `origin`: as its timeline showed, or for certain over plain `http:`. */
function http1(origin: string | undefined): boolean {
  const protocol = origin ? protocols.get(origin) : undefined;
  if (protocol) return /^http\/(?:0\.9|1\.[01])$/.test(protocol); // not h2, h3, nor an older Chrome's "http/2+quic/46"
  return !!origin && origin.startsWith('http:');
}

/** The browser's bound for the API's origin, found again only when the protocols or the URL changed. */
function browserBound(instance: AxiosInstance, url: string | undefined, seen: BoundCache): number {
  watchProtocols();
  const base = instance.defaults.baseURL;
  if (seen.learned === learned && seen.base === base && seen.url === url && seen.bound !== undefined) return seen.bound;
  const full = fullUrlOf({ baseURL: base, url });
  const origin = originOf(full) ?? (typeof location === 'object' ? location.origin : undefined);
  Object.assign(seen, { learned, base, url });
  seen.bound = http1(origin) ? BROWSER_BOUND : Infinite;
  return seen.bound;
}

/** What {@link connectionBound} found last for one attachment (a browser's answer costs a URL parse). */
export interface BoundCache {
  learned?: number;
  base?: string | undefined;
  url?: string | undefined;
  bound?: number;
}

/**
 * The most requests of one attachment the transport serves at once (Infinity: no bound known).
 * `url` is the attachment's GraphQL `url` option; `explicit` tells that the user set
 * `rateLimit.concurrency`, which replaces a browser's default bound (an agent's `maxSockets` stays).
 */
export function connectionBound(instance: AxiosInstance, url: string | undefined, explicit: boolean, seen: BoundCache): number {
  const agents = agentBound(instance);
  if (agents !== Infinite || explicit || !inBrowser()) return agents;
  return browserBound(instance, url, seen);
}
