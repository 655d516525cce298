import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Node } from '../node/node.type';
import { Provenance } from '../provenance/provenance.type';

@ObjectType({
  implements: Node,
  description: 'An industry group for which OIE publishes the monthly Manufacturing Production Index (ดัชนีผลผลิตอุตสาหกรรม, MPI): all manufacturing (`C`) or a TSIC code.',
})
export class IndustrialIndexGroup extends Node {
  @Field({ description: 'Group code as OIE publishes it: `C` for all manufacturing, or a TSIC code of 2-5 digits (`10` food products); `industrialIndex(group)` takes it.' })
  code!: string;

  @Field(() => String, { nullable: true, description: 'Group name as OIE words it, from its latest month (Thai).' })
  name!: string | null;

  @Field({ description: 'First month of the published series, `YYYY-MM`.' })
  firstMonth!: string;

  @Field({ description: 'Latest month of the published series, `YYYY-MM`.' })
  lastMonth!: string;

  @Field(() => Int, { description: 'Months published.' })
  monthCount!: number;
}

@ObjectType({ implements: Node, description: 'One month of an OIE industrial index series: MPI and capacity utilisation (อัตราการใช้กำลังการผลิต) of one group.' })
export class IndustrialIndexMonth extends Node {
  @Field({ description: 'Code of the industry group (see `industrialIndexGroups`).' })
  groupCode!: string;

  @Field({ description: 'Month, `YYYY-MM` (Common Era).' })
  month!: string;

  @Field(() => Float, { description: 'Manufacturing Production Index (MPI, ดัชนีผลผลิตอุตสาหกรรม), 2021 = 100.' })
  mpi!: number;

  @Field(() => Float, { nullable: true, description: 'Capacity utilisation (อัตราการใช้กำลังการผลิต), percent; null when OIE did not publish it.' })
  capacityUtilisation!: number | null;

  @Field(() => Provenance, { description: 'Where and when this record came from.' })
  provenance!: Provenance;
}
