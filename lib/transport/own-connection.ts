// The refresh and the login never wait behind the herd (docs/how-it-works.md, "connection pools").
// A bounded keep-alive pool (`maxSockets: 64`, or 4) full of requests the server is slow to answer
// queues every new request behind them, the refresh too; and every request made meanwhile waits at
// the gate for that refresh. So when the user's pool has no room, the plugin's token requests use an
// agent of their own, made like the user's: the same class and options (TLS: `ca`, `cert`,
// `rejectUnauthorized`…), a pool of two. Axios applies the instance's `proxy` to it as to any agent.
// While the user's pool has room (always, when it is unbounded: Node's default), the refresh takes
// one of its warm sockets, as any request would: a connection of its own would cost a handshake.
// Under fetch they ask for `priority: 'high'` (private-client.ts), which a browser may use to serve
// them before requests queued for its 6 connections (Chromium does not: its fetch is high already).

type Pool = Record<string, unknown[] | undefined>;

/** What Node documents of an `http.Agent`: its limits and its pools, by the name of their origin. */
interface AgentLike {
  options?: unknown;
  maxSockets?: number;
  maxTotalSockets?: number;
  addRequest?: unknown;
  sockets?: Pool;
  freeSockets?: Pool;
  requests?: Pool;
}

export const isAgent = (agent: unknown): agent is AgentLike =>
  !!agent && typeof agent === 'object' && typeof (agent as AgentLike).addRequest === 'function';

const isBounded = (agent: AgentLike) => Number.isFinite(agent.maxSockets) || Number.isFinite(agent.maxTotalSockets);

const count = (pool: Pool | undefined, name: string) => pool?.[name]?.length ?? 0;

/**
 * Whether a request given to `agent` now would get a socket at once, whatever its origin: nothing
 * waits in the agent, no origin has all the sockets it may have, and a socket may still be opened
 * (Node's `Agent#addRequest` queues a request otherwise). Checked in the same turn as the request is
 * handed to the agent (axios' http adapter calls it synchronously), so nothing comes in between.
 */
export function hasRoom(agent: AgentLike): boolean {
  const max = agent.maxSockets ?? Number.POSITIVE_INFINITY;
  let total = 0;
  for (const name in agent.requests) if (count(agent.requests, name) > 0) return false;
  for (const name in agent.sockets) {
    const busy = count(agent.sockets, name);
    if (busy >= max) return false;
    total += busy;
  }
  for (const name in agent.freeSockets) total += count(agent.freeSockets, name);
  return total < (agent.maxTotalSockets ?? Number.POSITIVE_INFINITY);
}

/**
 * An agent of the same class and options as `agent`, with a pool of its own; `undefined` when the
 * class cannot be made again from its options alone: a proxy agent takes its proxy's URL first
 * (`new HttpsProxyAgent(url, options)`), and a guess could send a secret around that proxy.
 */
function sibling(agent: AgentLike): AgentLike | undefined {
  const Agent = (agent as { constructor?: unknown }).constructor as (new (options: object) => AgentLike) | undefined;
  if (typeof Agent !== 'function' || Agent.length > 1 || !agent.options || typeof agent.options !== 'object') return undefined;
  try {
    const { maxTotalSockets: _, ...options } = agent.options as Record<string, unknown>;
    const own = new Agent({ ...options, keepAlive: true, maxSockets: 2, maxFreeSockets: 1 });
    return isAgent(own) ? own : undefined;
  } catch {
    return undefined;
  }
}

/** Per client: the agent a token request uses now in place of `agent`, the user's (its own is made once, on first need). */
export function createOwnAgents(): (agent: unknown) => unknown {
  const made = new WeakMap<object, unknown>();
  return (agent) => {
    if (!isAgent(agent) || !isBounded(agent) || hasRoom(agent)) return agent;
    if (!made.has(agent)) made.set(agent, sibling(agent) ?? agent);
    return made.get(agent);
  };
}
