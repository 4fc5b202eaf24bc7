import net from 'node:net';

// A TCP proxy in front of a test redis-server: `cut()` is a network partition (every connection
// through it drops, new ones are refused until `restore()`), while Redis itself loses nothing.

export interface TcpProxy {
  port: number;
  /** Drops every connection and refuses new ones. */
  cut(): void;
  restore(): void;
  /** From now on Redis' replies are held back (they reach no client); what clients send still arrives. */
  holdReplies(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let partitioned = false;
  let holding = false;
  const pairs = new Set<net.Socket>();
  const upstreams = new Map<net.Socket, net.Socket>();
  const hold = (upstream: net.Socket, client: net.Socket) => {
    upstream.unpipe(client);
    upstream.pause();
  };
  const server = net.createServer((client) => {
    if (partitioned) return void client.destroy();
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      pairs.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        pairs.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
    upstreams.set(upstream, client);
    upstream.on('close', () => upstreams.delete(upstream));
    if (holding) hold(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      partitioned = true;
      for (const socket of pairs) socket.destroy();
    },
    restore() {
      partitioned = false;
    },
    holdReplies() {
      holding = true;
      for (const [upstream, client] of upstreams) hold(upstream, client);
    },
    close() {
      for (const socket of pairs) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
