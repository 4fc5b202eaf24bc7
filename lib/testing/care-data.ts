// Deterministic Thai sample data for the care module (docs/nextschool.md#care-module): home visits,
// adviser screenings, SDQ and EQ answers for the sandbox's 60 students, in one academic year
// (id 1, พ.ศ. 2568, active) of two semesters (ids 1 and 2).

/** The academic year the care queries default to ("active year" in the docs). */
export const ACTIVE_ACADEMIC_YEAR_ID = 1;
export const SEMESTERS = [
  { id: 1, academicYearId: 1, name: 'ภาคเรียนที่ 1/2568' },
  { id: 2, academicYearId: 1, name: 'ภาคเรียนที่ 2/2568' },
];

/** The 12 risk flags of a visit's opinion section; any set → `PROBLEM`. */
export const VISIT_FLAGS = [
  'studyAssist',
  'abilityAssist',
  'mentalAssist',
  'physicalAssist',
  'securityAssist',
  'drugAssist',
  'houseAssist',
  'drug',
  'violence',
  'sexual',
  'game',
  'electronic',
] as const;
export type VisitFlag = (typeof VISIT_FLAGS)[number];

/** The 9 screening domains, with their Thai names. */
export const SCREEN_DOMAINS: Array<[string, string]> = [
  ['STUDY', 'ด้านการเรียน'],
  ['HEALTH', 'ด้านสุขภาพ'],
  ['FINANCIAL', 'ด้านเศรษฐกิจ'],
  ['SECURITY', 'ด้านความปลอดภัย'],
  ['DRUG', 'ด้านสารเสพติด'],
  ['VIOLENCE', 'ด้านความรุนแรง'],
  ['SEXUAL', 'ด้านเพศ'],
  ['GAME', 'ด้านการติดเกม'],
  ['ELECTRONIC', 'ด้านการใช้สื่ออิเล็กทรอนิกส์'],
];
export type ScreenState = 'NORMAL' | 'RISK' | 'PROBLEM';

export interface VisitRecord {
  id: number;
  studentId: number;
  semesterId: number;
  visitedAt: string;
  flags: Set<VisitFlag>;
}
export interface ScreenRecord {
  id: number;
  studentId: number;
  semesterId: number;
  screenedAt: string;
  states: ScreenState[];
  isGenius: boolean;
  isAcademicSpecial: boolean;
  isActivity: boolean;
}
export type RespondentType = 'TEACHER' | 'PARENT' | 'STUDENT';
export const RESPONDENTS: RespondentType[] = ['TEACHER', 'PARENT', 'STUDENT'];
/** Points per question, in question order; `null` = not answered. */
export interface AnswerSheet {
  studentId: number;
  semesterId: number;
  points: Array<number | null>;
}

/** A small deterministic hash: the same data on every start. */
const roll = (a: number, b: number, mod: number) => (((a * 2654435761) ^ (b * 40503 + 977)) >>> 0) % mod;
const day = (n: number) => String((n % 27) + 1).padStart(2, '0');

export function sampleVisits(studentIds: number[]): VisitRecord[] {
  const visits: VisitRecord[] = [];
  for (const id of studentIds) {
    if (id % 4 !== 0) {
      const flags = new Set<VisitFlag>(id % 5 === 0 ? ['studyAssist', 'game'] : id % 7 === 0 ? ['houseAssist'] : []);
      visits.push({ id: visits.length + 1, studentId: id, semesterId: 1, visitedAt: `2025-06-${day(id)}T09:30:00+07:00`, flags });
    }
    if (id % 3 === 0) {
      const flags = new Set<VisitFlag>(id % 10 === 0 ? ['mentalAssist'] : []);
      visits.push({ id: visits.length + 1, studentId: id, semesterId: 2, visitedAt: `2025-11-${day(id)}T13:00:00+07:00`, flags });
    }
  }
  return visits;
}

export function sampleScreens(studentIds: number[]): ScreenRecord[] {
  return studentIds
    .filter((id) => id % 6 !== 0)
    .map((id, i) => ({
      id: i + 1,
      studentId: id,
      semesterId: 1,
      screenedAt: `2025-07-${day(id)}T10:00:00+07:00`,
      states: SCREEN_DOMAINS.map((_, d): ScreenState => {
        const r = roll(id, d, 40);
        return r === 0 ? 'PROBLEM' : r <= 2 ? 'RISK' : 'NORMAL';
      }),
      isGenius: id % 29 === 0,
      isAcademicSpecial: id % 11 === 0,
      isActivity: id % 13 === 0,
    }));
}

/** How many of the 25 SDQ questions each respondent answered for a student. */
function sdqAnswered(id: number, respondent: RespondentType): number {
  if (respondent === 'TEACHER') return id % 5 === 0 ? 0 : id % 9 === 0 ? 12 : 25;
  if (respondent === 'PARENT') return id % 2 === 0 ? 25 : 0;
  return id % 3 !== 0 ? 25 : 0;
}

/** SDQ answer points (0–2, already reversed for reverse-scored items), per respondent. */
export function sampleSdq(studentIds: number[]): Map<RespondentType, AnswerSheet[]> {
  const sheets = new Map<RespondentType, AnswerSheet[]>();
  RESPONDENTS.forEach((respondent, r) => {
    sheets.set(
      respondent,
      studentIds.map((id) => ({
        studentId: id,
        semesterId: 1,
        // Students 8, 16, … score high everywhere: some PROBLEM results to look at.
        points: Array.from({ length: 25 }, (_, q) =>
          q < sdqAnswered(id, respondent) ? (id % 8 === 0 ? 2 : roll(id * 3 + r, q, 3)) : null,
        ),
      })),
    );
  });
  return sheets;
}

/** EQ answer points (1–4); every fourth student has not answered. */
export function sampleEq(studentIds: number[]): AnswerSheet[] {
  return studentIds.map((id) => ({
    studentId: id,
    semesterId: 1,
    points: Array.from({ length: 52 }, (_, q) => (id % 4 === 0 ? null : 1 + roll(id, q + 100, 4))),
  }));
}
