import { ArgsType, Field, Int } from 'type-graphql';
import { MAX_PAGE_SIZE } from './connection';

/** `first` and `after` of a Relay connection below another object (a company's factories). */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (`pageInfo.endCursor` of the previous page).' })
  after?: string | null;
}
