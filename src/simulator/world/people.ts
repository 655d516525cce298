/**
 * Simulated people (directors, shareholders) and foreign companies. Invented names: any likeness to
 * a real person is chance. Thai personal IDs are 13 digits with a valid check digit and a first
 * digit of 1-8, as real ones; they are personal data in form, which is the point: the hub must mask
 * them.
 */
import type { Random } from '../random';
import { juristicCheckDigit } from './juristic-id';

const THAI_MALE_FIRST = ['สมชาย', 'สมศักดิ์', 'ประเสริฐ', 'วิชัย', 'สุรชัย', 'ธนพล', 'กิตติ', 'อนุชา', 'ชาญวิทย์', 'ณัฐพงศ์', 'ปิยะ', 'วีระ', 'เอกชัย', 'ศุภชัย', 'ธีรวัฒน์', 'พงศ์ศักดิ์'];
const THAI_FEMALE_FIRST = ['สมศรี', 'มาลี', 'วันเพ็ญ', 'สุนันทา', 'ปราณี', 'กนกวรรณ', 'ศิริพร', 'จันทร์เพ็ญ', 'อรุณี', 'พรทิพย์', 'ณัฐธิดา', 'วรรณา', 'รัตนา', 'นภัสสร', 'ชนิดา', 'ดวงใจ'];
const THAI_SURNAMES = [
  'ใจดี', 'ศรีสุข', 'รุ่งเรือง', 'มั่นคง', 'ทองคำ', 'สุวรรณรัตน์', 'เจริญผล', 'วงศ์สวัสดิ์', 'พานิชกุล', 'ชัยมงคล', 'แสงทอง',
  'บุญมา', 'ศักดิ์สิทธิ์', 'อุดมสุข', 'ธนสาร', 'กิจเจริญ', 'ตั้งตระกูล', 'สิทธิโชค', 'เลิศวิไล', 'นาคสุข', 'พงษ์ไพบูลย์', 'ปัญญาดี',
];

/** [nationality as DBD writes it, given names, family names, companies' words]. */
const FOREIGN = [
  { nationality: 'ญี่ปุ่น', given: ['Takeshi', 'Hiroshi', 'Kenji', 'Yuko', 'Akira', 'Naoko'], family: ['Yamamoto', 'Suzuki', 'Tanaka', 'Watanabe', 'Sato', 'Kobayashi'], weight: 40 },
  { nationality: 'จีน', given: ['Wei', 'Jun', 'Li', 'Ming', 'Xiaoling', 'Hao'], family: ['Wang', 'Zhang', 'Chen', 'Liu', 'Huang', 'Zhao'], weight: 25 },
  { nationality: 'สิงคโปร์', given: ['Daniel', 'Rachel', 'Kelvin', 'Grace', 'Marcus', 'Mei Ling'], family: ['Tan', 'Lim', 'Lee', 'Ng', 'Goh', 'Ong'], weight: 15 },
  { nationality: 'ไต้หวัน', given: ['Chih-Wei', 'Yu-Ting', 'Kuan-Lin', 'Shu-Fen'], family: ['Lin', 'Wu', 'Tsai', 'Hsu'], weight: 10 },
  { nationality: 'สหรัฐอเมริกา', given: ['John', 'Michael', 'Sarah', 'David', 'Emily'], family: ['Smith', 'Johnson', 'Miller', 'Davis', 'Wilson'], weight: 10 },
] as const;

const FOREIGN_COMPANY_WORDS = ['Holdings', 'Industries', 'Trading', 'Investment', 'Manufacturing', 'Asia Pacific'];

export interface Person {
  name: string;
  nationality: string;
  /** Thai nationals only: 13-digit personal ID. */
  personalId?: string;
}

export function thaiPerson(random: Random): Person {
  const female = random.chance(0.45);
  const first = random.pick(female ? THAI_FEMALE_FIRST : THAI_MALE_FIRST);
  const title = female ? random.pick(['นาง', 'นางสาว']) : 'นาย';
  return { name: `${title}${first} ${random.pick(THAI_SURNAMES)}`, nationality: 'ไทย', personalId: thaiPersonalId(random) };
}

export function foreignPerson(random: Random): Person {
  const origin = pickForeign(random);
  const given = random.pick(origin.given);
  const family = random.pick(origin.family);
  const title = random.chance(0.7) ? 'Mr.' : 'Ms.';
  return { name: `${title} ${given} ${family}`, nationality: origin.nationality };
}

/** A foreign company holding shares in a Thai firm, e.g. `Yamamoto Holdings Co., Ltd.` */
export function foreignCompany(random: Random): Person {
  const origin = pickForeign(random);
  return { name: `${random.pick(origin.family)} ${random.pick(FOREIGN_COMPANY_WORDS)} ${random.pick(['Co., Ltd.', 'Pte. Ltd.', 'Inc.', 'Corporation'])}`, nationality: origin.nationality };
}

function pickForeign(random: Random): (typeof FOREIGN)[number] {
  const total = FOREIGN.reduce((sum, origin) => sum + origin.weight, 0);
  let target = random.next() * total;
  for (const origin of FOREIGN) {
    target -= origin.weight;
    if (target < 0) return origin;
  }
  return FOREIGN[0];
}

/** 13 digits: first 1-8, a valid check digit. */
function thaiPersonalId(random: Random): string {
  let first12 = String(random.int(1, 8));
  for (let i = 1; i < 12; i++) first12 += String(random.int(0, 9));
  return `${first12}${juristicCheckDigit(first12)}`;
}
