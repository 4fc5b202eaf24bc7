// Entry point: re-exports only. Logic lives in the files named below.
export { attachTokenRefresh } from './attach-token-refresh';
export { MemoryTokenStore } from './stores/memory-token-store';
export { gql } from './documents/gql';
export type { GqlDocument } from './documents/gql';
export { createGraphQLClient } from './client/graphql-client';
export type { GraphQLClient, GraphQLResult } from './client/graphql-client';
export type { DocumentInput } from './documents/document';
export type { GraphQLBody, GraphQLErrorShape } from './documents/types';
export { PluginError } from './errors/plugin-error';
export { SessionExpiredError, isSessionExpiredError } from './errors/session-expired-error';
export { TokenRefreshError, isTokenRefreshError } from './errors/token-refresh-error';
export type { TokenRefreshErrorCode } from './errors/token-refresh-error';
export { LoginError, isLoginError } from './errors/login-error';
export { GraphQLRequestError, isGraphQLRequestError } from './errors/graphql-request-error';
export type {
  LoginContext,
  Logger,
  RateLimitOptions,
  RefreshContext,
  RetryOptions,
  TokenInput,
  TokenRefreshHandle,
  TokenRefreshOptions,
  TokenRefreshStats,
  TokenSet,
  TokenStore,
} from './types';
