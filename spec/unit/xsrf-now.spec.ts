import type { AxiosRequestConfig } from 'axios';
import { withXsrfNow } from '../../lib/transport/xsrf-now';

// Which refresh and login requests get their XSRF header from the plugin, read at once
// (lib/transport/xsrf-now.ts); spec/browser/refresh-xsrf.browser.ts runs it in Chromium. Here a page
// is stood in for by `document` and `location` on globalThis.

const PAGE = 'https://app.example.test';
const NAMES = { xsrfCookieName: 'XSRF-TOKEN', xsrfHeaderName: 'X-XSRF-TOKEN' };
const globals = globalThis as { document?: unknown; location?: unknown };

/** A page on PAGE whose `document.cookie` reads `cookie` (or throws it, when it is an Error). */
function inPage(cookie: string | Error): void {
  globals.document = {
    baseURI: `${PAGE}/app/`,
    get cookie() {
      if (cookie instanceof Error) throw cookie;
      return cookie;
    },
  };
  globals.location = { origin: PAGE };
}

afterEach(() => {
  delete globals.document;
  delete globals.location;
});

const config = (extra: Record<string, unknown> = {}): AxiosRequestConfig =>
  ({ ...NAMES, headers: { 'Content-Type': 'application/json' }, ...extra }) as AxiosRequestConfig;

describe('withXsrfNow', () => {
  it('outside a page (Node): the config as it is', () => {
    const given = config();
    expect(withXsrfNow(given, `${PAGE}/graphql`)).toBe(given);
  });

  it.each([
    ['an absolute URL', `${PAGE}/graphql`],
    ['a URL relative to the page', '../graphql'],
  ])('on the page’s origin (%s): the header with the decoded cookie, and no cookie left for axios to read', (_, url) => {
    inPage('other=1; XSRF-TOKEN=x%20y; MY-XSRF-TOKEN=no');
    const next = withXsrfNow(config(), url);
    expect(next.headers).toEqual({ 'Content-Type': 'application/json', 'X-XSRF-TOKEN': 'x y' });
    expect(next.xsrfCookieName).toBeNull();
  });

  it('a cookie that is not valid URI encoding is sent as it is, as axios does', () => {
    inPage('XSRF-TOKEN=50%');
    expect(withXsrfNow(config(), `${PAGE}/graphql`).headers).toMatchObject({ 'X-XSRF-TOKEN': '50%' });
  });

  it('no such cookie (or an empty one): no header, and nothing for axios to read either', () => {
    inPage('MY-XSRF-TOKEN=no; XSRF-TOKEN=');
    const next = withXsrfNow(config(), `${PAGE}/graphql`);
    expect(next.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(next.xsrfCookieName).toBeNull();
  });

  it.each([
    ['another origin', {}, 'https://api.example.test/graphql'],
    ['withXSRFToken: true', { withXSRFToken: true }, `${PAGE}/graphql`],
    ['withXSRFToken: false', { withXSRFToken: false }, `${PAGE}/graphql`],
    ['withXSRFToken as a function', { withXSRFToken: () => true }, `${PAGE}/graphql`],
    ['no cookie name', { xsrfCookieName: undefined }, `${PAGE}/graphql`],
    ['no header name', { xsrfHeaderName: '' }, `${PAGE}/graphql`],
  ])('%s: left to axios, the config as it is', (_, extra, url) => {
    inPage('XSRF-TOKEN=x');
    const given = config(extra);
    expect(withXsrfNow(given, url)).toBe(given);
  });

  it('a page whose cookies cannot be read (a sandboxed frame throws): left to axios', () => {
    inPage(new Error('SecurityError'));
    const given = config();
    expect(withXsrfNow(given, `${PAGE}/graphql`)).toBe(given);
  });
});
