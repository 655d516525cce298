import { Field, ID, InterfaceType } from 'type-graphql';

/**
 * Global object identification (Relay): every type with an identity implements `Node`, and its `id`
 * is the type name and the record's own key, base64url-encoded (src/platform/graphql/global-id.ts).
 * Clients treat it as opaque; `node(id)` and `nodes(ids)` fetch any of them.
 */
@InterfaceType({
  description: 'An object with a global ID, fetchable with `node(id)` (Relay global object identification).',
  resolveType: (value: { __typename?: string }) => value.__typename,
})
export abstract class Node {
  @Field(() => ID, { description: 'Global ID: opaque, stable, unique across all types. The record\'s own key has its own field.' })
  id!: string;
}
