import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Node } from '../node/node.type';
import type { LinkMethod } from '../factory/factory.type';
import { Provenance } from '../provenance/provenance.type';

/** The company the linker found for a DIP record. */
export interface DipLink {
  companyJuristicId: string;
  method: LinkMethod;
  confidence: number;
}

/**
 * What every DIP record has: the firm as DIP named it, and the company the linker found. Not fields:
 * the resolvers (programme-relations.resolver.ts) show or mask them by the one rule of
 * src/shared/firm-identity.ts, as the registry feed and the exports do.
 */
abstract class DipRecord extends Node {
  /** The record's key (`dip-...`, migration 1763950000000): it names no participant; its global ID's key. */
  recordKey!: string;
  /** The juristic ID as DIP gave it (a personal ID, when a clerk typed one). */
  juristicIdData!: string | null;
  /** The name as DIP wrote it (a person's, perhaps). */
  companyNameData!: string | null;
  /** The company the linker found for it; shown unless the participant is masked. */
  link!: DipLink | null;
}

@ObjectType({ implements: Node, description: 'A firm\'s participation in a support programme of the Department of Industrial Promotion (DIP, กสอ.) in one fiscal year (การเข้าร่วมโครงการ).' })
export class ProgrammeParticipation extends DipRecord {
  @Field({ description: 'DIP\'s programme code (รหัสโครงการ), upper case, e.g. `I40`.' })
  programmeCode!: string;

  @Field(() => String, { nullable: true, description: 'Programme name as DIP words it (ชื่อโครงการ).' })
  programmeName!: string | null;

  @Field(() => Int, { description: 'Thai government fiscal year of the participation, Common Era (ปีงบประมาณ; BE 2567 = 2024).' })
  year!: number;

  @Field(() => String, { nullable: true, description: 'Province where the firm took part, Thai name as DIP gives it (จังหวัด).' })
  province!: string | null;

  @Field({ description: 'True when the record was missing from DIP\'s latest complete list; the hub keeps the last version it saw.' })
  withdrawnFromSource!: boolean;

  @Field(() => Provenance, { description: 'Where and when this record came from (DIP gives no per-record update date).' })
  provenance!: Provenance;
}

@ObjectType({
  implements: Node,
  description: 'A firm\'s Industry 4.0 self-assessment with DIP (Thailand i4.0 Index, การประเมินความพร้อมอุตสาหกรรม 4.0): an overall level and the levels of the index\'s six dimensions, each from 1.0 (lowest) to 4.0; a dimension is null when the firm did not assess it.',
})
export class Industry40Assessment extends DipRecord {
  @Field({ description: 'Date of the assessment (วันที่ประเมิน), ISO date.' })
  assessedOn!: string;

  @Field(() => Float, { description: 'Overall level (ระดับภาพรวม), 1.0 to 4.0: how far the firm is on the way to Industry 4.0.' })
  overallLevel!: number;

  @Field(() => Float, { nullable: true, description: 'Dimension smart operation (การปฏิบัติการอัจฉริยะ): automated, connected production; 1.0 to 4.0.' })
  smartOperation!: number | null;

  @Field(() => Float, { nullable: true, description: 'Dimension strategy and organisation (กลยุทธ์และองค์กร); 1.0 to 4.0.' })
  strategyOrganisation!: number | null;

  @Field(() => Float, { nullable: true, description: 'Dimension workforce (บุคลากร): skills for digital work; 1.0 to 4.0.' })
  workforce!: number | null;

  @Field(() => Float, { nullable: true, description: 'Dimension technology and innovation (เทคโนโลยีและนวัตกรรม); 1.0 to 4.0.' })
  technologyInnovation!: number | null;

  @Field(() => Float, { nullable: true, description: 'Dimension market, customer and standard (ตลาด ลูกค้า และมาตรฐาน); 1.0 to 4.0.' })
  marketCustomerStandard!: number | null;

  @Field(() => Float, { nullable: true, description: 'Dimension IT and data (เทคโนโลยีสารสนเทศและข้อมูล); 1.0 to 4.0.' })
  itData!: number | null;

  @Field({ description: 'True when the record was missing from DIP\'s latest complete list; the hub keeps the last version it saw.' })
  withdrawnFromSource!: boolean;

  @Field(() => Provenance, { description: 'Where and when this record came from (DIP gives no per-record update date).' })
  provenance!: Provenance;
}
