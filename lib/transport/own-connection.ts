// The refresh and the login never wait behind the herd (docs/how-it-works.md, "connection pools").
// A bounded keep-alive pool (`maxSockets: 64`, or 4) full of requests the server is slow to answer
// queues every new request behind them, the refresh too; and every request made meanwhile waits at
// the gate for that refresh. So the plugin's token requests use an agent of their own, made like the
// user's: the same class and options (TLS: `ca`, `cert`, `rejectUnauthorized`…), a pool of two.
// Axios applies the instance's `proxy` to it as to any agent. An unbounded pool (Node's default)
// queues nothing: the refresh keeps using its warm sockets. Under fetch, the browser's own pool
// (6 connections per host over HTTP/1.1) serves a `priority: 'high'` request first.

interface AgentLike {
  options?: unknown;
  maxSockets?: number;
  maxTotalSockets?: number;
  addRequest?: unknown;
}

const isAgent = (agent: unknown): agent is AgentLike =>
  !!agent && typeof agent === 'object' && typeof (agent as AgentLike).addRequest === 'function';

const isBounded = (agent: AgentLike) => Number.isFinite(agent.maxSockets) || Number.isFinite(agent.maxTotalSockets);

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

/** Per client: the agent its token requests use for each agent of the user's (made once, on first use). */
export function createOwnAgents(): (agent: unknown) => unknown {
  const made = new WeakMap<object, unknown>();
  return (agent) => {
    if (!isAgent(agent) || !isBounded(agent)) return agent;
    if (!made.has(agent)) made.set(agent, sibling(agent) ?? agent);
    return made.get(agent);
  };
}
