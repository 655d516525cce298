import { P } from '../../access/permissions';
import { Authorized, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum DataSourceMode {
  SNAPSHOT = 'snapshot',
  INCREMENTAL = 'incremental',
}
registerEnumType(DataSourceMode, {
  name: 'DataSourceMode',
  description: 'How a source loads: each run a complete snapshot (missing records are marked absent), or the changes since a saved cursor.',
  valuesConfig: {
    SNAPSHOT: { description: 'Each run carries the whole dataset.' },
    INCREMENTAL: { description: 'Each run carries the changes since the last successful run.' },
  },
});

@ObjectType({ description: 'An agency feed the hub loads on a schedule, and how fresh its data is (แหล่งข้อมูล).' })
export class DataSource {
  @Field(() => ID, { description: 'Source identifier, e.g. `diw`, `dbd-companies`.' })
  id!: string;

  @Field({ description: 'What the feed is.' })
  title!: string;

  @Field({ description: 'The agency that publishes it.' })
  agency!: string;

  @Field(() => DataSourceMode, { description: 'How the source is loaded: a full snapshot each time or incrementally.' })
  mode!: DataSourceMode;

  @Field({ description: 'Cron pattern of its schedule, in the hub\'s schedule time zone.' })
  schedule!: string;

  @Field(() => Int, { description: 'How many hours its data may age before it counts as stale.' })
  staleAfterHours!: number;

  @Field(() => Date, { nullable: true, description: 'When the last successful read of its feed started (a quarantine retry is not one); null if it never loaded.' })
  lastSuccessAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'ID of the last successful run that read its feed (a quarantine retry is not one).' })
  lastSuccessRunId!: string | null;

  @Field({ description: 'True when it never loaded, or last loaded longer ago than staleAfterHours.' })
  stale!: boolean;

  @Authorized(P.operationsAdmin)
  @Field({ description: 'Where the hub fetches it (admins only).' })
  feedUrl!: string;

  @Authorized(P.operationsAdmin)
  @Field(() => String, { nullable: true, description: 'Cursor of an incremental source, saved by its last successful run (admins only).' })
  cursor!: string | null;

  @Authorized(P.quarantineCount)
  @Field(() => Int, { description: 'Rows rejected by its runs and not yet resolved (admins and ministry).' })
  openQuarantinedRows!: number;
}
