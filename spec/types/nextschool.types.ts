// Type tests for the NextSchool preset (typed without a code generator), checked by
// `npm run typecheck`. They replace the `@ts-expect-error` lines inside the runtime test
// 'types and serves the documented queries' (spec/integration/nextschool.spec.ts).
import { expectTypeOf } from 'expect-type';
import { createNextSchoolClient, STUDENTS_QUERY, type Student, type StudentsArgs } from '../../lib/nextschool';

const ns = createNextSchoolClient({ url: 'http://127.0.0.1:1/graphql', username: 'u', password: 'p' });

expectTypeOf(ns.query(STUDENTS_QUERY, { search: 'สมชาย', limit: 3 })).toEqualTypeOf<Promise<{ students: Array<Student | null> | null }>>();
expectTypeOf(ns.students).parameter(0).toEqualTypeOf<StudentsArgs | undefined>();
expectTypeOf(ns.students()).toEqualTypeOf<Promise<Array<Student | null>>>();
expectTypeOf<StudentsArgs>().not.toHaveProperty('classroom');
expectTypeOf<Student>().not.toHaveProperty('grade');
expectTypeOf<Student>().toHaveProperty('fullName');
expectTypeOf<Student>().toHaveProperty('classroomName');
// @ts-expect-error `classroom` is not an argument of students
void ns.students({ classroom: 'ม.1/1' });
