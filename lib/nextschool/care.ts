import { gql } from '../documents/gql';

// Types and ready-made documents for NextSchool's care module (read-only): home visits, adviser
// screening, SDQ and EQ. Facts and their source pages: docs/nextschool.md#care-module. Names the
// stored page openings do not show (the SDQ/EQ student lists, the results nested on Student) are the
// sandbox's; those documents say so.

/**
 * Where a care query looks: `semesterId` overrides `academicYearId`, which defaults to the active year.
 *
 * @example
 * ```ts
 * const scope: CareScopeArgs = { semesterId: 2, classroomId: 42 };
 * ```
 */
export interface CareScopeArgs {
  academicYearId?: number;
  semesterId?: number;
  classroomId?: number;
}

/**
 * Arguments of `visitStudents`. `limit` defaults to 50 (not 20), `status` to `"all"`.
 *
 * @example
 * ```ts
 * const args: VisitStudentsArgs = { classroomId: 42, status: 'problem', limit: 50 };
 * ```
 */
export interface VisitStudentsArgs extends CareScopeArgs {
  status?: 'visited' | 'not_visited' | 'problem' | 'normal' | 'all';
  limit?: number;
  offset?: number;
}

/**
 * Arguments of `adviserScreens`. `limit` defaults to 50, `status` to `"all"`.
 *
 * @example
 * ```ts
 * const args: AdviserScreensArgs = { status: 'risk', classroomId: 42 };
 * ```
 */
export interface AdviserScreensArgs extends CareScopeArgs {
  status?: 'special' | 'talent' | 'problem' | 'risk' | 'normal' | 'not_screened' | 'all';
  limit?: number;
  offset?: number;
}

/**
 * Arguments of the SDQ and EQ student lists (sandbox names; `limit` defaults to 50).
 *
 * @example
 * ```ts
 * const args: CareStudentsArgs = { classroomId: 42, limit: 10 };
 * ```
 */
export interface CareStudentsArgs extends CareScopeArgs {
  limit?: number;
  offset?: number;
}

/**
 * The student columns every care list row starts with.
 *
 * @example
 * ```ts
 * const label = (row: CareStudentRow) => `${row.classroomName} #${row.orderNumber} ${row.firstname} ${row.lastname}`;
 * ```
 */
export interface CareStudentRow {
  studentId: number | null;
  code: string | null;
  title: string | null;
  firstname: string | null;
  lastname: string | null;
  classroomName: string | null;
  orderNumber: number | null;
}

/**
 * A row of `visitStudents`: the student and their latest home visit in scope.
 *
 * @example
 * ```ts
 * const unvisited = (await ns.visitStudents()).filter((row: VisitStudent) => row.overall === 'NOT_VISITED');
 * ```
 */
export interface VisitStudent extends CareStudentRow {
  visitId: number | null;
  visitedAt: string | null;
  /** `NOT_VISITED`, `NORMAL` (no risk flag) or `PROBLEM` (at least one of the 12 risk flags). */
  overall: 'NOT_VISITED' | 'NORMAL' | 'PROBLEM' | null;
  /** "ยังไม่เยี่ยม", "ปกติ", "มีปัญหา" */
  overallText: string | null;
}

/**
 * Home-visit counts (`visitStats`, `Teacher.visitSummary`).
 *
 * @example
 * ```ts
 * const { visited, total }: VisitStats = await ns.visitStats();
 * ```
 */
export interface VisitStats {
  total: number | null;
  visited: number | null;
  notVisited: number | null;
  problem: number | null;
  normal: number | null;
}

/**
 * A row of `adviserScreens`: the student and their latest screening in scope.
 *
 * @example
 * ```ts
 * const atRisk = await ns.adviserScreens({ status: 'risk' });
 * atRisk.forEach((row: AdviserScreenStudent) => console.log(row.firstname, row.overall));
 * ```
 */
export interface AdviserScreenStudent extends CareStudentRow {
  screenId: number | null;
  screenedAt: string | null;
  overall: 'NOT_SCREENED' | 'SPECIAL' | 'PROBLEM' | 'RISK' | 'TALENT' | 'NORMAL' | null;
}

