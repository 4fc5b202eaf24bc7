'use strict';
// AFTER: axios-graphql-refresh on the same axios instance.
const axios = require('axios');
const { attachTokenRefresh, LoginError } = require('axios-graphql-refresh');

const LOGIN = 'mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken expiresIn } }';

function createApi({ url, username, password }) {
  const api = axios.create({ baseURL: url });

  // Replaces 1, 2 and 3: the token is attached (to this API's origin only), UNAUTHENTICATED is found
  // in any answer whatever its HTTP status, and the refresh is NextSchool's mutation by default.
  const auth = attachTokenRefresh(api, {
    // Used when there is no token yet, and when the refresh token is rejected (7 days on NextSchool).
    login: async ({ signal }) => {
      const { data: body } = await axios.post(url, { query: LOGIN, variables: { u: username, p: password } }, { signal });
      if (!body.data?.login) throw new LoginError(body.errors?.[0]?.message ?? 'Login failed'); // never retried on its own
      return body.data.login; // { accessToken, refreshToken, expiresIn }: the expiry is known, refreshed ahead of time
    },
  });

  return { api, login: () => auth.login() };
}

module.exports = { createApi };
