import { type RespondentType, SCREEN_DOMAINS, type ScreenRecord, VISIT_FLAGS, type VisitRecord } from './care-data';

// The care module's classifications and scores, as the NextSchool pages define them
// (docs/nextschool.md#care-module): visit and screening "overall" values, SDQ and EQ templates and levels.

export const VISIT_OVERALL_TEXT = { NOT_VISITED: 'ยังไม่เยี่ยม', NORMAL: 'ปกติ', PROBLEM: 'มีปัญหา' } as const;
export type VisitOverall = keyof typeof VISIT_OVERALL_TEXT;

export function visitOverall(visit: VisitRecord | undefined): VisitOverall {
  if (!visit) return 'NOT_VISITED';
  return VISIT_FLAGS.some((flag) => visit.flags.has(flag)) ? 'PROBLEM' : 'NORMAL';
}

export type ScreenOverall = 'NOT_SCREENED' | 'SPECIAL' | 'PROBLEM' | 'RISK' | 'TALENT' | 'NORMAL';

/** In the documented order of precedence: genius, then any PROBLEM, any RISK, talent flags, normal. */
export function screenOverall(screen: ScreenRecord | undefined): ScreenOverall {
  if (!screen) return 'NOT_SCREENED';
  if (screen.isGenius) return 'SPECIAL';
  if (screen.states.includes('PROBLEM')) return 'PROBLEM';
  if (screen.states.includes('RISK')) return 'RISK';
  if (screen.isAcademicSpecial || screen.isActivity) return 'TALENT';
  return 'NORMAL';
}

export const STATE_TEXT = { NORMAL: 'ปกติ', RISK: 'เสี่ยง', PROBLEM: 'มีปัญหา' } as const;

export function screenDomains(screen: ScreenRecord) {
  return SCREEN_DOMAINS.map(([name, nameText], i) => ({
    name,
    nameText,
    state: screen.states[i]!,
    stateText: STATE_TEXT[screen.states[i]!],
  }));
}

// SDQ: 25 items, five dimensions of five questions (1-based), risk thresholds from the SDQ page.
const SDQ_ITEMS = [
  'ห่วงใยความรู้สึกคนอื่น',
  'อยู่ไม่นิ่ง นั่งนิ่ง ๆ ไม่ได้',
  'มักบ่นว่าปวดศีรษะ ปวดท้อง หรือไม่สบาย',
  'เต็มใจแบ่งปันสิ่งของให้เพื่อน',
  'มักอาละวาดหรือโมโหร้าย',
  'ค่อนข้างแยกตัว ชอบเล่นคนเดียว',
  'เชื่อฟัง มักทำตามที่ผู้ใหญ่ต้องการ',
  'กังวลใจหลายเรื่อง ดูวิตกกังวลเสมอ',
  'เป็นที่พึ่งได้เวลาที่คนอื่นเสียใจ',
  'อยู่ไม่สุข วุ่นวายอย่างมาก',
  'มีเพื่อนสนิท',
  'มักมีเรื่องทะเลาะวิวาทหรือรังแกเด็กอื่น',
  'ดูไม่มีความสุข ท้อแท้ ร้องไห้บ่อย',
  'เป็นที่ชื่นชอบของเพื่อน',
  'วอกแวกง่าย สมาธิสั้น',
  'เครียด ไม่ยอมห่างเวลาอยู่ในสถานการณ์ที่ไม่คุ้น',
  'ใจดีกับเด็กที่เล็กกว่า',
  'ชอบโกหกหรือขี้โกง',
  'ถูกเด็กคนอื่นล้อเลียนหรือรังแก',
  'ชอบอาสาช่วยเหลือคนอื่น',
  'คิดก่อนทำ',
  'ขโมยของที่บ้าน ที่โรงเรียน หรือที่อื่น',
  'เข้ากับผู้ใหญ่ได้ดีกว่าเด็กวัยเดียวกัน',
  'ขี้กลัว รู้สึกหวาดกลัวได้ง่าย',
  'ทำงานได้จนเสร็จ มีความตั้งใจในการทำงาน',
];
/** Items scored in reverse in the SDQ (a "true" answer scores 0): carried by their answers' points. */
const SDQ_REVERSED = new Set([7, 11, 14, 21, 25]);
export const SDQ_DIMENSIONS: Array<{ name: string; questions: number[]; threshold?: number }> = [
  { name: 'EMOTIONAL', questions: [3, 8, 13, 16, 24], threshold: 6 },
  { name: 'CONDUCT', questions: [5, 7, 12, 18, 22], threshold: 5 },
  { name: 'HYPERACTIVITY', questions: [2, 10, 15, 21, 25], threshold: 6 },
  { name: 'PEER', questions: [6, 11, 14, 19, 23], threshold: 4 },
  { name: 'PROSOCIAL', questions: [1, 4, 9, 17, 20] },
];
export const LEVEL_TEXT: Record<string, string> = {
  NOT_ASSESSED: 'ยังไม่ประเมิน',
  PARTIAL: 'ประเมินยังไม่ครบ',
  PROBLEM: 'มีปัญหา',
  RISK: 'เสี่ยง',
  NORMAL: 'ปกติ',
  STRENGTH: 'เป็นจุดแข็ง',
  NO_STRENGTH: 'ไม่เป็นจุดแข็ง',
  LOW: 'ต่ำกว่าเกณฑ์',
  HIGH: 'สูงกว่าปกติ',
};

