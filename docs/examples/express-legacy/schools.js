// One NextSchool account per school: NextSchool scopes all data to the user's school, so a backend
// serving several schools holds one service account for each. Each account gets its own client
// (its own tokens, its own refresh), created on first use and kept for the life of the process.
const { createNextSchoolClient } = require('axios-graphql-refresh/nextschool');

/**
 * @param {object} options
 * @param {Record<string, { username: string, password: string, url?: string }>} options.accounts - school id → its account
 * @param {string} [options.url] - default endpoint (else NEXTSCHOOL_URL, else https://data.nextschool.io/)
 * @param {(school: string) => import('axios-graphql-refresh').TokenStore} [options.tokenStoreFor] - e.g. a RedisTokenStore per school
 * @param {{ debug(message: string, meta?: object): void }} [options.logger] - receives no secret, ever
 * @param {false | object} [options.rateLimit] - default: NextSchool's limits, per account (docs/rate-limits.md); false against a sandbox without limits
 */
function createSchoolClients({ accounts, url, tokenStoreFor, logger, rateLimit }) {
  const clients = new Map();
  return {
    /** The school's client, created on first use; `undefined` for a school without an account. */
    forSchool(school) {
      if (!Object.hasOwn(accounts, school)) return undefined;
      let client = clients.get(school);
      if (!client) {
        const account = accounts[school];
        client = createNextSchoolClient({
          url: account.url || url, // undefined: NEXTSCHOOL_URL from the environment, else the real API
          username: account.username,
          password: account.password,
          // Several processes: one store per account, so one refresh per account per expiry across them.
          tokens: tokenStoreFor ? tokenStoreFor(school) : undefined,
          rateLimit,
          logger: logger && { debug: (message, meta) => logger.debug(message, { school, ...meta }) },
        });
        clients.set(school, client);
      }
      return client;
    },
    schools: () => Object.keys(accounts),
  };
}

/**
 * Accounts from the environment: NEXTSCHOOL_ACCOUNTS is a JSON object
 * `{ "<school>": { "username": "...", "password": "..." }, ... }` (from your secret store).
 * With REDIS_URL set, tokens live in Redis, one key per school, shared by every process.
 */
function createSchoolClientsFromEnv(env, logger) {
  if (!env.NEXTSCHOOL_ACCOUNTS) throw new Error('Set NEXTSCHOOL_ACCOUNTS to {"<school>":{"username":"…","password":"…"}}');
  const accounts = JSON.parse(env.NEXTSCHOOL_ACCOUNTS);
  let tokenStoreFor;
  if (env.REDIS_URL) {
    // Loaded only when used: npm install ioredis.
    const { Redis } = require('ioredis');
    const { RedisTokenStore } = require('axios-graphql-refresh/redis');
    const redis = new Redis(env.REDIS_URL);
    tokenStoreFor = (school) => new RedisTokenStore({ redis, key: `nextschool:tokens:${school}` });
  }
  return createSchoolClients({ accounts, url: env.NEXTSCHOOL_URL, tokenStoreFor, logger });
}

module.exports = { createSchoolClients, createSchoolClientsFromEnv };
