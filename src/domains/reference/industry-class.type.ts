import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../platform/graphql/global-id';
import { Node } from '../node/node.type';
import type { TsicEntry } from '../../reference/reference-data';

export enum IndustryClassLevel {
  SECTION = 'section',
  DIVISION = 'division',
  GROUP = 'group',
  CLASS = 'class',
  SUBCLASS = 'subclass',
}
registerEnumType(IndustryClassLevel, {
  name: 'IndustryClassLevel',
  description: 'Level of a TSIC 2009 code in its hierarchy (ระดับของรหัส TSIC).',
  valuesConfig: {
    SECTION: { description: 'Section (หมวดใหญ่): a letter, e.g. `C` manufacturing.' },
    DIVISION: { description: 'Division (หมวดย่อย): 2 digits, e.g. `10` food products.' },
    GROUP: { description: 'Group (หมู่ใหญ่): 3 digits.' },
    CLASS: { description: 'Class (หมู่ย่อย): 4 digits, the most detailed level of ISIC Rev.4.' },
    SUBCLASS: { description: 'Subclass (กิจกรรม): 5 digits, the Thai extension; the reference data does not list these yet.' },
  },
});

@ObjectType({
  implements: Node,
  description: 'An entry of the Thailand Standard Industrial Classification 2009 (TSIC 2009, รหัส TSIC / การจัดประเภทมาตรฐานอุตสาหกรรมประเทศไทย).',
})
export class IndustryClass extends Node {
  @Field({ description: 'TSIC code: a section letter (`C`) or 2 to 5 digits (`10`, `107`, `1072`).' })
  code!: string;

  @Field(() => IndustryClassLevel, { description: 'Level of the code in the hierarchy.' })
  level!: IndustryClassLevel;

  @Field({ description: 'English title (ISIC Rev.4 wording).' })
  nameEn!: string;

  @Field(() => String, { nullable: true, description: 'Thai title (ชื่อภาษาไทย); assumed wording, see data/reference/README.md.' })
  nameTh!: string | null;

  /** Not a field: `parent` resolves it. */
  parentCode!: string | null;
}

export function toIndustryClass(entry: TsicEntry): IndustryClass {
  return {
    id: toGlobalId('IndustryClass', entry.code),
    code: entry.code,
    level: entry.level as IndustryClassLevel,
    nameEn: entry.nameEn,
    nameTh: entry.nameTh,
    parentCode: entry.parentCode,
  };
}
