// While the refresh's request is out because an answer said the token is dead, the answers to the
// other requests sent with that token are left unread on their sockets (docs/how-it-works.md,
// "connection pools"). Node reads sockets in the order they became readable, and each of those
// answers costs an HTTP parse, axios' response handling and the plugin's verdict before the next
// socket is read: with a full pool of 64 the refresh's answer waited behind twenty of them
// (docs/benchmarks.md, "where the refresh's time goes"). Paused, they are read as soon as the
// refresh has its answer, and their replays wait for its token only. Nothing is aborted, re-sent or
// lost: the bytes wait in the socket, as they would in a busy process.
//
// Only Node's `http.Agent` pools are looked at: `agent.sockets` (documented) and the request each
// socket carries (`socket._httpMessage`, Node's own field, present from Node 0.x to 24). Anything
// else is left alone. A paused socket whose answer the refresh needs would wait for ever, so
// the caller holds only pools the refresh cannot be queued in (private-client.ts).

interface SocketLike {
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
  destroyed?: boolean;
  _httpMessage?: unknown;
}

interface OutgoingLike {
  getHeader(name: string): unknown;
  res?: { complete?: boolean } | null;
}

const isSocket = (socket: unknown): socket is SocketLike =>
  !!socket &&
  typeof socket === 'object' &&
  typeof (socket as SocketLike).pause === 'function' &&
  typeof (socket as SocketLike).resume === 'function' &&
  typeof (socket as SocketLike).isPaused === 'function';

/** Whether the socket's request went out with `authorization` and its answer is not read yet. */
function carries(socket: SocketLike, authorization: string): boolean {
  const request = socket._httpMessage as OutgoingLike | null | undefined;
  if (!request || typeof request !== 'object' || typeof request.getHeader !== 'function') return false;
  return request.getHeader('authorization') === authorization && request.res?.complete !== true;
}

/**
 * Pauses the in-use sockets of `agents` whose request carries `authorization` (and whose answer is
 * not yet read); returns the function that resumes those still paused. Sockets Node paused itself
 * (backpressure) are not touched. `sharedWith`: the pools the caller's own request goes through
 * (chosen because they have room for it); if it queues there all the same, everything is let go.
 *
 * @example
 * ```ts
 * const release = holdReads([agent], `Bearer ${deadToken}`, []); // the refresh goes through an agent of its own
 * try { return await sendRefresh(); } finally { release(); }
 * ```
 */
export function holdReads(agents: readonly unknown[], authorization: string, sharedWith: readonly unknown[] = agents): () => void {
  const pools = [...new Set(agents)].map(poolsOf).filter((p) => !!p);
  const shared = sharedWith.map(poolsOf).filter((p) => !!p);
  const held: SocketLike[] = [];
  for (const sockets of pools) for (const socket of inUse(sockets)) if (pause(socket, authorization)) held.push(socket);
  if (held.length === 0) return () => {};
  const release = () => {
    clearTimeout(check);
    for (const socket of held.splice(0)) if (!socket.destroyed && socket.isPaused()) socket.resume();
  };
  // The caller's own request goes through `sharedWith` only when it had room there; if that room
  // was taken before it got there (same turn), it queued behind the held sockets: let them go.
  const check = setTimeout(() => shared.some(hasQueued) && release(), 0);
  (check as { unref?: () => void }).unref?.();
  return release;
}

type Pools = Record<string, unknown[] | undefined>;

function poolsOf(agent: unknown): { sockets: Pools; requests?: Pools } | undefined {
  const sockets = (agent as { sockets?: unknown } | undefined)?.sockets;
  return sockets && typeof sockets === 'object' ? (agent as { sockets: Pools; requests?: Pools }) : undefined;
}

function* inUse(agent: { sockets: Pools }): Generator<unknown> {
  for (const name of Object.keys(agent.sockets)) yield* agent.sockets[name] ?? [];
}

const hasQueued = (agent: { requests?: Pools }) => Object.values(agent.requests ?? {}).some((queue) => (queue?.length ?? 0) > 0);

/** Pauses `socket` if it carries a request sent with `authorization` whose answer is not read yet, and nothing paused it already. */
function pause(socket: unknown, authorization: string): socket is SocketLike {
  if (!isSocket(socket) || socket.destroyed || socket.isPaused() || !carries(socket, authorization)) return false;
  socket.pause();
  return true;
}
