'use strict';
// BEFORE: axios-auth-refresh 5 on the NextSchool Data API.
const axios = require('axios');
const { createAuthRefresh } = require('axios-auth-refresh');

const LOGIN = 'mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken expiresIn } }';
const REFRESH = 'mutation Refresh($t: String!) { refreshToken(refreshToken: $t) { accessToken expiresIn } }';

function createApi({ url, username, password }) {
  const api = axios.create({ baseURL: url });
  let tokens; // { accessToken, refreshToken }

  async function login() {
    const { data: body } = await axios.post(url, { query: LOGIN, variables: { u: username, p: password } });
    if (!body.data?.login) throw new Error(body.errors?.[0]?.message ?? 'Login failed');
    tokens = body.data.login;
  }

  // 1. Attach the token yourself (read at send time, so requests stalled during a refresh get the new one).
  api.interceptors.request.use((config) => {
    config.headers.Authorization = `Bearer ${tokens.accessToken}`;
    return config;
  });

  // 2. NextSchool answers an expired token with HTTP 200 + UNAUTHENTICATED: axios-auth-refresh only
  //    sees rejected responses, so turn that answer into an error first.
  api.interceptors.response.use((response) => {
    if (response.data?.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
      throw new axios.AxiosError('UNAUTHENTICATED', 'ERR_UNAUTHENTICATED', response.config, response.request, response);
    }
    return response;
  });

  // 3. Refresh on that error; axios-auth-refresh then sends the failed request again.
  createAuthRefresh(
    api,
    async () => {
      const { data: body } = await axios.post(url, { query: REFRESH, variables: { t: tokens.refreshToken } });
      if (!body.data?.refreshToken) throw new Error('Refresh failed'); // and now? log in again yourself
      tokens = { ...tokens, accessToken: body.data.refreshToken.accessToken };
    },
    { shouldRefresh: (error) => error.code === 'ERR_UNAUTHENTICATED' },
  );

  return { api, login };
}

module.exports = { createApi };
