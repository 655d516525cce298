import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Where a sourced record came from: the agency feed, the run that loaded it, and when.' })
export class Provenance {
  @Field({ description: 'Source identifier, e.g. `diw`.' })
  source!: string;

  @Field({ description: 'ID of the ingestion run that last changed this record.' })
  runId!: string;

  @Field({ description: 'When that run fetched the feed.' })
  fetchedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The agency\'s own last-update date of the record (ISO date), when the feed gives one.' })
  sourceUpdatedAt!: string | null;
}
