import { GraphQLError, type GraphQLSchema } from 'graphql';
import {
  ACTIVE_ACADEMIC_YEAR_ID,
  RESPONDENTS,
  type RespondentType,
  type ScreenRecord,
  SEMESTERS,
  sampleEq,
  sampleScreens,
  sampleSdq,
  sampleVisits,
  VISIT_FLAGS,
  type VisitRecord,
} from './care-data';
import {
  eqTemplate,
  scoreEq,
  scoreSdq,
  screenDomainStats,
  screenDomains,
  screenOverall,
  sdqTemplate,
  VISIT_OVERALL_TEXT,
  visitOverall,
} from './care-scoring';
import type { SandboxStudent, SandboxTeacher } from './data';
import type { SandboxContext } from './schema';

// The care module of the NextSchool schema (docs/nextschool.md#care-module): adviser screening, home
// visits, SDQ and EQ — read-only, school-scoped, lists defaulting to 50 rows of the active year.

const SCOPE = 'academicYearId: Int, semesterId: Int, classroomId: Int';
const ROW = 'studentId: Int, code: String, title: String, firstname: String, lastname: String, classroomName: String, orderNumber: Int';

export const CARE_STUDENT_FIELDS =
  'visit: HomeVisit, adviserScreen: AdviserScreen, sdqResults(respondentType: RespondentType): [SdqResult], eqResult: EqResult';
export const CARE_TEACHER_FIELDS = 'visitSummary(semesterId: Int): VisitStats';
export const CARE_QUERIES = `
    adviserScreens(${SCOPE}, status: String = "all", limit: Int = 50, offset: Int = 0): [AdviserScreenStudent]
    adviserScreenStats(${SCOPE}): AdviserScreenStats
    visitStudents(${SCOPE}, status: String = "all", limit: Int = 50, offset: Int = 0): [VisitStudent]
    visitStats(${SCOPE}): VisitStats
    sdqTemplate: AssessmentTemplate
    eqTemplate: AssessmentTemplate
    sdqStudents(${SCOPE}, limit: Int = 50, offset: Int = 0): [SdqStudent]
    eqStudents(${SCOPE}, limit: Int = 50, offset: Int = 0): [EqStudent]`;
export const CARE_TYPES = `
  enum RespondentType { TEACHER PARENT STUDENT }
  type VisitStats { total: Int, visited: Int, notVisited: Int, problem: Int, normal: Int }
  type HomeVisit { id: Int, semesterId: Int, overall: String, overallText: String, visitedAt: String, ${VISIT_FLAGS.map((f) => `${f}: Boolean`).join(', ')} }
  type VisitStudent { ${ROW}, visitId: Int, visitedAt: String, overall: String, overallText: String }
  type AdviserScreenDomain { name: String, nameText: String, state: String, stateText: String }
  type AdviserScreen { id: Int, semesterId: Int, screenedAt: String, overall: String, isGenius: Boolean, isAcademicSpecial: Boolean, isActivity: Boolean, domains: [AdviserScreenDomain] }
  type AdviserScreenStudent { ${ROW}, screenId: Int, screenedAt: String, overall: String }
  type AdviserScreenDomainStats { name: String, nameText: String, normal: Int, risk: Int, problem: Int }
  type AdviserScreenStats {
    total: Int, totalSpecial: Int, totalTalent: Int, totalNormal: Int, totalRisk: Int, totalProblem: Int, totalGenius: Int,
    totalAcademicSpecial: Int, totalActivitySpecial: Int, totalNotScreened: Int, domains: [AdviserScreenDomainStats]
  }
  type AssessmentAnswer { id: Int, answerText: String, answerPoint: Int }
  type AssessmentQuestion { id: Int, orderNumber: Int, questionText: String, answers: [AssessmentAnswer] }
  type AssessmentTemplate { id: Int, name: String, questions: [AssessmentQuestion] }
  type SdqStudent { ${ROW}, teacherAnswered: Int, parentAnswered: Int, studentAnswered: Int }
  type SdqDimensionResult { dimension: String, score: Int, level: String, levelText: String }
  type SdqResult { respondentType: RespondentType, answered: Int, totalScore: Int, level: String, levelText: String, dimensions: [SdqDimensionResult] }
  type EqStudent { ${ROW}, answered: Int }
  type EqDimensionResult { group: String, groupText: String, dimension: String, dimensionText: String, score: Int, normalMin: Int, normalMax: Int, level: String, levelText: String }
  type EqResult { answered: Int, dimensions: [EqDimensionResult] }
`;