export function sdqTemplate() {
  const choices = ['ไม่จริง', 'ค่อนข้างจริง', 'จริง'];
  return {
    id: 1,
    name: 'แบบประเมินจุดแข็งและจุดอ่อน (SDQ)',
    questions: SDQ_ITEMS.map((text, i) => ({
      id: 101 + i,
      orderNumber: i + 1,
      questionText: text,
      answers: choices.map((answerText, a) => ({ id: (101 + i) * 10 + a, answerText, answerPoint: SDQ_REVERSED.has(i + 1) ? 2 - a : a })),
    })),
  };
}

export function scoreSdq(respondentType: RespondentType, points: Array<number | null>) {
  const answered = points.filter((p) => p !== null).length;
  const dimensions = SDQ_DIMENSIONS.map(({ name, questions, threshold }) => {
    const values = questions.map((q) => points[q - 1] ?? null);
    if (values.some((v) => v === null)) return { dimension: name, score: null, level: 'NOT_ASSESSED' };
    const score = values.reduce<number>((sum, v) => sum + v!, 0);
    const level =
      threshold === undefined
        ? score > 3
          ? 'STRENGTH'
          : 'NO_STRENGTH'
        : score > threshold
          ? 'PROBLEM'
          : score === threshold
            ? 'RISK'
            : 'NORMAL';
    return { dimension: name, score, level };
  });
  const totalScore = SDQ_DIMENSIONS.slice(0, 4).reduce(
    (sum, { questions }) => sum + questions.reduce((s, q) => s + (points[q - 1] ?? 0), 0),
    0,
  );
  const level =
    answered === 0 ? 'NOT_ASSESSED' : answered < 20 ? 'PARTIAL' : totalScore > 18 ? 'PROBLEM' : totalScore >= 17 ? 'RISK' : 'NORMAL';
  return {
    respondentType,
    answered,
    totalScore: answered === 0 ? null : totalScore,
    level,
    levelText: LEVEL_TEXT[level],
    dimensions: dimensions.map((d) => ({ ...d, levelText: LEVEL_TEXT[d.level] })),
  };
}

