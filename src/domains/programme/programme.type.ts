import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Node } from '../../platform/graphql/node';
import { Provenance } from '../provenance/provenance.type';

@ObjectType({ implements: Node, description: 'A firm\'s participation in a support programme of the Department of Industrial Promotion (DIP, กสอ.) in one fiscal year (การเข้าร่วมโครงการ).' })
export class ProgrammeParticipation extends Node {
  @Field({ description: 'Juristic ID of the participating firm; see `company`.' })
  juristicId!: string;

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
export class Industry40Assessment extends Node {
  @Field({ description: 'Juristic ID of the assessed firm; see `company`.' })
  juristicId!: string;

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
