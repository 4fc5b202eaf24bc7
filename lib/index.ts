// Entry point: re-exports only. Logic lives in the files named below.
export { attachTokenRefresh } from './attach-token-refresh';
export { MemoryTokenStore } from './session/memory-token-store';
export { REFRESH_MUTATION, ROTATING_REFRESH_MUTATION } from './nextschool/refresh';
export { gql } from './graphql/gql';
export type { GqlDocument } from './graphql/gql';
export { createGraphQLClient } from './graphql/client';
export type { GraphQLClient, GraphQLResult } from './graphql/client';
export type { DocumentInput } from './graphql/document';
export type { GraphQLBody, GraphQLErrorShape } from './graphql/types';
export { createNextSchoolClient, NEXTSCHOOL_SANDBOX_URL, NEXTSCHOOL_URL } from './nextschool/client';
export type { NextSchoolClient, NextSchoolClientOptions } from './nextschool/client';
export { LOGIN_MUTATION, LOGOUT_MUTATION, STUDENT_QUERY, STUDENTS_QUERY, TEACHER_QUERY, TEACHERS_QUERY } from './nextschool/schema';
export type { LoginPayload, Student, StudentsArgs, Teacher, TeachersArgs } from './nextschool/schema';
export type { AuthUser } from './nextschool/schema';
export type { NextSchoolLogin } from './nextschool/client';
export {
  ADVISER_SCREEN_STATS_QUERY,
  ADVISER_SCREENS_QUERY,
  EQ_STUDENTS_QUERY,
  EQ_TEMPLATE_QUERY,
  SDQ_STUDENTS_QUERY,
  SDQ_TEMPLATE_QUERY,
  STUDENT_CARE_QUERY,
  STUDENT_VISIT_QUERY,
  TEACHER_VISIT_SUMMARY_QUERY,
  VISIT_STATS_QUERY,
  VISIT_STUDENTS_QUERY,
} from './nextschool/care';
export type {
  AdviserScreen,
  AdviserScreensArgs,
  AdviserScreenStats,
  AdviserScreenStudent,
  AssessmentTemplate,
  CareScopeArgs,
  CareStudentRow,
  CareStudentsArgs,
  EqResult,
  EqStudent,
  HomeVisit,
  RespondentType,
  SdqResult,
  SdqStudent,
  StudentCare,
  VisitStats,
  VisitStudent,
  VisitStudentsArgs,
} from './nextschool/care';
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
