/**
 * A criterion of a rule set as a credit officer reads it: its operator and thresholds as data, and
 * one sentence in Thai and one in English ("employees at most 200" / "จำนวนพนักงานไม่เกิน 200 คน").
 * Pure: explanations (GraphQL) and the integrators' docs are built from it, so the text can never
 * disagree with the rule that was evaluated.
 */
import type { Criterion, CriterionKind, NumberRange, RuleSet } from './rule-set';

/** How the firm's value is compared with the rule. */
export type RuleOperator = 'IN_RANGE' | 'ONE_OF' | 'EQUALS' | 'LOCATED_IN' | 'HOLDS_VALID_LICENCE' | 'HAS_OPERATING_FACTORY' | 'ANY_OF' | 'ALL_OF';

/** One bound of a range: `GTE 50` is "at least 50". */
export interface RuleComparison {
  operator: 'GTE' | 'GT' | 'LTE' | 'LT';
  threshold: number;
}

export interface DescribedRule {
  /** Where the criterion sits in the rule set, e.g. `criteria[2].criteria[0]` (as in results). */
  path: string;
  kind: CriterionKind;
  id: string | null;
  operator: RuleOperator;
  /** The bounds of a range criterion, low first; empty for others. */
  comparisons: RuleComparison[];
  /** The listed values of a list criterion (types, sizes, industries, standards, provinces, regions); empty for others. */
  values: string[];
  /** The value an EQUALS criterion asks for (`ACTIVE`); null for others. */
  equals: string | null;
  /** Location only: the Eastern Economic Corridor counts. */
  eec: boolean;
  /** The unit of a range's thresholds: `baht`, `employees`, `percent`, `years`, `level`; null for others. */
  unit: string | null;
  /** The bank's own wording, when it gave one. */
  note: string | null;
  textTh: string;
  textEn: string;
  /** The criteria of an `anyOf` or `allOf` group; empty for others. */
  criteria: DescribedRule[];
}

interface Subject {
  en: string;
  th: string;
  unit: string;
  unitEn: string;
  unitTh: string;
}

const RANGE_SUBJECT: Record<string, Subject> = {
  yearsSinceRegistration: { en: 'years since registration', th: 'อายุกิจการนับจากวันจดทะเบียน', unit: 'years', unitEn: 'years', unitTh: 'ปี' },
  employees: { en: 'employees', th: 'จำนวนพนักงาน', unit: 'employees', unitEn: '', unitTh: 'คน' },
  revenueBaht: { en: 'yearly revenue', th: 'รายได้ต่อปี', unit: 'baht', unitEn: 'baht', unitTh: 'บาท' },
  fixedAssetsBaht: { en: 'fixed assets (excluding land)', th: 'สินทรัพย์ถาวร (ไม่รวมที่ดิน)', unit: 'baht', unitEn: 'baht', unitTh: 'บาท' },
  thaiShareholdingPct: { en: 'Thai shareholding', th: 'สัดส่วนผู้ถือหุ้นสัญชาติไทย', unit: 'percent', unitEn: '%', unitTh: '%' },
  i40Level: { en: 'Industry 4.0 level', th: 'ระดับ Industry 4.0', unit: 'level', unitEn: '', unitTh: '' },
};

const number = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const withUnit = (n: number, unit: string): string => (unit === '' ? number(n) : unit === '%' ? `${number(n)} %` : `${number(n)} ${unit}`);

function comparisonsOf(range: NumberRange): RuleComparison[] {
  const out: RuleComparison[] = [];
  if (range.atLeast !== undefined) out.push({ operator: 'GTE', threshold: range.atLeast });
  if (range.moreThan !== undefined) out.push({ operator: 'GT', threshold: range.moreThan });
  if (range.atMost !== undefined) out.push({ operator: 'LTE', threshold: range.atMost });
  if (range.lessThan !== undefined) out.push({ operator: 'LT', threshold: range.lessThan });
  return out;
}

const COMPARISON_EN: Record<RuleComparison['operator'], string> = { GTE: 'at least', GT: 'more than', LTE: 'at most', LT: 'less than' };
const COMPARISON_TH: Record<RuleComparison['operator'], string> = { GTE: 'ตั้งแต่', GT: 'มากกว่า', LTE: 'ไม่เกิน', LT: 'น้อยกว่า' };

const REGION_TH: Record<string, string> = { North: 'ภาคเหนือ', Central: 'ภาคกลาง', Northeast: 'ภาคตะวันออกเฉียงเหนือ', West: 'ภาคตะวันตก', East: 'ภาคตะวันออก', South: 'ภาคใต้' };
const JURISTIC_TYPE_TH: Record<string, string> = {
  COMPANY: 'บริษัทจำกัด',
  PUBLIC_COMPANY: 'บริษัทมหาชนจำกัด',
  LIMITED_PARTNERSHIP: 'ห้างหุ้นส่วนจำกัด',
  ORDINARY_PARTNERSHIP: 'ห้างหุ้นส่วนสามัญ',
};
const SME_SIZE_TH: Record<string, string> = { MICRO: 'รายย่อย', SMALL: 'ขนาดย่อม', MEDIUM: 'ขนาดกลาง', LARGE: 'ขนาดใหญ่' };

