// While the refresh's request is out because an answer said the token is dead, the answers to the
// other requests sent with that token are left unparsed on their sockets (docs/how-it-works.md,
// "connection pools"). Node reads sockets in the order they became readable, and each of those
// answers costs an HTTP parse, axios' response handling and the plugin's verdict before the next
// socket is read: with a full pool of 64 the refresh's answer waited behind twenty of them
// (docs/benchmarks.md, §3). Paused, they are parsed as soon as the refresh has its answer, and
// their replays wait for its token only. Nothing is aborted or sent again: Node still reads the
// bytes into the socket's buffer, and the `'data'` events wait.
//
// Almost all of those answers are dead. One the server accepted just before the token died may be
// good, and its caller's deadline (an axios `timeout`, or an AbortSignal the plugin cannot see from
// here) keeps running: so nothing is held longer than MAX_HOLD_MS, nor than half the shortest
// `timeout` among the held sockets. The hold pays where the refresh is quick and the client busy
// (a LAN, a loaded process); over a slow network the refresh outlasts it, and nothing is lost.
// Other traffic never waits behind a held socket for more than a moment either: as soon as a
// request queues in a held pool, everything is let go.
//
// Only Node's `http.Agent` pools are looked at — the instance's `httpAgent`/`httpsAgent`, or Node's
// global agents that axios' http adapter uses when it names none: `agent.sockets` and
// `agent.requests` (documented), and the request each socket carries (`socket._httpMessage`, Node's
// own field, present from Node 0.x to 24). Anything else is left alone: fetch and browsers send
// nothing through them, and nothing there carries the token.

import { hasRoom, isAgent } from './own-connection';

interface SocketLike {
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
  destroyed?: boolean;
  /** The idle timeout set on the socket (axios' `timeout`), in ms; 0 or absent when none. */
  timeout?: number;
  _httpMessage?: unknown;
}

interface OutgoingLike {
  getHeader(name: string): unknown;
  /** Set once the answer's head was parsed. */
  res?: unknown;
}

type Pools = Record<string, unknown[] | undefined>;
interface AgentPools {
  sockets: Pools;
  requests?: Pools;
}

/** The longest a socket is held (ms): several refreshes' worth on a LAN. */
const MAX_HOLD_MS = 50;
/** How often the hold looks at its pools for a queued request and at the clock (ms). */
const WATCH_MS = 2;

const isSocket = (socket: unknown): socket is SocketLike =>
  !!socket &&
  typeof socket === 'object' &&
  typeof (socket as SocketLike).pause === 'function' &&
  typeof (socket as SocketLike).resume === 'function' &&
  typeof (socket as SocketLike).isPaused === 'function';

/** Whether the socket's request went out with `authorization` and nothing of its answer is parsed yet. */
function carries(socket: SocketLike, authorization: string): boolean {
  const request = socket._httpMessage as OutgoingLike | null | undefined;
  if (!request || typeof request !== 'object' || typeof request.getHeader !== 'function') return false;
  return request.getHeader('authorization') === authorization && !request.res;
}

function poolsOf(agent: unknown): AgentPools | undefined {
  const sockets = (agent as { sockets?: unknown } | undefined)?.sockets;
  return sockets && typeof sockets === 'object' ? (agent as AgentPools) : undefined;
}

function* inUse(agent: AgentPools): Generator<unknown> {
  for (const name of Object.keys(agent.sockets)) yield* agent.sockets[name] ?? [];
}

const hasQueued = (agent: AgentPools) => Object.values(agent.requests ?? {}).some((queue) => (queue?.length ?? 0) > 0);

/** Pauses `socket` if it carries a request sent with `authorization` whose answer is not begun, and nothing paused it already. */
function pause(socket: unknown, authorization: string): socket is SocketLike {
  if (!isSocket(socket) || socket.destroyed || socket.isPaused() || !carries(socket, authorization)) return false;
  socket.pause();
  return true;
}

function resume(socket: SocketLike): void {
  if (!socket.destroyed && socket.isPaused()) socket.resume();
}

/** When the hold ends at the latest: MAX_HOLD_MS, or half the shortest `timeout` of a held socket. */
function deadlineOf(held: readonly SocketLike[]): number {
  const halves = held.map((s) => ((s.timeout ?? 0) > 0 ? s.timeout! / 2 : MAX_HOLD_MS));
  return Date.now() + Math.min(MAX_HOLD_MS, ...halves);
}

/** Timers that keep nothing alive (a script may end while a refresh is out). */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * Pauses the in-use sockets of `agents` whose request carries `authorization` and whose answer's
 * head is not parsed yet; returns the function that resumes those still paused. Sockets Node paused
 * itself (backpressure) are not touched. Everything is resumed without being asked, too: after
 * MAX_HOLD_MS or half the shortest `timeout` of a held socket, or as soon as a request queues in
 * one of the pools (the caller's own among them, if the room it counted on was taken).
 *
 * @example
 * ```ts
 * const release = holdReads([agent], bearerOf(deadToken));
 * try { return await sendRefresh(); } finally { release(); }
 * ```
 */
export function holdReads(agents: readonly unknown[], authorization: string): () => void {
  const pools = agents.map(poolsOf).filter((p) => !!p); // an agent given twice: its sockets are paused once (pause skips paused ones)
  const held: SocketLike[] = [];
  for (const agent of pools) for (const socket of inUse(agent)) if (pause(socket, authorization)) held.push(socket);
  if (held.length === 0) return () => {};
  const until = deadlineOf(held);
  const release = () => {
    clearInterval(watch);
    for (const socket of held.splice(0)) resume(socket);
  };
  const watch = unref(
    setInterval(() => {
      if (Date.now() >= until || pools.some(hasQueued)) release();
    }, WATCH_MS),
  );
  return release;
}

type Agents = { httpAgent?: unknown; httpsAgent?: unknown };

/** Node's global agents (`process.getBuiltinModule`, Node ≥ 20.16), which axios' http adapter uses when the instance names none. */
function globalAgents(): [unknown, unknown] {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function') return [undefined, undefined];
  try {
    const agentOf = (id: string) => (get(id) as { globalAgent?: unknown } | undefined)?.globalAgent;
    return [agentOf('node:http'), agentOf('node:https')];
  } catch {
    return [undefined, undefined]; // a runtime that only looks like Node
  }
}

/**
 * Holds the answers to `authorization` (the dead token) on the instance's agents while a token
 * request goes out through `refresh`'s agents (private-client.ts). Only agents it does not go
 * through, or that have room for it now, are held (a held socket frees no place: a refresh queued
 * behind it would wait for the answers it holds back). Returns the function that ends the hold.
 *
 * @example
 * ```ts
 * const release = holdDeadReads(instanceDefaults, { httpAgent: ownAgent }, bearerOf(deadToken));
 * ```
 */
export function holdDeadReads(users: Agents, refresh: Agents, authorization: string): () => void {
  const fallback = globalAgents();
  // Side by side: [http, https] — the agents the herd went through, and the ones the refresh goes through.
  const herd = [users.httpAgent ?? fallback[0], users.httpsAgent ?? fallback[1]];
  const own = [refresh.httpAgent ?? herd[0], refresh.httpsAgent ?? herd[1]];
  return holdReads(
    herd.filter((agent, i) => isAgent(agent) && (own[i] !== agent || hasRoom(agent))),
    authorization,
  );
}
