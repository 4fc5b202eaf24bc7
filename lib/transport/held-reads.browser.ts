// The browser build's held-reads.ts (rollup.config.mjs swaps it in, docs/browser.md "weight"):
// browsers have no http.Agent whose sockets could be held, so there is nothing to hold. Same exports.

import type * as H from './held-reads';

export const holdReads: typeof H.holdReads = () => () => {};
export const holdDeadReads: typeof H.holdDeadReads = () => () => {};
