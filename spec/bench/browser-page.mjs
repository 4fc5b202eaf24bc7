// The browser scenario's page (bundled by esbuild in browser.mjs, served by the lean bench server on
// the API's own origin): this library's browser build on axios, as a front-end build gets them. The
// bench drives it through `window.bench`. Every request, the refresh included, goes through the
// browser's own connection pool (6 connections per host over HTTP/1.1).
import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, gql } from '../../dist/browser-esm/index.mjs';

const STUDENTS = gql`query Students($limit: Int, $offset: Int) { students(limit: $limit, offset: $offset) { id fullName } }`;
const isRefresh = (body) => typeof body === 'string' && body.includes('refreshToken(');

// What the page sees at the transport, whichever the library uses (XMLHttpRequest or fetch): when
// the first UNAUTHENTICATED answer arrives, and when the refresh request is handed to the browser and
// answered. Reset by each herd.
let marks = {};
const answered = (text, refresh) => {
  const now = performance.now();
  if (refresh) marks.refreshAnswered ??= now;
  else if (text.includes('"UNAUTHENTICATED"')) marks.firstUnauthenticated ??= now;
};
const send = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.send = function (body) {
  const refresh = isRefresh(body);
  if (refresh) marks.refreshSent ??= performance.now();
  this.addEventListener('load', () => answered(typeof this.response === 'string' ? this.response : this.responseText, refresh));
  return send.call(this, body);
};
const fetch = window.fetch;
window.fetch = async (input, init) => {
  const refresh = isRefresh(init?.body);
  if (refresh) marks.refreshSent ??= performance.now();
  const response = await fetch(input, init);
  answered(await response.clone().text(), refresh);
  return response;
};

let client;
window.bench = {
  /** A new client on these tokens (a known expiry 15 minutes away: the expiry is unknown to it); `options`: more plugin options. */
  start(tokens, options = {}) {
    const api = axios.create({ baseURL: `${location.origin}/` });
    attachTokenRefresh(api, {
      ...options,
      tokens,
      retry: false,
      onRefresh: () => {
        marks.refreshed ??= performance.now();
      },
    });
    client = createGraphQLClient(api);
  },
  /** `n` valid queries at once: the browser's connections open, as in a page that has been working. */
  async warm(n) {
    await Promise.all(Array.from({ length: n }, (_, i) => client.query(STUDENTS, { limit: 1, offset: i })));
  },
  /**
   * The browser's own cost of reading answers that arrive together: `k` bare XHRs (no axios, no
   * library) sent at once with `token`; when the page read each answer, in ms after the first.
   */
  async bareAnswers(k, token) {
    const body = JSON.stringify({ query: STUDENTS.source, variables: { limit: 2, offset: 0 } });
    const one = () =>
      new Promise((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', '/');
        xhr.setRequestHeader('Content-Type', 'application/json');
        xhr.setRequestHeader('Authorization', `Bearer ${token}`);
        xhr.onloadend = () => resolve(performance.now());
        send.call(xhr, body); // XMLHttpRequest's own send, not the page's timing hook above
      });
    const read = (await Promise.all(Array.from({ length: k }, one))).sort((a, b) => a - b);
    return read.map((at) => at - read[0]);
  },
  /** `n` queries at once (each with its own variables); how they ended and when the refresh ran. */
  async herd(n) {
    marks = {};
    const started = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => client.query(STUDENTS, { limit: 2, offset: i })));
    return {
      answered: outcomes.filter((o) => o.status === 'fulfilled' && o.value?.students?.length === 2).length,
      wallMs: performance.now() - started,
      // From the first UNAUTHENTICATED answer reaching the page to the new tokens (onRefresh).
      refreshMs: marks.refreshed - marks.firstUnauthenticated,
      // The refresh request alone: handed to the browser → answered (its wait for a connection included).
      refreshRequestMs: marks.refreshAnswered - marks.refreshSent,
      // From the first UNAUTHENTICATED answer to the refresh handed to the browser: the page's own work.
      handedMs: marks.refreshSent - marks.firstUnauthenticated,
    };
  },
};
