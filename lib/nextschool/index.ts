// The NextSchool preset's entry (`axios-graphql-refresh/nextschool`): re-exports only.
export { REFRESH_MUTATION, ROTATING_REFRESH_MUTATION } from '../transport/refresh-mutation';
export type {
  AdviserScreen,
  AdviserScreenStats,
  AdviserScreenStudent,
  AdviserScreensArgs,
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
} from './care';
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
} from './care';
export type { NextSchoolClient, NextSchoolClientOptions, NextSchoolLogin } from './client';
export { createNextSchoolClient, NEXTSCHOOL_RATE_LIMIT, NEXTSCHOOL_SANDBOX_URL, NEXTSCHOOL_URL } from './client';
export type { AuthUser, LoginPayload, Student, StudentsArgs, Teacher, TeachersArgs } from './schema';
export { LOGIN_MUTATION, LOGOUT_MUTATION, STUDENT_QUERY, STUDENTS_QUERY, TEACHER_QUERY, TEACHERS_QUERY } from './schema';
