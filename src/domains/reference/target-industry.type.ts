import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../platform/graphql/global-id';
import { Node } from '../node/node.type';
import type { TargetIndustry as TargetIndustryRow } from '../../reference/reference-data';

export enum TargetIndustryWave {
  FIRST_S_CURVE = 'first',
  NEW_S_CURVE = 'new',
}
registerEnumType(TargetIndustryWave, {
  name: 'TargetIndustryWave',
  description: 'Which wave of the Thailand 4.0 target industries an industry belongs to.',
  valuesConfig: {
    FIRST_S_CURVE: { description: 'First S-curve: existing industries to upgrade (อุตสาหกรรมเดิมที่มีศักยภาพ).' },
    NEW_S_CURVE: { description: 'New S-curve: industries of the future (อุตสาหกรรมอนาคต).' },
  },
});

@ObjectType({
  implements: Node,
  description: 'One of the ten target industries of the Thailand 4.0 policy (อุตสาหกรรมเป้าหมาย, S-curve and New S-curve).',
})
export class TargetIndustry extends Node {
  @Field({ description: 'Stable code, e.g. `FOOD_FOR_THE_FUTURE`; `CompanyFilter.targetIndustry` takes it.' })
  code!: string;

  @Field(() => TargetIndustryWave, { description: 'First S-curve or New S-curve.' })
  wave!: TargetIndustryWave;

  @Field(() => Int, { description: 'Position in the ministry\'s list (1-10).' })
  displayOrder!: number;

  @Field({ description: 'English name.' })
  nameEn!: string;

  @Field({ description: 'Thai name (ชื่อภาษาไทย).' })
  nameTh!: string;

  @Field(() => String, { nullable: true, description: 'Version of the TSIC mapping in use (`YYYY-MM`): the ministry\'s choice, kept as data; null when no mapping is loaded.' })
  mappingVersion!: string | null;

  @Field(() => [String], { description: 'TSIC code prefixes that make a firm part of this industry under that mapping version, ascending.' })
  tsicPrefixes!: string[];
}

export function toTargetIndustry(row: TargetIndustryRow, mappingVersion: string | null, tsicPrefixes: string[]): TargetIndustry {
  return {
    id: toGlobalId('TargetIndustry', row.code),
    code: row.code,
    wave: row.wave as TargetIndustryWave,
    displayOrder: row.displayOrder,
    nameEn: row.nameEn,
    nameTh: row.nameTh,
    mappingVersion,
    tsicPrefixes,
  };
}