const list = (values: readonly string[], word: string): string => (values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} ${word} ${values.at(-1)!}`);

/** Every criterion of a rule set, described, in rule-set order. */
export function describeRuleSet(ruleSet: RuleSet): DescribedRule[] {
  return ruleSet.criteria.map((criterion, i) => describeCriterion(criterion, `criteria[${i}]`));
}

export function describeCriterion(criterion: Criterion, path: string): DescribedRule {
  const base = { path, kind: criterion.kind, id: criterion.id ?? null, note: criterion.note ?? null, comparisons: [], values: [], equals: null, eec: false, unit: null, criteria: [] };
  switch (criterion.kind) {
    case 'yearsSinceRegistration':
    case 'employees':
    case 'revenueBaht':
    case 'fixedAssetsBaht':
    case 'thaiShareholdingPct':
    case 'i40Level': {
      const subject = RANGE_SUBJECT[criterion.kind]!;
      const comparisons = comparisonsOf(criterion);
      const en = comparisons.map((c) => `${COMPARISON_EN[c.operator]} ${withUnit(c.threshold, subject.unitEn)}`).join(' and ');
      const th = comparisons.map((c) => `${COMPARISON_TH[c.operator]} ${withUnit(c.threshold, subject.unitTh)}`).join(' และ');
      return { ...base, operator: 'IN_RANGE', comparisons, unit: subject.unit, textEn: `${subject.en} ${en}`, textTh: `${subject.th}${th}` };
    }
    case 'juristicType':
      return {
        ...base,
        operator: 'ONE_OF',
        values: [...criterion.in],
        textEn: `juristic type is ${list(criterion.in.map((t) => t.toLowerCase().replace(/_/g, ' ')), 'or')}`,
        textTh: `ประเภทนิติบุคคลเป็น${list(criterion.in.map((t) => JURISTIC_TYPE_TH[t] ?? t), 'หรือ')}`,
      };
    case 'activeStatus':
      return { ...base, operator: 'EQUALS', equals: 'ACTIVE', textEn: 'registered status is active (not dissolved, abandoned or bankrupt)', textTh: 'สถานะนิติบุคคลยังดำเนินกิจการอยู่ (ไม่เลิก ร้าง หรือล้มละลาย)' };
    case 'smeSize':
      return {
        ...base,
        operator: 'ONE_OF',
        values: [...criterion.in],
        textEn: `SME size (2019 regulation) is ${list(criterion.in.map((s) => s.toLowerCase()), 'or')}`,
        textTh: `ขนาดวิสาหกิจ (กฎกระทรวง พ.ศ. 2562) เป็น${list(criterion.in.map((s) => SME_SIZE_TH[s] ?? s), 'หรือ')}`,
      };
    case 'location': {
      const partsEn: string[] = [];
      const partsTh: string[] = [];
      if (criterion.provinces) {
        partsEn.push(`province ${list(criterion.provinces, 'or')}`);
        partsTh.push(`จังหวัดรหัส ${list(criterion.provinces, 'หรือ')}`);
      }
      if (criterion.regions) {
        partsEn.push(`the ${list(criterion.regions, 'or')} region`);
        partsTh.push(list(criterion.regions.map((r) => REGION_TH[r] ?? r), 'หรือ'));
      }
      if (criterion.eec) {
        partsEn.push('the Eastern Economic Corridor (EEC)');
        partsTh.push('เขตพัฒนาพิเศษภาคตะวันออก (EEC)');
      }
      return {
        ...base,
        operator: 'LOCATED_IN',
        values: [...(criterion.provinces ?? []), ...(criterion.regions ?? [])],
        eec: criterion.eec === true,
        textEn: `head office in ${partsEn.join(' or ')}`,
        textTh: `สำนักงานใหญ่ตั้งอยู่ใน${partsTh.join(' หรือ ')}`,
      };
    }
    case 'targetIndustry':
      return {
        ...base,
        operator: 'ONE_OF',
        values: [...criterion.in],
        textEn: `in a target industry: ${list(criterion.in, 'or')}`,
        textTh: `อยู่ในอุตสาหกรรมเป้าหมาย ${list(criterion.in, 'หรือ')}`,
      };
    case 'tisiLicence':
      return {
        ...base,
        operator: 'HOLDS_VALID_LICENCE',
        values: [...(criterion.standards ?? [])],
        textEn: criterion.standards ? `holds a valid TISI licence for standard ${list(criterion.standards, 'or')}` : 'holds a valid TISI licence',
        textTh: criterion.standards ? `มีใบอนุญาต มอก. ที่ยังใช้ได้ตามมาตรฐาน มอก. ${list(criterion.standards, 'หรือ')}` : 'มีใบอนุญาต มอก. ที่ยังใช้ได้',
      };
    case 'operatingFactory':
      return { ...base, operator: 'HAS_OPERATING_FACTORY', textEn: 'operates a DIW-licensed factory', textTh: 'มีโรงงานที่ได้รับอนุญาตจากกรมโรงงานอุตสาหกรรมและประกอบกิจการอยู่' };
    case 'anyOf':
    case 'allOf': {
      const criteria = criterion.criteria.map((child, i) => describeCriterion(child, `${path}.criteria[${i}]`));
      const any = criterion.kind === 'anyOf';
      return {
        ...base,
        operator: any ? 'ANY_OF' : 'ALL_OF',
        criteria,
        textEn: `${any ? 'any' : 'all'} of: ${criteria.map((c) => c.textEn).join('; ')}`,
        textTh: `${any ? 'ข้อใดข้อหนึ่ง' : 'ทุกข้อ'}: ${criteria.map((c) => c.textTh).join('; ')}`,
      };
    }
  }
}

/** The described criterion at a result's path (`criteria[2].criteria[0]`), if the rule set has one there. */
export function ruleAtPath(rules: readonly DescribedRule[], path: string): DescribedRule | undefined {
  let level: readonly DescribedRule[] = rules;
  let found: DescribedRule | undefined;
  for (const match of path.matchAll(/criteria\[(\d+)\]/g)) {
    found = level[Number(match[1])];
    if (!found) return undefined;
    level = found.criteria;
  }
  return found?.path === path ? found : undefined;
}
