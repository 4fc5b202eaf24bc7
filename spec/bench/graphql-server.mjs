// The bench's graphql-js server: the same schema, tokens and IPC as the lean one (server.mjs,
// server-core.mjs), served by graphql-yoga 5 on graphql-js 16, so every request is parsed,
// validated and executed as on a production GraphQL server (an Apollo Server is the same graphql-js
// underneath). An expired or revoked token fails `students` with UNAUTHENTICATED at HTTP 200, as
// NextSchool does; `refreshToken` takes the refresh token as a variable or as an inline literal
// (the NextSchool docs' pattern pastes it into the document).
import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { issue, live, STUDENTS, serve, state } from './server-core.mjs';

const typeDefs = /* GraphQL */ `
  type Student { id: Int!, fullName: String! }
  type RefreshPayload { accessToken: String!, expiresIn: Int! }
  type Query { students(limit: Int = 20, offset: Int = 0): [Student] }
  type Mutation { refreshToken(refreshToken: String!): RefreshPayload }
`;

const resolvers = {
  Query: {
    students(_, { limit }, { token }) {
      if (!live(token)) {
        state.stats.unauthenticated++;
        throw new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED' } });
      }
      state.stats.answered++;
      return STUDENTS.slice(0, Math.max(0, limit ?? 20));
    },
  },
  Mutation: {
    refreshToken(_, { refreshToken }) {
      state.stats.refreshes++;
      if (!state.refresh.has(refreshToken)) throw new GraphQLError('Invalid or expired refresh token');
      const { accessToken, expiresIn } = issue();
      return { accessToken, expiresIn };
    },
  },
};

const yoga = createYoga({
  schema: createSchema({ typeDefs, resolvers }),
  graphqlEndpoint: '/graphql',
  logging: false,
  maskedErrors: false,
  landingPage: false,
  graphiql: false,
  context: ({ request }) => ({ token: request.headers.get('authorization')?.replace(/^Bearer\s+/i, '') || undefined }),
});

serve(yoga, '/graphql');
