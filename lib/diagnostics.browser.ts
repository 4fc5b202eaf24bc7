// The browser build's diagnostics (docs/observability.md, docs/browser.md "weight"): browsers have
// no `node:diagnostics_channel`, so every publisher is empty and the bundler drops each call and the
// message it would have built. rollup.config.mjs swaps this file in for diagnostics.ts in
// `dist/index.browser.mjs`, the file package.json's `browser` condition names. Same exports.

import type * as D from './diagnostics';

export type { RefreshReason, ReplayReason, SessionEndReason } from './diagnostics';

/* eslint-disable @typescript-eslint/no-unused-vars */
export const operationNameOf = (_request: unknown): string | undefined => undefined;
export const hasDiagnosticsSubscribers = (_event: keyof typeof D.DIAGNOSTICS_CHANNELS): boolean => false;
export const publishRefreshStart = (_message: D.RefreshStartMessage | (() => D.RefreshStartMessage)): void => {};
export const publishRefreshEnd = (_message: D.RefreshEndMessage | (() => D.RefreshEndMessage)): void => {};
export const publishRefreshError = (_message: D.RefreshErrorMessage | (() => D.RefreshErrorMessage)): void => {};
export const publishReplay = (_message: D.ReplayMessage | (() => D.ReplayMessage)): void => {};
export const publishHeld = (_message: D.HeldMessage | (() => D.HeldMessage)): void => {};
export const publishRateLimited = (_message: D.RateLimitedMessage | (() => D.RateLimitedMessage)): void => {};
export const publishSessionExpired = (_message: D.SessionExpiredMessage | (() => D.SessionExpiredMessage)): void => {};