/**
 * `adviserScreenStats`: the counts the adviser-screen page shows.
 *
 * @example
 * ```ts
 * const stats: AdviserScreenStats = await ns.adviserScreenStats();
 * console.log(stats.totalProblem, stats.totalRisk);
 * ```
 */
export interface AdviserScreenStats {
  totalSpecial: number | null;
  totalNormal: number | null;
  totalRisk: number | null;
  totalProblem: number | null;
  totalGenius: number | null;
  totalAcademicSpecial: number | null;
  totalActivitySpecial: number | null;
}

/**
 * `sdqTemplate` / `eqTemplate`: the questions in order with their answer choices and points.
 *
 * @example
 * ```ts
 * const template: AssessmentTemplate | null = await ns.sdqTemplate();
 * console.log(template?.questions?.length); // 25 (EQ: 52)
 * ```
 */
export interface AssessmentTemplate {
  id: number | null;
  name: string | null;
  questions: Array<{
    id: number | null;
    orderNumber: number | null;
    questionText: string | null;
    answers: Array<{ id: number | null; answerText: string | null; answerPoint: number | null } | null> | null;
  } | null> | null;
}

/**
 * Who answered an SDQ: the enum `RespondentType`.
 *
 * @example
 * ```ts
 * const who: RespondentType = 'PARENT';
 * ```
 */
export type RespondentType = 'TEACHER' | 'PARENT' | 'STUDENT';

/**
 * A row of the SDQ student list: questions answered (of 25) per respondent (sandbox names).
 *
 * @example
 * ```ts
 * const missingParents = (await ns.sdqStudents()).filter((row: SdqStudent) => row.parentAnswered === 0);
 * ```
 */
export interface SdqStudent extends CareStudentRow {
  teacherAnswered: number | null;
  parentAnswered: number | null;
  studentAnswered: number | null;
}

/**
 * A row of the EQ student list: questions answered (of 52; sandbox names).
 *
 * @example
 * ```ts
 * const done = (await ns.eqStudents()).filter((row: EqStudent) => row.answered === 52);
 * ```
 */
export interface EqStudent extends CareStudentRow {
  answered: number | null;
}

/**
 * A student's latest home visit (`Student.visit`), with the 12 risk flags of the visitor's opinion.
 *
 * @example
 * ```ts
 * const visit: HomeVisit | null = (await ns.studentCare(8))?.visit ?? null;
 * ```
 */
export interface HomeVisit {
  id: number | null;
  overall: 'NORMAL' | 'PROBLEM' | null;
  overallText: string | null;
  visitedAt: string | null;
}

/**
 * A student's latest screening (sandbox names past the page opening): 9 domains with Thai labels.
 *
 * @example
 * ```ts
 * const problems = (screen: AdviserScreen) => screen.domains?.filter((d) => d?.state === 'PROBLEM');
 * ```
 */
export interface AdviserScreen {
  id: number | null;
  screenedAt: string | null;
  overall: AdviserScreenStudent['overall'];
  isGenius: boolean | null;
  isAcademicSpecial: boolean | null;
  isActivity: boolean | null;
  domains: Array<{
    name: string | null;
    nameText: string | null;
    state: 'NORMAL' | 'RISK' | 'PROBLEM' | null;
    stateText: string | null;
  } | null> | null;
}

/**
 * A scored SDQ (sandbox names): total of dimensions 1–4, level, and the five dimensions.
 *
 * @example
 * ```ts
 * const teacherView = (care: StudentCare) => care.sdqResults?.find((r) => r?.respondentType === 'TEACHER');
 * ```
 */
export interface SdqResult {
  respondentType: RespondentType | null;
  answered: number | null;
  totalScore: number | null;
  /** `NOT_ASSESSED`, `PARTIAL`, `NORMAL`, `RISK` or `PROBLEM` */
  level: string | null;
  levelText: string | null;
  dimensions: Array<{ dimension: string | null; score: number | null; level: string | null; levelText: string | null } | null> | null;
}

/**
 * A scored EQ (sandbox names): 9 dimensions in the ดี / เก่ง / สุข groups.
 *
 * @example
 * ```ts
 * const low = (eq: EqResult) => eq.dimensions?.filter((d) => d?.level === 'LOW');
 * ```
 */