// EQ: 52 items in 9 dimensions (6 each, self-esteem 4), NORMAL ranges from the EQ page.
export const EQ_DIMENSIONS: Array<{
  group: string;
  groupText: string;
  name: string;
  nameText: string;
  count: number;
  min: number;
  max: number;
}> = [
  { group: 'GOOD', groupText: 'ดี', name: 'SELF_CONTROL', nameText: 'ควบคุมตนเอง', count: 6, min: 13, max: 18 },
  { group: 'GOOD', groupText: 'ดี', name: 'EMPATHY', nameText: 'เห็นใจผู้อื่น', count: 6, min: 16, max: 21 },
  { group: 'GOOD', groupText: 'ดี', name: 'RESPONSIBILITY', nameText: 'รับผิดชอบ', count: 6, min: 17, max: 23 },
  { group: 'SMART', groupText: 'เก่ง', name: 'MOTIVATION', nameText: 'มีแรงจูงใจ', count: 6, min: 15, max: 21 },
  { group: 'SMART', groupText: 'เก่ง', name: 'DECISION_MAKING', nameText: 'ตัดสินใจและแก้ปัญหา', count: 6, min: 14, max: 20 },
  { group: 'SMART', groupText: 'เก่ง', name: 'RELATIONSHIP', nameText: 'สัมพันธภาพ', count: 6, min: 15, max: 20 },
  { group: 'HAPPY', groupText: 'สุข', name: 'SELF_ESTEEM', nameText: 'ภูมิใจตนเอง', count: 4, min: 9, max: 14 },
  { group: 'HAPPY', groupText: 'สุข', name: 'LIFE_SATISFACTION', nameText: 'พอใจชีวิต', count: 6, min: 16, max: 22 },
  { group: 'HAPPY', groupText: 'สุข', name: 'INNER_PEACE', nameText: 'สุขสงบทางใจ', count: 6, min: 15, max: 22 },
];

/** The question numbers (1-based) of each EQ dimension, consecutive in the sandbox. */
function eqRanges(): number[][] {
  let next = 1;
  return EQ_DIMENSIONS.map(({ count }) => Array.from({ length: count }, () => next++));
}

export function eqTemplate() {
  const choices = ['ไม่จริง', 'จริงบางครั้ง', 'ค่อนข้างจริง', 'จริงมาก'];
  const ranges = eqRanges();
  return {
    id: 2,
    name: 'แบบประเมินความฉลาดทางอารมณ์ (EQ)',
    questions: Array.from({ length: 52 }, (_, i) => {
      const d = ranges.findIndex((qs) => qs.includes(i + 1));
      return {
        id: 201 + i,
        orderNumber: i + 1,
        questionText: `ข้อ ${i + 1}: ${EQ_DIMENSIONS[d]!.nameText}`,
        answers: choices.map((answerText, a) => ({ id: (201 + i) * 10 + a, answerText, answerPoint: a + 1 })),
      };
    }),
  };
}

export function scoreEq(points: Array<number | null>) {
  const ranges = eqRanges();
  const dimensions = EQ_DIMENSIONS.map((dim, d) => {
    const values = ranges[d]!.map((q) => points[q - 1] ?? null).filter((v): v is number => v !== null);
    const score = values.length ? values.reduce((a, b) => a + b, 0) : null;
    const level = score === null ? 'NOT_ASSESSED' : score < dim.min ? 'LOW' : score > dim.max ? 'HIGH' : 'NORMAL';
    return {
      group: dim.group,
      groupText: dim.groupText,
      dimension: dim.name,
      dimensionText: dim.nameText,
      score,
      normalMin: dim.min,
      normalMax: dim.max,
      level,
      levelText: LEVEL_TEXT[level],
    };
  });
  return { answered: points.filter((p) => p !== null).length, dimensions };
}

/** Per-domain counts of the screenings given (for `adviserScreenStats.domains`). */
export function screenDomainStats(screens: ScreenRecord[]) {
  return SCREEN_DOMAINS.map(([name, nameText], d) => {
    const count = (state: string) => screens.filter((s) => s.states[d] === state).length;
    return { name, nameText, normal: count('NORMAL'), risk: count('RISK'), problem: count('PROBLEM') };
  });
}
