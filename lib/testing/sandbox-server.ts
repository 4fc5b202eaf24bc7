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
  { username: 'demo', password: 'demo-password', school: 'โรงเรียนสาธิตนครขอนแก่น' },
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
    schoolOf: (context) => (context.userIndex === undefined ? undefined : users[context.userIndex]?.school ?? null),
  };
}

async function listen(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Starts a local NextSchool-compatible GraphQL server: the documented schema subset (`login`,
 * `refreshToken`, `logout`, `students`, `student`, `teachers`, `teacher`) with Thai sample data,
 * and the documented behaviour — `UNAUTHENTICATED` at HTTP 200 with `locations`/`path`, "Invalid
 * credentials", "Invalid or expired refresh token", `FORBIDDEN` for a user without a school, and the
 * three rate-limit layers. CORS is answered by default, so a web app can call it. For your own tests,
 * the demo, and trying things offline.
 *
 * Requires the optional peer dependency `graphql` (16.x).
 *
 * @example
 * ```ts
 * import { startSandboxServer } from 'axios-graphql-refresh/testing';
 * import { createNextSchoolClient } from 'axios-graphql-refresh';
 *
 * const sandbox = await startSandboxServer({ accessTtlMs: 2_000, rateLimits: false });
 * const ns = createNextSchoolClient({ url: sandbox.url, username: sandbox.username, password: sandbox.password });
 * console.log(await ns.students({ limit: 3 }));
 * await sandbox.close();
 * ```
 */
export async function startSandboxServer(options: SandboxOptions = {}): Promise<SandboxServer> {
  const users = options.users?.length ? options.users : DEFAULT_USERS;
  const rotate = options.rotateRefreshTokens ?? false;
  const auth = createSandboxAuth({
    users,
    rotate,
    accessTtlMs: options.accessTtlMs ?? 900_000,
    refreshTtlMs: options.refreshTtlMs ?? 7 * 24 * 3600_000,
  });
  const limits = createSandboxLimits(options.rateLimits);
  const stats: SandboxStats = { requests: 0, logins: 0, refreshes: 0, unauthenticated: 0, rateLimited: 0, faults: 0, preflights: 0 };
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
