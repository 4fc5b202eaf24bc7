// The four clients compared by the benchmarks, each in its best configuration for this API.
import http from 'node:http';
import axios from 'axios';
import createAuthRefresh from 'axios-auth-refresh';
import { attachTokenRefresh, createGraphQLClient, gql } from '../../dist/index.mjs';

export const STUDENTS = gql`query Students($limit: Int, $offset: Int) { students(limit: $limit, offset: $offset) { id fullName } }`;
export const REFRESH =
  'mutation RefreshToken($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken expiresIn } }';

/**
 * Same socket pool for every client: fair, and within any file-descriptor limit (128 sockets unless
 * `options.maxSockets` bounds it, as the bounded-pool scenario does). Closed by `closeClients()`.
 */
const agents = new Set();
const agent = (maxSockets = 128) => {
  const a = new http.Agent({ keepAlive: true, maxSockets });
  agents.add(a);
  return a;
};
/** Closes every socket the clients opened, so one run's connections never slow the next. */
export function closeClients() {
  for (const a of agents) a.destroy();
  agents.clear();
}

export const isUnauthenticated = (data) =>
  Array.isArray(data?.errors) && data.errors.some((e) => e?.extensions?.code === 'UNAUTHENTICATED');
const dataOrThrow = (data) => {
  if (data?.errors?.length)
    throw Object.assign(new Error(data.errors[0].message), { code: data.errors[0].extensions?.code ?? 'GRAPHQL_ERROR' });
  return data.data;
};

/** axios-graphql-refresh. `tokens` may carry a known expiry. */
export function ours(url, tokens, options = {}) {
  const api = axios.create({ baseURL: url, httpAgent: agent(options.maxSockets), adapter: options.adapter });
  const auth = attachTokenRefresh(api, { tokens, retry: false, ...options.plugin });
  const client = createGraphQLClient(api);
  return { name: 'axios-graphql-refresh', query: (variables) => client.query(STUDENTS, variables), stats: () => auth.stats, auth, api };
}

/**
 * axios-graphql-refresh's plugin alone: `attachTokenRefresh` on an instance queried exactly as bare
 * axios is (`api.post` and a check of `errors`), without its GraphQL client, so the plugin's own
 * per-request cost shows apart from the client's (benchmark overhead rows; not a target).
 */
export function oursPlugin(url, tokens, options = {}) {
  const api = axios.create({ baseURL: url, httpAgent: agent(), adapter: options.adapter });
  const auth = attachTokenRefresh(api, { tokens, retry: false, ...options.plugin });
  return {
    name: 'axios-graphql-refresh, plugin only',
    query: async (variables) => dataOrThrow((await api.post('', { query: STUDENTS.source, variables })).data),
    stats: () => auth.stats,
    auth,
    api,
  };
}

/**
 * axios-auth-refresh, given what it needs to work with this API: a request interceptor that attaches
 * the current token, a response interceptor (registered first) that turns a 200 UNAUTHENTICATED
 * body into a 401 error, and a refresh call. `deduplicateRefresh: false` is its best setting here:
 * with `true` it rejects every request that fails while a refresh runs (see docs/benchmarks.md).
 */
export function axiosAuthRefresh(url, tokens, options = {}) {
  let { accessToken } = tokens;
  const api = axios.create({ baseURL: url, httpAgent: agent(options.maxSockets), adapter: options.adapter });
  const plain = axios.create({ baseURL: url, httpAgent: agent(), adapter: options.adapter });
  api.interceptors.request.use((config) => {
    config.headers.Authorization = `Bearer ${accessToken}`;
    return config;
  });
  api.interceptors.response.use((response) => {
    if (!isUnauthenticated(response.data)) return response;
    const error = new axios.AxiosError('UNAUTHENTICATED', 'ERR_BAD_RESPONSE', response.config, response.request, {
      ...response,
      status: 401,
    });
    return Promise.reject(error);
  });
  createAuthRefresh(
    api,
    async () => {
      const { data } = await plain.post('', { query: REFRESH, variables: { refreshToken: tokens.refreshToken } });
      accessToken = data.data.refreshToken.accessToken;
    },
    { statusCodes: [401], deduplicateRefresh: options.deduplicateRefresh ?? false },
  );
  return {
    name: 'axios-auth-refresh',
    query: async (variables) => dataOrThrow((await api.post('', { query: STUDENTS.source, variables })).data),
    api,
  };
}

/** The per-request pattern of the NextSchool docs' examples: refresh on every failure, token pasted into the document. */
export function docsPattern(url, tokens, options = {}) {
  let { accessToken } = tokens;
  const http1 = axios.create({ baseURL: url, httpAgent: agent(), adapter: options.adapter });
  return {
    name: 'NextSchool docs pattern',
    async query(variables) {
      const send = () => http1.post('', { query: STUDENTS.source, variables }, { headers: { Authorization: `Bearer ${accessToken}` } });
      let { data } = await send();
      if (isUnauthenticated(data)) {
        const refreshed = await http1.post('', {
          query: `mutation { refreshToken(refreshToken: "${tokens.refreshToken}") { accessToken expiresIn } }`,
        });
        accessToken = refreshed.data.data.refreshToken.accessToken;
        ({ data } = await send());
      }
      return dataOrThrow(data);
    },
    api: http1,
  };
}

/** Bare axios with a fixed token and no refresh logic: the floor. */
export function bare(url, tokens, options = {}) {
  const api = axios.create({
    baseURL: url,
    httpAgent: agent(),
    adapter: options.adapter,
    headers: { Authorization: `Bearer ${tokens.accessToken}` },
  });
  return {
    name: 'bare axios (no refresh)',
    query: async (variables) => dataOrThrow((await api.post('', { query: STUDENTS.source, variables })).data),
    api,
  };
}

export const CLIENTS = { ours, oursPlugin, axiosAuthRefresh, docsPattern, bare };