export interface EqResult {
  answered: number | null;
  dimensions: Array<{
    group: string | null;
    groupText: string | null;
    dimension: string | null;
    dimensionText: string | null;
    score: number | null;
    normalMin: number | null;
    normalMax: number | null;
    level: string | null;
    levelText: string | null;
  } | null> | null;
}

/**
 * What {@link STUDENT_CARE_QUERY} selects: a student with every care result nested on it.
 *
 * @example
 * ```ts
 * const care: StudentCare | null = await ns.studentCare(8);
 * ```
 */
export interface StudentCare {
  id: number | null;
  fullName: string | null;
  classroomName: string | null;
  visit: HomeVisit | null;
  adviserScreen: AdviserScreen | null;
  sdqResults: Array<SdqResult | null> | null;
  eqResult: EqResult | null;
}

const SCOPE_VARS = '$academicYearId: Int, $semesterId: Int, $classroomId: Int';
const SCOPE_ARGS = 'academicYearId: $academicYearId, semesterId: $semesterId, classroomId: $classroomId';
const ROW_FIELDS = 'studentId code title firstname lastname classroomName orderNumber';
const TEMPLATE_FIELDS = 'id name questions { id orderNumber questionText answers { id answerText answerPoint } }';

/**
 * `visitStudents(...)`: every student with their latest home visit (queries/visit).
 *
 * @example
 * ```ts
 * const { visitStudents } = await ns.query(VISIT_STUDENTS_QUERY, { classroomId: 42, status: 'problem' });
 * ```
 */
export const VISIT_STUDENTS_QUERY = gql<{ visitStudents: Array<VisitStudent | null> | null }, VisitStudentsArgs>`
  query NextSchoolVisitStudents(${SCOPE_VARS}, $status: String, $limit: Int, $offset: Int) {
    visitStudents(${SCOPE_ARGS}, status: $status, limit: $limit, offset: $offset) { ${ROW_FIELDS} visitId visitedAt overall overallText }
  }
`;

/**
 * `visitStats`: home-visit counts of the school (queries/visit; no arguments are documented).
 *
 * @example
 * ```ts
 * const { visitStats } = await ns.query(VISIT_STATS_QUERY);
 * ```
 */
export const VISIT_STATS_QUERY = gql<{ visitStats: VisitStats | null }, Record<string, never>>`
  query NextSchoolVisitStats { visitStats { total visited notVisited problem normal } }
`;

/**
 * `adviserScreens(...)`: every student with their latest screening (queries/adviser-screen).
 *
 * @example
 * ```ts
 * const { adviserScreens } = await ns.query(ADVISER_SCREENS_QUERY, { status: 'problem' });
 * ```
 */
export const ADVISER_SCREENS_QUERY = gql<{ adviserScreens: Array<AdviserScreenStudent | null> | null }, AdviserScreensArgs>`
  query NextSchoolAdviserScreens(${SCOPE_VARS}, $status: String, $limit: Int, $offset: Int) {
    adviserScreens(${SCOPE_ARGS}, status: $status, limit: $limit, offset: $offset) { ${ROW_FIELDS} screenId screenedAt overall }
  }
`;

/**
 * `adviserScreenStats`: the school's screening counts (queries/adviser-screen; the fields the page shows).
 *
 * @example
 * ```ts
 * const { adviserScreenStats } = await ns.query(ADVISER_SCREEN_STATS_QUERY);
 * ```
 */
export const ADVISER_SCREEN_STATS_QUERY = gql<{ adviserScreenStats: AdviserScreenStats | null }, Record<string, never>>`
  query NextSchoolAdviserScreenStats {
    adviserScreenStats { totalSpecial totalNormal totalRisk totalProblem totalGenius totalAcademicSpecial totalActivitySpecial }
  }
`;

/**
 * `sdqTemplate`: the 25 SDQ questions with their answer choices (queries/sdq).
 *
 * @example
 * ```ts
 * const { sdqTemplate } = await ns.query(SDQ_TEMPLATE_QUERY);
 * ```
 */
export const SDQ_TEMPLATE_QUERY = gql<{ sdqTemplate: AssessmentTemplate | null }, Record<string, never>>`
  query NextSchoolSdqTemplate { sdqTemplate { ${TEMPLATE_FIELDS} } }
`;

