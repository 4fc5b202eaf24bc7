import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GraphQLError } from 'graphql';
import { createSandboxAuth, type SandboxAuth } from './auth';
import { createFaultPicker } from './faults';
import { createHttpHandler } from './http-handler';
import { createSandboxLimits, type SandboxLimits } from './rate-limits';
import type { SandboxOptions, SandboxServer, SandboxStats, SandboxUser } from './sandbox-options';
import { buildSandboxSchema, type SchemaHooks } from './schema';

// Wires the sandbox together: sessions and tokens (auth.ts), limits (rate-limits.ts), the schema
// and its data (schema.ts, data.ts), the HTTP layer (http-handler.ts). See docs/testing.md.

const DEFAULT_USERS: SandboxUser[] = [
  { username: 'demo', password: 'demo-password', school: 'โรงเรียนสาธิตนครขอนแก่น', name: 'บัญชีทดสอบ API', email: 'api@school.ac.th' },
  { username: 'noschool', password: 'noschool-password', school: null },
];

/** The schema's view of authentication: GraphQL errors with the documented messages, and the counters. */
function authHooks(auth: SandboxAuth, limits: SandboxLimits, users: SandboxUser[], stats: SandboxStats, rotate: boolean): SchemaHooks {
  return {
    rotate,
    login(username, password, context) {
      stats.logins++;
      const limited = limits?.login(context.ip);
      if (limited) {
        context.rateLimited = true;
        throw new GraphQLError(limited.message, { extensions: limited.extensions });
      }
      const payload = auth.login(username, password);
      if (!payload) throw new GraphQLError('Invalid credentials');
      return payload;
    },
    refresh(token) {
      stats.refreshes++;
      const payload = auth.refresh(token);
      if (!payload) throw new GraphQLError('Invalid or expired refresh token');
      return payload;
    },
    logout(context) {
      if (context.claims?.sid) auth.logout(context.claims.sid);
      return true;
    },
    schoolOf: (context) => (context.userIndex === undefined ? undefined : (users[context.userIndex]?.school ?? null)),
  };
}

async function listen(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** The sandbox itself; loaded by {@link startSandboxServer} once `graphql` is known to be installed. */
export async function createSandboxServer(options: SandboxOptions = {}): Promise<SandboxServer> {
  const users = options.users?.length ? options.users : DEFAULT_USERS;
  const rotate = options.rotateRefreshTokens ?? false;
  const auth = createSandboxAuth({
    users,
    rotate,
    accessTtlMs: options.accessTtlMs ?? 900_000,
    refreshTtlMs: options.refreshTtlMs ?? 7 * 24 * 3600_000,
    reuseDetection: rotate && (options.refreshReuseDetection ?? false),
    onReuse: () => stats.reusedRefreshTokens++,
  });
  const limits = createSandboxLimits(options.rateLimits);
  const stats: SandboxStats = {
    requests: 0,
    logins: 0,
    refreshes: 0,
    unauthenticated: 0,
    rateLimited: 0,
    faults: 0,
    preflights: 0,
    reusedRefreshTokens: 0,
  };
  const schema = buildSandboxSchema(authHooks(auth, limits, users, stats, rotate));
  const server = http.createServer(
    createHttpHandler({
      schema,
      auth,
      limits,
      stats,
      pickFault: createFaultPicker(options.faults),
      cors: options.cors ?? true,
      latencyMs: options.latencyMs ?? 0,
    }),
  );
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server, options.port ?? 0);

  return {
    url: `http://127.0.0.1:${port}/`,
    username: users[0]!.username,
    password: users[0]!.password,
    stats,
    expireAccessTokens: () => auth.expireAccessTokens(),
    revokeRefreshTokens: () => auth.revokeRefreshTokens(),
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
