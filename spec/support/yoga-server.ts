import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';

// A second real GraphQL server for the integration tests: graphql-yoga 5 on node:http,
// with yoga's own habits — validation errors at HTTP 400, `application/graphql-response+json`,
// and the HTTP status of an answer taken from `extensions.http.status` of a thrown GraphQLError.
// It issues NextSchool-shaped tokens (the `refreshToken` mutation) and records what it received.
// Not folded into graphql-server.ts, the suites' one fake server: what it is for is yoga's own
// behaviour, which a fake would only imitate.

export interface YogaKnobs {
  /** HTTP status of an UNAUTHENTICATED answer: 401 through `extensions.http.status`, or yoga's default 200. */
  authStatus: 200 | 401;
  /** Reject an expired token before execution (request level, no `path`) instead of in the resolver. */
  requestLevel: boolean;
  /** `audit` fails UNAUTHENTICATED at its own path (the token "expired" after `createOrder` ran). */
  auditFails: boolean;
  /** When false, no access token is accepted (a replay meets the same rejection). */
  acceptTokens: boolean;
}

export interface YogaReceived {
  operationName?: string;
  authorization?: string;
}

export interface YogaTestServer {
  url: string;
  received: YogaReceived[];
  stats: { refreshes: number; ordersCreated: number; audits: number };
  issueTokens(): { accessToken: string; refreshToken: string };
  expireAccessTokens(): void;
  set(knobs: Partial<YogaKnobs>): void;
  close(): Promise<void>;
}

const typeDefs = /* GraphQL */ `
  type Student { id: Int!, fullName: String! }
  type Order { id: Int! }
  type RefreshPayload { accessToken: String, expiresIn: Int }
  type Query { students: [Student!]! }
  type Mutation {
    refreshToken(refreshToken: String!): RefreshPayload
    createOrder(id: Int!): Order!
    audit(id: Int!): Boolean!
  }
`;

export async function startYogaServer(initial: Partial<YogaKnobs> = {}): Promise<YogaTestServer> {
  const knobs: YogaKnobs = { authStatus: 200, requestLevel: false, auditFails: false, acceptTokens: true, ...initial };
  let serial = 0;
  let epoch = 0;
  const access = new Map<string, number>();
  const refreshTokens = new Set<string>();
  const received: YogaReceived[] = [];
  const stats = { refreshes: 0, ordersCreated: 0, audits: 0 };

  const issueTokens = () => {
    const accessToken = `yoga-at-${++serial}`;
    const refreshToken = `yoga-rt-${++serial}`;
    access.set(accessToken, epoch);
    refreshTokens.add(refreshToken);
    return { accessToken, refreshToken };
  };
  const unauthenticated = () =>
    new GraphQLError('Authentication required', {
      extensions: { code: 'UNAUTHENTICATED', ...(knobs.authStatus === 401 ? { http: { status: 401 } } : {}) },
    });

  type Context = { token?: string };
  const tokenOf = (request: Request) => request.headers.get('authorization')?.replace(/^Bearer\s+/i, '') || undefined;
  const valid = (token: string | undefined) => knobs.acceptTokens && !!token && access.get(token) === epoch;
  const authenticate = (ctx: Context) => {
    if (!valid(ctx.token)) throw unauthenticated();
  };

  const yoga = createYoga<object, Context>({
    logging: false,
    maskedErrors: false,
    schema: createSchema<Context>({
      typeDefs,
      resolvers: {
        Query: {
          students: (_: unknown, __: unknown, ctx: Context) => {
            authenticate(ctx);
            return [{ id: 1, fullName: 'Somchai Jaidee' }];
          },
        },
        Mutation: {
          refreshToken: (_: unknown, args: { refreshToken: string }) => {
            stats.refreshes++;
            if (!refreshTokens.has(args.refreshToken)) throw new GraphQLError('Invalid or expired refresh token');
            const { accessToken } = issueTokens();
            return { accessToken, expiresIn: 900 };
          },
          createOrder: (_: unknown, args: { id: number }, ctx: Context) => {
            authenticate(ctx);
            stats.ordersCreated++;
            return { id: args.id };
          },
          audit: (_: unknown, __: unknown, ctx: Context) => {
            if (knobs.auditFails) throw unauthenticated();
            authenticate(ctx);
            stats.audits++;
            return true;
          },
        },
      },
    }),
    plugins: [
      {
        // Before validation: requests that fail it are recorded too.
        onParams({ params, request }) {
          received.push({ operationName: params.operationName ?? undefined, authorization: tokenOf(request) });
        },
      },
    ],
    context: ({ request, params }) => {
      const token = tokenOf(request);
      // Request level: rejected before execution, so the error has no `path`.
      if (knobs.requestLevel && params.operationName !== 'RefreshToken' && !valid(token)) throw unauthenticated();
      return { token };
    },
  });

  const server = http.createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    received,
    stats,
    issueTokens,
    expireAccessTokens: () => void epoch++,
    set: (next) => Object.assign(knobs, next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