type ScopeArgs = { academicYearId?: number | null; semesterId?: number | null; classroomId?: number | null };
type ListArgs = ScopeArgs & { status?: string; limit: number; offset: number };

const VISIT_STATUSES = ['visited', 'not_visited', 'problem', 'normal', 'all'];
const SCREEN_STATUSES = ['special', 'talent', 'problem', 'risk', 'normal', 'not_screened', 'all'];

/** The semesters in scope: `semesterId` overrides `academicYearId`, which defaults to the active year. */
function semestersOf(args: ScopeArgs): number[] {
  if (args.semesterId != null) return SEMESTERS.filter((s) => s.id === args.semesterId).map((s) => s.id);
  const year = args.academicYearId ?? ACTIVE_ACADEMIC_YEAR_ID;
  return SEMESTERS.filter((s) => s.academicYearId === year).map((s) => s.id);
}

/** The record of the latest semester in scope ("deduped per student"). */
function latest<T extends { studentId: number; semesterId: number }>(records: T[], studentId: number, semesters: number[]): T | undefined {
  return records
    .filter((r) => r.studentId === studentId && semesters.includes(r.semesterId))
    .sort((a, b) => b.semesterId - a.semesterId)[0];
}

function checkStatus(status: string | undefined, allowed: string[]): string {
  const value = status ?? 'all';
  if (!allowed.includes(value)) {
    throw new GraphQLError(`Invalid status "${value}": expected one of ${allowed.join(', ')}`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return value;
}

function page<T>(list: T[], limit: number, offset: number): T[] {
  const size = Math.max(0, Math.min(limit, 100));
  return list.slice(Math.max(0, offset), Math.max(0, offset) + size);
}

const row = (s: SandboxStudent) => ({
  studentId: s.id,
  code: s.code,
  title: s.title,
  firstname: s.firstname,
  lastname: s.lastname,
  classroomName: s.classroomName,
  orderNumber: s.orderNumber,
});

const homeVisit = (v: VisitRecord) => {
  const overall = visitOverall(v);
  return {
    id: v.id,
    semesterId: v.semesterId,
    overall,
    overallText: VISIT_OVERALL_TEXT[overall],
    visitedAt: v.visitedAt,
    ...Object.fromEntries(VISIT_FLAGS.map((f) => [f, v.flags.has(f)])),
  };
};

function visitStatsOf(students: SandboxStudent[], visits: VisitRecord[], semesters: number[]) {
  const overall = students.map((s) => visitOverall(latest(visits, s.id, semesters)));
  const count = (o: string) => overall.filter((x) => x === o).length;
  return {
    total: students.length,
    visited: students.length - count('NOT_VISITED'),
    notVisited: count('NOT_VISITED'),
    problem: count('PROBLEM'),
    normal: count('NORMAL'),
  };
}

function screenStatsOf(students: SandboxStudent[], screens: ScreenRecord[], semesters: number[]) {
  const found = students.map((s) => latest(screens, s.id, semesters));
  const overall = found.map(screenOverall);
  const count = (o: string) => overall.filter((x) => x === o).length;
  const present = found.filter((x): x is ScreenRecord => x !== undefined);
  return {
    total: students.length,
    totalSpecial: count('SPECIAL'),
    totalTalent: count('TALENT'),
    totalNormal: count('NORMAL'),
    totalRisk: count('RISK'),
    totalProblem: count('PROBLEM'),
    totalNotScreened: count('NOT_SCREENED'),
    totalGenius: present.filter((x) => x.isGenius).length,
    totalAcademicSpecial: present.filter((x) => x.isAcademicSpecial).length,
    totalActivitySpecial: present.filter((x) => x.isActivity).length,
    domains: screenDomainStats(present),
  };
}

/**
 * Sets the care module's resolvers on `schema`. `requireSchool` throws UNAUTHENTICATED / FORBIDDEN as
 * for every data query; nested fields inherit the check of the query that reached them.
 */
export function attachCareResolvers(
  schema: GraphQLSchema,
  students: SandboxStudent[],
  requireSchool: (context: SandboxContext) => void,
): void {
  const ids = students.map((s) => s.id);
  const visits = sampleVisits(ids);
  const screens = sampleScreens(ids);
  const sdq = sampleSdq(ids);
  const eq = sampleEq(ids);
  const inClass = (args: ScopeArgs) => students.filter((s) => args.classroomId == null || s.classroomId === args.classroomId);
  const guarded =
    <A>(fn: (args: A) => unknown) =>
    (_root: unknown, args: A, context: SandboxContext) => (requireSchool(context), fn(args));

  const query = schema.getQueryType()!.getFields();
  query.visitStudents!.resolve = guarded((args: ListArgs) => {
    const status = checkStatus(args.status, VISIT_STATUSES);
    const semesters = semestersOf(args);
    const rows = inClass(args).map((s) => {
      const v = latest(visits, s.id, semesters);
      const overall = visitOverall(v);
      return { ...row(s), visitId: v?.id ?? null, visitedAt: v?.visitedAt ?? null, overall, overallText: VISIT_OVERALL_TEXT[overall] };
    });
    const keep = (o: string) => status === 'all' || (status === 'visited' ? o !== 'NOT_VISITED' : o === status.toUpperCase());
    return page(
      rows.filter((r) => keep(r.overall)),
      args.limit,
      args.offset,
    );
  });
  query.visitStats!.resolve = guarded((args: ScopeArgs) => visitStatsOf(inClass(args), visits, semestersOf(args)));
  query.adviserScreens!.resolve = guarded((args: ListArgs) => {
    const status = checkStatus(args.status, SCREEN_STATUSES);
    const semesters = semestersOf(args);
    const rows = inClass(args).map((s) => {
      const found = latest(screens, s.id, semesters);
      return { ...row(s), screenId: found?.id ?? null, screenedAt: found?.screenedAt ?? null, overall: screenOverall(found) };
    });
    return page(
      rows.filter((r) => status === 'all' || r.overall === status.toUpperCase()),
      args.limit,
      args.offset,
    );
  });
  query.adviserScreenStats!.resolve = guarded((args: ScopeArgs) => screenStatsOf(inClass(args), screens, semestersOf(args)));
  query.sdqTemplate!.resolve = guarded(() => sdqTemplate());
  query.eqTemplate!.resolve = guarded(() => eqTemplate());
  const answered = (
    sheets: Array<{ studentId: number; semesterId: number; points: Array<number | null> }>,
    id: number,
    semesters: number[],
  ) => latest(sheets, id, semesters)?.points.filter((p) => p !== null).length ?? 0;
  query.sdqStudents!.resolve = guarded((args: ListArgs) => {
    const semesters = semestersOf(args);
    const rows = inClass(args).map((s) => ({
      ...row(s),
      teacherAnswered: answered(sdq.get('TEACHER')!, s.id, semesters),
      parentAnswered: answered(sdq.get('PARENT')!, s.id, semesters),
      studentAnswered: answered(sdq.get('STUDENT')!, s.id, semesters),
    }));
    return page(rows, args.limit, args.offset);
  });
  query.eqStudents!.resolve = guarded((args: ListArgs) =>
    page(
      inClass(args).map((s) => ({ ...row(s), answered: answered(eq, s.id, semestersOf(args)) })),
      args.limit,
      args.offset,
    ),
  );

  const active = semestersOf({});
  const student = (schema.getType('Student') as ReturnType<GraphQLSchema['getQueryType']>)!.getFields();
  student.visit!.resolve = (s: SandboxStudent) => {
    const v = latest(visits, s.id, active);
    return v ? homeVisit(v) : null;
  };
  student.adviserScreen!.resolve = (s: SandboxStudent) => {
    const found = latest(screens, s.id, active);
    return found ? { ...found, overall: screenOverall(found), domains: screenDomains(found) } : null;
  };
  student.sdqResults!.resolve = (s: SandboxStudent, args: { respondentType?: RespondentType | null }) =>
    RESPONDENTS.filter((r) => args.respondentType == null || r === args.respondentType).map((r) =>
      scoreSdq(r, latest(sdq.get(r)!, s.id, active)?.points ?? Array(25).fill(null)),
    );
  student.eqResult!.resolve = (s: SandboxStudent) => scoreEq(latest(eq, s.id, active)?.points ?? Array(52).fill(null));

  const teacher = (schema.getType('Teacher') as ReturnType<GraphQLSchema['getQueryType']>)!.getFields();
  teacher.visitSummary!.resolve = (t: SandboxTeacher, args: { semesterId?: number | null }) =>
    visitStatsOf(
      students.filter((s) => s.classroomId === t.takecareId),
      visits,
      args.semesterId == null ? active : semestersOf(args),
    );
}
