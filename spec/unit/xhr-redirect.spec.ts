import axios, { type AxiosRequestConfig } from 'axios';
import { attachTokenRefresh } from '../../lib';

// XHR follows redirects by itself (a browser cannot be told not to): the plugin cannot stop the
// browser from posting the refresh token again, but an answer that came from another origin never
// decides the session (docs/errors.md, "transient or permanent"). The browser's XHR is played here
// by an adapter that reports the final URL the way XHR does, in `request.responseURL`.

function xhrLike(responseURL: string) {
  const sent: string[] = [];
  const adapter = async (config: AxiosRequestConfig) => {
    sent.push(String(config.url));
    return {
      status: 200,
      statusText: 'OK',
      headers: { 'content-type': 'application/json' },
      config,
      request: { responseURL },
      data: JSON.stringify({ data: { refreshToken: { accessToken: 'issued-by-whoever-answered', expiresIn: 3600 } } }),
    };
  };
  return { adapter, sent };
}

const TOKENS = { accessToken: 'access-token-0123456789', refreshToken: 'refresh-token-0123456789' };

describe('attachTokenRefresh(instance).refresh() through an adapter that follows redirects (XHR)', () => {
  it('refuses an answer that came from another origin: TokenRefreshError REFRESH_MISCONFIGURED, tokens kept', async () => {
    const { adapter } = xhrLike('https://other.example/graphql');
    const api = axios.create({ baseURL: 'https://api.example/graphql', adapter: adapter as never });
    const auth = attachTokenRefresh(api, { tokens: TOKENS });

    const error = await auth.refresh().catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'TokenRefreshError', code: 'REFRESH_MISCONFIGURED' });
    expect((error as Error).message).toContain('answered HTTP 200, a redirect to https://other.example');
    expect(await auth.getTokens()).toMatchObject(TOKENS);
  });

  it('takes an answer from the endpoint itself', async () => {
    const { adapter } = xhrLike('https://api.example/graphql');
    const api = axios.create({ baseURL: 'https://api.example/graphql', adapter: adapter as never });
    const auth = attachTokenRefresh(api, { tokens: TOKENS });

    await expect(auth.refresh()).resolves.toMatchObject({ accessToken: 'issued-by-whoever-answered' });
  });
});
