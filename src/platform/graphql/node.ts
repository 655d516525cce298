import { Field, ID, InterfaceType } from 'type-graphql';
import type { Role } from '../../access/roles';
import { DomainError } from '../errors/domain-error';
import type { GraphQLContext } from './context';

/**
 * Global object identification (Relay): every type with an identity implements `Node`, and its `id`
 * is the type name and the record's own key, base64url-encoded, e.g. `Company:0105536000011`.
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

export function toGlobalId(typeName: string, key: string): string {
  return Buffer.from(`${typeName}:${key}`, 'utf8').toString('base64url');
}

export function fromGlobalId(id: string): { typeName: string; key: string } {
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1 || toGlobalId(decoded.slice(0, colon), decoded.slice(colon + 1)) !== id.replace(/=+$/, '')) {
    throw new DomainError('BAD_USER_INPUT', `"${id}" is not a global ID of this API`, { argument: 'id' });
  }
  return { typeName: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}

interface NodeType {
  roles: readonly Role[];
  load(ctx: GraphQLContext, key: string): Promise<object | undefined>;
}

const nodeTypes = new Map<string, NodeType>();

/**
 * Makes a type fetchable by `node(id)`. `load` should go through a per-request DataLoader so that
 * `nodes(ids)` costs one statement per type; `roles` are those allowed to see the type at all.
 */
export function registerNodeType(typeName: string, type: NodeType): void {
  nodeTypes.set(typeName, type);
}

/** The object behind a global ID, tagged with its type; undefined when no such record exists. */
export async function loadNode(ctx: GraphQLContext, id: string): Promise<object | undefined> {
  const { typeName, key } = fromGlobalId(id);
  const type = nodeTypes.get(typeName);
  if (!type) throw new DomainError('BAD_USER_INPUT', `"${id}" is not a global ID of this API`, { argument: 'id' });
  if (!type.roles.includes(ctx.client.role)) {
    throw new DomainError('FORBIDDEN', `the role "${ctx.client.role}" may not read ${typeName} objects`);
  }
  const found = await type.load(ctx, key);
  return found && { ...found, __typename: typeName };
}
