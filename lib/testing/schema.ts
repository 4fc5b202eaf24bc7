import { buildSchema, GraphQLError, type GraphQLSchema } from 'graphql';
import { attachCareResolvers, CARE_QUERIES, CARE_STUDENT_FIELDS, CARE_TEACHER_FIELDS, CARE_TYPES } from './care-schema';
import { type SandboxStudent, type SandboxTeacher, sampleStudents, sampleTeachers } from './data';

// The documented NextSchool schema (docs/nextschool.md), the care module included (care-schema.ts). `RefreshPayload` has a `refreshToken` field only
// when the sandbox rotates refresh tokens: NextSchool documents `accessToken expiresIn` alone, so a
// client selecting more would fail validation there, and fails here too.

export interface SandboxContext {
  ip: string;
  userIndex?: number;
  claims?: { sid: string };
  /** Set when an answer holds an UNAUTHENTICATED error (counted once per request). */
  unauthenticated: boolean;
  rateLimited: boolean;
}

export interface SchemaHooks {
  rotate: boolean;
  login(username: string, password: string, context: SandboxContext): unknown;
  refresh(refreshToken: string): unknown;
  logout(context: SandboxContext): boolean;
  /** The user's school: `undefined` when not authenticated, `null` when the user has none. */
  schoolOf(context: SandboxContext): string | null | undefined;
}

const sdl = (rotate: boolean) => `
  type Student {
    id: Int, code: String, title: String, firstname: String, lastname: String, fullName: String,
    firstnameEn: String, lastnameEn: String, citizenId: String, gender: String, blood: String, dob: String,
    address: String, telephone: String, mobileNo: String, status: Int, statusText: String,
    image: String, imageURI: String, orderNumber: Int, classroomName: String,
    ${CARE_STUDENT_FIELDS}
  }
  type Teacher {
    id: Int, username: String, email: String, status: Int, statusText: String, type: Int, title: String,
    firstname: String, lastname: String, fullName: String, mobileNo: String, empNo: String,
    empPosition: String, teachGroup: String, gender: String, profilePic: String, imageURI: String, takecare: String,
    ${CARE_TEACHER_FIELDS}
  }
  type AuthUser { id: Int, username: String, name: String, email: String }
  type AuthPayload { accessToken: String, refreshToken: String, expiresIn: Int, user: AuthUser }
  type RefreshPayload { accessToken: String, expiresIn: Int${rotate ? ', refreshToken: String' : ''} }
  type Query {
    students(limit: Int = 20, offset: Int = 0, search: String, code: String, firstname: String, lastname: String, mobileNo: String, citizenId: String): [Student]
    student(id: Int): Student
    teachers(limit: Int = 20, offset: Int = 0, search: String, username: String, firstname: String, lastname: String, email: String, mobileNo: String, citizenId: String, status: Int): [Teacher]
    teacher(id: Int): Teacher${CARE_QUERIES}
  }
  type Mutation {
    login(username: String!, password: String!): AuthPayload
    refreshToken(refreshToken: String!): RefreshPayload
    logout: Boolean
  }
${CARE_TYPES}`;

// Filters match as the query pages say (docs/nextschool.md#filters): some partial, the others exact.
// Partial matching is case-insensitive, as a SQL LIKE on a case-insensitive collation would be.
const includes = (value: string | null | undefined, part: string | null | undefined) =>
  part == null || (value ?? '').toLowerCase().includes(part.toLowerCase());
const equals = <T>(value: T, wanted: T | null | undefined) => wanted == null || value === wanted;

function page<T>(list: T[], limit: number, offset: number): T[] {
  const size = Math.max(0, Math.min(limit, 100));
  return list.slice(Math.max(0, offset), Math.max(0, offset) + size);
}

type StudentArgs = {
  limit: number;
  offset: number;
  search?: string;
  code?: string;
  firstname?: string;
  lastname?: string;
  mobileNo?: string;
  citizenId?: string;
};
type TeacherArgs = {
  limit: number;
  offset: number;
  search?: string;
  username?: string;
  firstname?: string;
  lastname?: string;
  email?: string;
  mobileNo?: string;
  citizenId?: string;
  status?: number;
};

export function buildSandboxSchema(hooks: SchemaHooks): GraphQLSchema {
  const schema = buildSchema(sdl(hooks.rotate));
  const students = sampleStudents();
  const teachers = sampleTeachers();

  /** Data is scoped to the user's school: no token → UNAUTHENTICATED, no school → FORBIDDEN. */
  function requireSchool(context: SandboxContext): void {
    const school = hooks.schoolOf(context);
    if (school === undefined) {
      context.unauthenticated = true;
      throw new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED' } });
    }
    if (school === null) throw new GraphQLError('User is not assigned to any school', { extensions: { code: 'FORBIDDEN' } });
  }

  const query = schema.getQueryType()!.getFields();
  query.students!.resolve = (_root, args: StudentArgs, context: SandboxContext) => {
    requireSchool(context);
    const found = students.filter(
      (s: SandboxStudent) =>
        (args.search == null || [s.code, s.firstname, s.lastname, s.mobileNo, s.citizenId].some((v) => includes(v, args.search))) &&
        includes(s.code, args.code) &&
        includes(s.firstname, args.firstname) &&
        includes(s.lastname, args.lastname) &&
        equals(s.mobileNo, args.mobileNo) &&
        equals(s.citizenId, args.citizenId),
    );
    return page(found, args.limit, args.offset);
  };
  query.student!.resolve = (_root, args: { id?: number }, context: SandboxContext) => {
    requireSchool(context);
    return students.find((s) => s.id === args.id) ?? null;
  };
  query.teachers!.resolve = (_root, args: TeacherArgs, context: SandboxContext) => {
    requireSchool(context);
    const found = teachers.filter(
      (t: SandboxTeacher) =>
        (args.search == null ||
          [t.username, t.firstname, t.lastname, t.email, t.mobileNo, t.citizenId].some((v) => includes(v, args.search))) &&
        includes(t.username, args.username) &&
        includes(t.firstname, args.firstname) &&
        includes(t.lastname, args.lastname) &&
        includes(t.email, args.email) &&
        equals(t.mobileNo, args.mobileNo) &&
        equals(t.citizenId, args.citizenId) &&
        equals(t.status, args.status),
    );
    return page(found, args.limit, args.offset);
  };
  query.teacher!.resolve = (_root, args: { id?: number }, context: SandboxContext) => {
    requireSchool(context);
    return teachers.find((t) => t.id === args.id) ?? null;
  };

  attachCareResolvers(schema, students, requireSchool);

  const mutation = schema.getMutationType()!.getFields();
  mutation.login!.resolve = (_root, args: { username: string; password: string }, context: SandboxContext) =>
    hooks.login(args.username, args.password, context);
  mutation.refreshToken!.resolve = (_root, args: { refreshToken: string }) => hooks.refresh(args.refreshToken);
  mutation.logout!.resolve = (_root, _args, context: SandboxContext) => {
    if (hooks.schoolOf(context) === undefined) {
      context.unauthenticated = true;
      throw new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED' } });
    }
    return hooks.logout(context);
  };
  return schema;
}
