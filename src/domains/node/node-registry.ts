import { may, type Permission } from '../../access/permissions';
import type { Role } from '../../access/roles';
import { DomainError } from '../../platform/errors/domain-error';
import { fromGlobalId } from '../../platform/graphql/global-id';

/**
 * A type `node(id)` can fetch, declared by its domain (its index.ts `nodeTypes`). `load` should go
 * through a per-request DataLoader so that `nodes(ids)` costs one statement per type; `permission`
 * (src/access/permissions.ts) is the one a client needs to see the type at all.
 */
export interface NodeTypeDefinition<C extends NodeContext = NodeContext> {
  typeName: string;
  permission: Permission;
  load(ctx: C, key: string): Promise<object | undefined>;
}

/** What the registry needs of a request's context: who is calling. */
export interface NodeContext {
  client: { role: Role };
}

/** The node types of the API, as the composition root assembles them from the domains. */
export class NodeRegistry<C extends NodeContext = NodeContext> {
  private readonly types: ReadonlyMap<string, NodeTypeDefinition<C>>;

  constructor(types: readonly NodeTypeDefinition<C>[]) {
    this.types = new Map(types.map((type) => [type.typeName, type]));
    if (this.types.size !== types.length) throw new Error('two node types share a name');
  }

  /** The permission a type needs (undefined for an unknown type). */
  permissionOf(typeName: string): Permission | undefined {
    return this.types.get(typeName)?.permission;
  }

  typeNames(): string[] {
    return [...this.types.keys()];
  }

  /** The object behind a global ID, tagged with its type; undefined when no such record exists. */
  async load(ctx: C, id: string): Promise<object | undefined> {
    const { typeName, key } = fromGlobalId(id);
    const type = this.types.get(typeName);
    if (!type) throw new DomainError('BAD_USER_INPUT', `"${id}" is not a global ID of this API`, { argument: 'id' });
    if (!may(ctx.client.role, type.permission)) {
      throw new DomainError('FORBIDDEN', `the role "${ctx.client.role}" may not read ${typeName} objects`);
    }
    // An object the caller may not read (a statement of a firm that has not consented, another
    // bank's consent) answers null, as a missing one does: a refusal here would tell which IDs exist
    // (which filing years a firm has). The type-level refusal above depends on the role only.
    let found: object | undefined;
    try {
      found = await type.load(ctx, key);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'FORBIDDEN') return undefined;
      throw error;
    }
    return found && { ...found, __typename: typeName };
  }
}