/**
 * `eqTemplate`: the 52 EQ questions with their answer choices (queries/eq).
 *
 * @example
 * ```ts
 * const { eqTemplate } = await ns.query(EQ_TEMPLATE_QUERY);
 * ```
 */
export const EQ_TEMPLATE_QUERY = gql<{ eqTemplate: AssessmentTemplate | null }, Record<string, never>>`
  query NextSchoolEqTemplate { eqTemplate { ${TEMPLATE_FIELDS} } }
`;

/**
 * `sdqStudents(...)`: SDQ completion per respondent. The query's name is the sandbox's (the SDQ
 * page's opening does not show it): check it against the live schema before relying on it.
 *
 * @example
 * ```ts
 * const { sdqStudents } = await ns.query(SDQ_STUDENTS_QUERY, { classroomId: 42 });
 * ```
 */
export const SDQ_STUDENTS_QUERY = gql<{ sdqStudents: Array<SdqStudent | null> | null }, CareStudentsArgs>`
  query NextSchoolSdqStudents(${SCOPE_VARS}, $limit: Int, $offset: Int) {
    sdqStudents(${SCOPE_ARGS}, limit: $limit, offset: $offset) { ${ROW_FIELDS} teacherAnswered parentAnswered studentAnswered }
  }
`;

/**
 * `eqStudents(...)`: EQ completion per student (sandbox name, as {@link SDQ_STUDENTS_QUERY}).
 *
 * @example
 * ```ts
 * const { eqStudents } = await ns.query(EQ_STUDENTS_QUERY, { limit: 10 });
 * ```
 */
export const EQ_STUDENTS_QUERY = gql<{ eqStudents: Array<EqStudent | null> | null }, CareStudentsArgs>`
  query NextSchoolEqStudents(${SCOPE_VARS}, $limit: Int, $offset: Int) {
    eqStudents(${SCOPE_ARGS}, limit: $limit, offset: $offset) { ${ROW_FIELDS} answered }
  }
`;

/**
 * `student(id)` with its latest home visit (`Student.visit`, queries/visit).
 *
 * @example
 * ```ts
 * const { student } = await ns.query(STUDENT_VISIT_QUERY, { id: 8 });
 * console.log(student?.visit?.overallText);
 * ```
 */
export const STUDENT_VISIT_QUERY = gql<
  { student: { id: number | null; fullName: string | null; classroomName: string | null; visit: HomeVisit | null } | null },
  { id: number }
>`
  query NextSchoolStudentVisit($id: Int) { student(id: $id) { id fullName classroomName visit { id overall overallText visitedAt } } }
`;

/**
 * `student(id)` with every care result nested on it: visit, screening, SDQ (per respondent) and EQ.
 * Past `visit`, the nested names are the sandbox's: check them against the live schema.
 *
 * @example
 * ```ts
 * const { student } = await ns.query(STUDENT_CARE_QUERY, { id: 8 });
 * ```
 */
export const STUDENT_CARE_QUERY = gql<{ student: StudentCare | null }, { id: number }>`
  query NextSchoolStudentCare($id: Int) {
    student(id: $id) {
      id fullName classroomName
      visit { id overall overallText visitedAt }
      adviserScreen { id screenedAt overall isGenius isAcademicSpecial isActivity domains { name nameText state stateText } }
      sdqResults { respondentType answered totalScore level levelText dimensions { dimension score level levelText } }
      eqResult { answered dimensions { group groupText dimension dimensionText score normalMin normalMax level levelText } }
    }
  }
`;

/**
 * `teacher(id)` with `visitSummary(semesterId)`: home-visit counts of the teacher's classrooms (queries/teachers).
 *
 * @example
 * ```ts
 * const { teacher } = await ns.query(TEACHER_VISIT_SUMMARY_QUERY, { id: 2, semesterId: 1 });
 * ```
 */
export const TEACHER_VISIT_SUMMARY_QUERY = gql<
  { teacher: { id: number | null; fullName: string | null; takecare: string | null; visitSummary: VisitStats | null } | null },
  { id: number; semesterId?: number }
>`
  query NextSchoolTeacherVisitSummary($id: Int, $semesterId: Int) {
    teacher(id: $id) { id fullName takecare visitSummary(semesterId: $semesterId) { total visited notVisited problem normal } }
  }
`;
