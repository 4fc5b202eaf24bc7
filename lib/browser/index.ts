// `axios-graphql-refresh/browser`: a token store shared by the tabs of an origin. Re-exports only.

export type { BrowserTokenStoreOptions } from './browser-token-store';
export { BrowserTokenStore } from './browser-token-store';
