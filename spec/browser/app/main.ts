// The test glue around the app (./session.ts): what the Chromium tests drive through `window.app`.
import axios from 'axios';
import { BrowserTokenStore } from '../../../lib/browser/index';
import { attachTokenRefresh, createGraphQLClient, type GraphQLClient, gql } from '../../../lib/index';
import type { NextSchoolClient } from '../../../lib/nextschool';
import { type AppSessionOptions, createAppSession, loadStudents, signIn, signOut } from './session';

export interface BurstResult {
  ok: number;
  signedOut: number;
  /** `name: message` of every other failure (never a token: the library's errors carry none). */
  failures: string[];
}

const api = new URL(location.href).searchParams.get('api') ?? '';
let ns: NextSchoolClient | undefined;
let signedOut = 0;
let onSignedOut: Array<() => void> = [];
const signedOutHere = () => {
  signedOut++;
  for (const wake of onSignedOut) wake();
  onSignedOut = [];
};
const client = () => ns ?? (ns = createAppSession({ apiUrl: api, onSignedOut: signedOutHere }));

const STUDENTS = gql`query Students($limit: Int, $offset: Int) { students(limit: $limit, offset: $offset) { id } }`;
let plainClient: GraphQLClient | undefined;
let plainAuth: ReturnType<typeof attachTokenRefresh> | undefined;

/** A plain attachment beside the app's preset: no rate limit, no shared store, the tokens given or those the app signed in with. */
const plain = {
  async start(
    adapter: 'xhr' | 'fetch' | undefined,
    given?: { accessToken: string; refreshToken: string },
    instanceOptions: { withXSRFToken?: boolean } = {},
  ): Promise<void> {
    const tokens = given ?? (await client().auth.getTokens());
    const instance = axios.create({ baseURL: api, adapter, ...instanceOptions });
    plainAuth = attachTokenRefresh(instance, { url: api, tokens: tokens ?? undefined, retry: false });
    plainClient = createGraphQLClient(instance);
  },
  /**
   * The protocol the browser reports for the API's answers (Resource Timing), once an observer made
   * now has heard of one: observers are told in the order they were made, so the library's, made at
   * its first request, has heard of it too.
   */
  protocolSeen(): Promise<string> {
    return new Promise((resolve) => {
      const observer = new PerformanceObserver((list) => {
        const entry = (list.getEntries() as PerformanceResourceTiming[]).find((e) => e.name.startsWith(api) && e.nextHopProtocol);
        if (entry) resolve((observer.disconnect(), entry.nextHopProtocol));
      });
      observer.observe({ type: 'resource', buffered: true });
    });
  },
  /** Requests waiting in the plugin to be handed to the browser now (`stats.waiting`). */
  waiting: () => plainAuth?.stats.waiting ?? 0,
  /** `n` queries at once (each its own variables: none coalesce); how many were answered. */
  async burst(n: number): Promise<number> {
    const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => plainClient!.query(STUDENTS, { limit: 1, offset: i })));
    return outcomes.filter((o) => o.status === 'fulfilled').length;
  },
};

const app = {
  plain,
  start(options: Omit<AppSessionOptions, 'apiUrl' | 'onSignedOut'>): void {
    ns = createAppSession({ ...options, apiUrl: api, onSignedOut: signedOutHere });
  },
  signIn: (username: string, password: string) => signIn(client(), username, password),
  signOut: () => signOut(client()),
  /** How `signIn` ended: `ok`, or the error's name, message and its cause's axios code. */
  async signInOutcome(username: string, password: string): Promise<string> {
    try {
      await signIn(client(), username, password);
      return 'ok';
    } catch (error) {
      const { name, message, cause } = error as Error & { cause?: { code?: string } };
      return `${name}: ${message} (cause: ${cause?.code})`;
    }
  },
  /** `n` requests at once; how each ended. */
  async burst(n: number): Promise<BurstResult> {
    const outcomes = await Promise.allSettled(Array.from({ length: n }, () => loadStudents(client())));
    const result: BurstResult = { ok: 0, signedOut: 0, failures: [] };
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') result.failures.push(`${outcome.reason?.name}: ${outcome.reason?.message}`);
      else if (outcome.value === 'signed-out') result.signedOut++;
      else if (outcome.value.length === 1) result.ok++;
      else result.failures.push('an empty answer');
    }
    return result;
  },
  signedOutCount: () => signedOut,
  /** Resolves once this tab's `onSessionExpired` has fired `times` times in all (or after `ms`). */
  async untilSignedOut(times: number, ms: number): Promise<number> {
    while (signedOut < times) {
      const before = signedOut;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        onSignedOut.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (signedOut === before) break; // timed out
    }
    return signedOut;
  },
  /**
   * Makes the stored access token's expiry known to have passed (the stored `expiresAt` moves into
   * the past), then waits until this tab reads it so. The server still accepts the token: only the
   * client knows it is due, as when the clock passes `expiresAt`.
   */
  async expireStoredToken(): Promise<void> {
    const store = new BrowserTokenStore();
    const tokens = await store.get();
    if (tokens) await store.set({ ...tokens, expiresAt: Date.now() - 1 });
    store.close();
  },
  async untilStoredTokenExpired(ms: number): Promise<boolean> {
    const giveUpAt = Date.now() + ms;
    for (;;) {
      const tokens = await client().auth.getTokens();
      if (tokens && typeof tokens.expiresAt === 'number' && tokens.expiresAt <= Date.now()) return true;
      if (Date.now() >= giveUpAt) return false;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  },
  /**
   * Takes the refresh lock and never lets go (a tab that hangs, or is closed, mid-refresh), with the
   * app's timings: a hung holder is taken over by the others after them.
   */
  holdLock(timing: { lockTimeoutMs?: number; refreshTimeoutMs?: number } = {}): Promise<void> {
    const store = new BrowserTokenStore({ lockTimeoutMs: timing.lockTimeoutMs });
    return new Promise((held) => {
      void store.lock(
        () => {
          held();
          return new Promise<never>(() => {});
        },
        { refreshTimeoutMs: timing.refreshTimeoutMs },
      );
    });
  },
  /** How many requests for the refresh lock wait in this origin (navigator.locks.query). */
  async lockWaiters(): Promise<number> {
    const { pending = [] } = await navigator.locks.query();
    return pending.length;
  },
};

declare global {
  interface Window {
    app: typeof app;
  }
}
window.app = app;
