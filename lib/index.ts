// Entry point: re-exports only. Logic lives in the files named below.
export { attachTokenRefresh } from './attach-token-refresh';
export type { CoalesceOptions, GraphQLClient, GraphQLClientOptions, GraphQLClientStats, GraphQLResult } from './client/graphql-client';
export { createGraphQLClient } from './client/graphql-client';
export type { DocumentInput } from './documents/document';
export type { GqlDocument } from './documents/gql';
export { gql } from './documents/gql';
export type { GraphQLBody, GraphQLErrorShape } from './documents/types';
export { GraphQLRequestError, isGraphQLRequestError } from './errors/graphql-request-error';
export { isLoginError, LoginError } from './errors/login-error';
export { PluginError } from './errors/plugin-error';
export { isSessionExpiredError, SessionExpiredError } from './errors/session-expired-error';
export type { TokenRefreshErrorCode } from './errors/token-refresh-error';
export { isTokenRefreshError, TokenRefreshError } from './errors/token-refresh-error';
export { MemoryTokenStore } from './stores/memory-token-store';
export type {
  LockOptions,
  Logger,
  LoginContext,
  RateBudgetAnswer,
  RateBudgetRequest,
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
