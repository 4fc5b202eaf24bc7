// A single-page app's session, from login to logout. docs/browser.md quotes this file (with the
// package's import paths); the Chromium tests (spec/browser) run it in several tabs at once against
// the sandbox. spec/browser/docs.spec.ts keeps the two identical.
import axios from 'axios';
import { BrowserTokenStore } from '../../../lib/browser/index';
import { isSessionExpiredError } from '../../../lib/index';
import { createNextSchoolClient, type NextSchoolClient, type Student } from '../../../lib/nextschool';

export interface AppSessionOptions {
  /** The GraphQL endpoint (another origin than the page: the server must answer CORS). */
  apiUrl: string;
  /** `'fetch'` to use axios' fetch adapter instead of XMLHttpRequest. */
  adapter?: 'xhr' | 'fetch';
  /** The server issues a new refresh token on every refresh. */
  rotatingRefreshTokens?: boolean;
  /** Called once when the session ends, in this tab or in any other tab of the origin. */
  onSignedOut: () => void;
  /** For the tests of a hung tab: how long to wait for another tab's refresh lock. */
  lockTimeoutMs?: number;
  /** For the tests of a hung tab: how long a refresh may wait for its answer. */
  refreshTimeoutMs?: number;
}

// One client per app (not per component, not per render): the store, the lock and the refresh
// state live in it.
export function createAppSession(options: AppSessionOptions): NextSchoolClient {
  return createNextSchoolClient({
    url: options.apiUrl,
    axios: axios.create({ baseURL: options.apiUrl, adapter: options.adapter ?? 'xhr' }),
    // Shared by every tab of the origin: one refresh across tabs, and a logout in one tab signs
    // them all out.
    tokens: new BrowserTokenStore({ lockTimeoutMs: options.lockTimeoutMs }),
    rotatingRefreshTokens: options.rotatingRefreshTokens,
    refreshTimeoutMs: options.refreshTimeoutMs,
    onSessionExpired: () => options.onSignedOut(),
  });
}

// Login form: the tokens go to IndexedDB and every open tab uses them at once.
export async function signIn(ns: NextSchoolClient, username: string, password: string): Promise<void> {
  await ns.login(username, password);
}

// Any data call: a SessionExpiredError means "show the login form", nothing else to do.
export async function loadStudents(ns: NextSchoolClient): Promise<Array<Student | null> | 'signed-out'> {
  try {
    return await ns.students({ limit: 1 });
  } catch (error) {
    if (isSessionExpiredError(error)) return 'signed-out';
    throw error;
  }
}

// Logout button: clears the store; every other tab hears it and ends its session too.
export async function signOut(ns: NextSchoolClient): Promise<void> {
  await ns.logout();
}
