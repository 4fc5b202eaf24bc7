// Deterministic Thai sample data for the sandbox: 60 students and 12 teachers of one school.
// The first student is the record the NextSchool docs show.

export interface SandboxStudent {
  id: number;
  code: string;
  title: string;
  firstname: string;
  lastname: string;
  fullName: string;
  firstnameEn: string;
  lastnameEn: string;
  citizenId: string;
  gender: string;
  blood: string;
  dob: string;
  address: string;
  telephone: string;
  mobileNo: string;
  status: number;
  statusText: string;
  image: string | null;
  imageURI: string | null;
  orderNumber: number;
  classroomName: string;
  /** Not a documented field of `Student`: the care module's `classroomId` filter matches it. */
  classroomId: number;
}

export interface SandboxTeacher {
  id: number;
  username: string;
  email: string;
  status: number;
  statusText: string;
  type: number;
  title: string;
  firstname: string;
  lastname: string;
  fullName: string;
  mobileNo: string;
  empNo: string;
  empPosition: string;
  teachGroup: string;
  gender: string;
  profilePic: string | null;
  imageURI: string | null;
  takecare: string | null;
  /** Not a documented field of `Teacher`, but `teachers(citizenId)` and `search` match it. */
  citizenId: string;
  /** The homeroom class's id (see `CLASSROOM_IDS`), for `Teacher.visitSummary`. */
  takecareId: number | null;
}

const BOYS: Array<[string, string]> = [
  ['สมชาย', 'Somchai'],
  ['วิชัย', 'Wichai'],
  ['ธนา', 'Thana'],
  ['ปิยะ', 'Piya'],
  ['กิตติ', 'Kitti'],
  ['อนันต์', 'Anan'],
  ['ณัฐ', 'Nat'],
  ['ภูมิ', 'Phum'],
];
const GIRLS: Array<[string, string]> = [
  ['สมหญิง', 'Somying'],
  ['มาลี', 'Malee'],
  ['ปราณี', 'Pranee'],
  ['อรุณี', 'Arunee'],
  ['พิมพ์', 'Pim'],
  ['ศิริ', 'Siri'],
  ['นภา', 'Napha'],
  ['กมล', 'Kamon'],
];
const LAST: Array<[string, string]> = [
  ['ใจดี', 'Jaidee'],
  ['รักเรียน', 'Rakrian'],
  ['มีสุข', 'Meesuk'],
  ['ศรีสวัสดิ์', 'Srisawat'],
  ['แสงทอง', 'Saengthong'],
  ['บุญมา', 'Boonma'],
  ['วงศ์ไทย', 'Wongthai'],
  ['สุขสันต์', 'Suksan'],
];
const CLASSES = ['ม.1/1', 'ม.1/2', 'ม.2/1', 'ม.3/1', 'ม.4/1', 'ม.4/2', 'ม.5/1', 'ม.6/1'];
const BLOOD = ['A', 'B', 'O', 'AB'];

/** Classroom ids of `CLASSES`, in order: 41 → ม.1/1, 42 → ม.1/2 (the docs' examples use `classroomId: 42`). */
export const CLASSROOM_IDS = CLASSES.map((_, i) => 41 + i);

function citizenId(n: number): string {
  return `1${String(100000000000 + n * 7919).slice(-12)}`;
}

export function sampleStudents(): SandboxStudent[] {
  return Array.from({ length: 60 }, (_, i) => {
    const id = i + 1;
    const boy = i % 2 === 0;
    const [first, firstEn] = (boy ? BOYS : GIRLS)[Math.floor(i / 2) % 8]!;
    const [last, lastEn] = LAST[(i * 3) % 8]!;
    const classroomName = CLASSES[Math.floor(i / 8) % CLASSES.length]!;
    const senior = classroomName >= 'ม.4';
    const title = boy ? (senior ? 'นาย' : 'เด็กชาย') : senior ? 'นางสาว' : 'เด็กหญิง';
    const active = id % 15 !== 0;
    return {
      id,
      code: String(10000 + id),
      title,
      firstname: first,
      lastname: last,
      fullName: `${title}${first} ${last}`,
      firstnameEn: firstEn,
      lastnameEn: lastEn,
      citizenId: citizenId(id),
      gender: boy ? 'ชาย' : 'หญิง',
      blood: BLOOD[id % 4]!,
      dob: `${2008 + (i % 6)}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`,
      address: `${10 + id} หมู่ ${(id % 9) + 1} ตำบลในเมือง อำเภอเมือง จังหวัดขอนแก่น 40000`,
      telephone: `043-${String(200000 + id).slice(-6)}`,
      mobileNo: `08${String(10000000 + id * 7331).slice(-8)}`,
      status: active ? 10 : 20,
      statusText: active ? 'กำลังศึกษา' : 'ย้ายสถานศึกษา',
      image: null,
      imageURI: null,
      orderNumber: (i % 8) + 1,
      classroomName,
      classroomId: CLASSROOM_IDS[Math.floor(i / 8) % CLASSES.length]!,
    };
  });
}

const SUBJECTS = ['คณิตศาสตร์', 'วิทยาศาสตร์', 'ภาษาไทย', 'ภาษาอังกฤษ', 'สังคมศึกษา', 'สุขศึกษาและพลศึกษา'];

export function sampleTeachers(): SandboxTeacher[] {
  return Array.from({ length: 12 }, (_, i) => {
    const id = i + 1;
    const male = i % 2 === 1;
    const [first, firstEn] = (male ? BOYS : GIRLS)[(i + 3) % 8]!;
    const [last] = LAST[(i * 5) % 8]!;
    const title = male ? 'นาย' : 'นาง';
    return {
      id,
      username: `${firstEn.toLowerCase()}.t${id}`,
      email: `${firstEn.toLowerCase()}.t${id}@school.example`,
      status: 1,
      statusText: 'ปฏิบัติราชการ',
      type: 1,
      title,
      firstname: first,
      lastname: last,
      fullName: `${title}${first} ${last}`,
      mobileNo: `09${String(20000000 + id * 4391).slice(-8)}`,
      empNo: `T${String(id).padStart(4, '0')}`,
      empPosition: id % 4 === 0 ? 'ครูชำนาญการพิเศษ' : 'ครู',
      teachGroup: SUBJECTS[i % SUBJECTS.length]!,
      gender: male ? 'ชาย' : 'หญิง',
      profilePic: null,
      imageURI: null,
      takecare: CLASSES[i % CLASSES.length] ?? null,
      citizenId: `3${String(400000000000 + id * 6151).slice(-12)}`,
      takecareId: CLASSROOM_IDS[i % CLASSES.length] ?? null,
    };
  });
}
