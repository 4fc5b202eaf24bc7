import { gql } from '../documents/gql';

// Types and ready-made documents for the documented part of the NextSchool schema, so queries on
// students and teachers are typed without a code generator.

/**
 * A student, as NextSchool documents the type. Every field may be `null`.
 *
 * @example
 * ```ts
 * const { students } = await ns.query(STUDENTS_QUERY, { search: 'สมชาย' });
 * students.forEach((s: Student | null) => console.log(s?.fullName, s?.classroomName));
 * ```
 */
export interface Student {
  id: number | null;
  code: string | null;
  /** เด็กชาย, เด็กหญิง, นาย, นางสาว */
  title: string | null;
  firstname: string | null;
  lastname: string | null;
  /** title + names */
  fullName: string | null;
  firstnameEn: string | null;
  lastnameEn: string | null;
  citizenId: string | null;
  gender: string | null;
  blood: string | null;
  dob: string | null;
  address: string | null;
  telephone: string | null;
  mobileNo: string | null;
  /** e.g. 10 */
  status: number | null;
  /** in Thai */
  statusText: string | null;
  image: string | null;
  imageURI: string | null;
  orderNumber: number | null;
  /** e.g. "ม.1/1" */
  classroomName: string | null;
}

/**
 * A teacher, as NextSchool documents the type.
 *
 * @example
 * ```ts
 * const teacher: Teacher | null = await ns.teacher(3);
 * ```
 */
export interface Teacher {
  id: number | null;
  username: string | null;
  email: string | null;
  status: number | null;
  statusText: string | null;
  type: number | null;
  title: string | null;
  firstname: string | null;
  lastname: string | null;
  fullName: string | null;
  mobileNo: string | null;
  empNo: string | null;
  empPosition: string | null;
  teachGroup: string | null;
  gender: string | null;
  profilePic: string | null;
  imageURI: string | null;
  /** The homeroom class. */
  takecare: string | null;
}

/**
 * Arguments of `students` (string filters are partial matches; `search` spans code, names, mobile
 * number and citizen id).
 *
 * @example
 * ```ts
 * const args: StudentsArgs = { search: '0812', limit: 50, offset: 50 };
 * ```
 */
export interface StudentsArgs {
  limit?: number;
  offset?: number;
  search?: string;
  code?: string;
  firstname?: string;
  lastname?: string;
  mobileNo?: string;
  citizenId?: string;
}

/**
 * Arguments of `teachers`.
 *
 * @example
 * ```ts
 * const args: TeachersArgs = { search: 'คณิต', status: 1 };
 * ```
 */
export interface TeachersArgs {
  limit?: number;
  offset?: number;
  search?: string;
  username?: string;
  firstname?: string;
  lastname?: string;
  email?: string;
  mobileNo?: string;
  citizenId?: string;
  status?: number;
}

/**
 * Who logged in: the `AuthUser` type of NextSchool's `login` payload (authentication page).
 *
 * @example
 * ```ts
 * const { user }: { user: AuthUser | null } = await ns.login();
 * console.log(user?.name);
 * ```
 */
export interface AuthUser {
  id: number | null;
  username: string | null;
  name: string | null;
  email: string | null;
}

/**
 * What NextSchool's `login` mutation returns.
 *
 * @example
 * ```ts
 * const payload: LoginPayload = { accessToken, refreshToken, expiresIn: 900, user: { id: 42, username: 'api_user', name: 'API User', email: 'api@school.ac.th' } };
 * ```
 */
export interface LoginPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user?: AuthUser | null;
}

const STUDENT_FIELDS = gql`
  fragment NextSchoolStudentFields on Student {
    id code title firstname lastname fullName firstnameEn lastnameEn citizenId gender blood dob
    address telephone mobileNo status statusText image imageURI orderNumber classroomName
  }
`;

const TEACHER_FIELDS = gql`
  fragment NextSchoolTeacherFields on Teacher {
    id username email status statusText type title firstname lastname fullName mobileNo empNo
    empPosition teachGroup gender profilePic imageURI takecare
  }
`;

/**
 * `students(...)` with every documented field.
 *
 * @example
 * ```ts
 * const { students } = await ns.query(STUDENTS_QUERY, { search: 'สมชาย', limit: 10 });
 * ```
 */
export const STUDENTS_QUERY = gql<{ students: Array<Student | null> | null }, StudentsArgs>`
  query NextSchoolStudents($limit: Int, $offset: Int, $search: String, $code: String, $firstname: String, $lastname: String, $mobileNo: String, $citizenId: String) {
    students(limit: $limit, offset: $offset, search: $search, code: $code, firstname: $firstname, lastname: $lastname, mobileNo: $mobileNo, citizenId: $citizenId) {
      ...NextSchoolStudentFields
    }
  }
  ${STUDENT_FIELDS}
`;

/**
 * `student(id)` with every documented field.
 *
 * @example
 * ```ts
 * const { student } = await ns.query(STUDENT_QUERY, { id: 1 });
 * ```
 */
export const STUDENT_QUERY = gql<{ student: Student | null }, { id: number }>`
  query NextSchoolStudent($id: Int) { student(id: $id) { ...NextSchoolStudentFields } }
  ${STUDENT_FIELDS}
`;

/**
 * `teachers(...)` with every documented field.
 *
 * @example
 * ```ts
 * const { teachers } = await ns.query(TEACHERS_QUERY, { limit: 5 });
 * ```
 */
export const TEACHERS_QUERY = gql<{ teachers: Array<Teacher | null> | null }, TeachersArgs>`
  query NextSchoolTeachers($limit: Int, $offset: Int, $search: String, $username: String, $firstname: String, $lastname: String, $email: String, $mobileNo: String, $citizenId: String, $status: Int) {
    teachers(limit: $limit, offset: $offset, search: $search, username: $username, firstname: $firstname, lastname: $lastname, email: $email, mobileNo: $mobileNo, citizenId: $citizenId, status: $status) {
      ...NextSchoolTeacherFields
    }
  }
  ${TEACHER_FIELDS}
`;

/**
 * `teacher(id)` with every documented field.
 *
 * @example
 * ```ts
 * const { teacher } = await ns.query(TEACHER_QUERY, { id: 2 });
 * ```
 */
export const TEACHER_QUERY = gql<{ teacher: Teacher | null }, { id: number }>`
  query NextSchoolTeacher($id: Int) { teacher(id: $id) { ...NextSchoolTeacherFields } }
  ${TEACHER_FIELDS}
`;

/**
 * NextSchool's login mutation (credentials as variables), selecting who logged in (`user`).
 *
 * @example
 * ```ts
 * await axios.post(NEXTSCHOOL_URL, { query: LOGIN_MUTATION, variables: { username, password }, operationName: 'Login' });
 * ```
 */
export const LOGIN_MUTATION =
  'mutation Login($username: String!, $password: String!) { login(username: $username, password: $password) { accessToken refreshToken expiresIn user { id username name email } } }';

/**
 * NextSchool's logout mutation (arguments and result are not documented; the sandbox takes none).
 *
 * @example
 * ```ts
 * await ns.logout(); // sends LOGOUT_MUTATION, then forgets the tokens
 * ```
 */
export const LOGOUT_MUTATION = 'mutation Logout { logout }';
