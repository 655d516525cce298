import { isInterfaceType, isObjectType, type GraphQLSchema, type GraphQLTypeResolver } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

/**
 * Decides once per field definition, before type-graphql builds the schema, which fields need its
 * per-value resolver wrapping (issue 16). type-graphql gives every plain `@Field` a resolver that
 * allocates its resolver data and runs the (empty) middleware chain for each value it returns,
 * and copies the parent row into a new class instance for every `@Root()` parameter it passes a
 * field resolver. On a page of 50 companies that is hundreds of calls and copies per request, and
 * a compiled executor cannot inline a property read behind a resolver function.
 *
 * - A plain field with no `@Authorized` roles, no middleware and the same name in the schema as on
 *   the class becomes type-graphql's own `simple` field: no resolver, the default property read.
 *   Fields with roles or middleware keep the wrapping that enforces them.
 * - `@Root()` hands the parent as it is: the hub's rows are plain objects, and no resolver reads a
 *   class method or uses `instanceof` on them (the types are data classes, fields only).
 *
 * A compiled executor (graphql-jit) reads a field with no resolver inline and does not wait for a
 * promise found there; graphql-js does. Types whose values hold promises in plain properties (a
 * connection's lazy `edges`, `pageInfo` and `totalCount`) are declared with `lazyFields`, and their
 * fields get a one-line resolver instead, which both executors await.
 */
export async function buildLeanSchema(build: () => Promise<GraphQLSchema>): Promise<GraphQLSchema> {
  leanMetadata();
  const schema = await build();
  for (const objectType of getMetadataStorage().objectTypes) {
    if (!lazyTypes.has(objectType.target)) continue;
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.resolve) {
        const name = field.name;
        field.resolve = (parent: Record<string, unknown>) => parent[name];
      }
    }
  }
  // type-graphql wraps an interface's resolveType in an async function; graphql-jit needs the type
  // at once. The hub's resolveType functions answer a type name synchronously: they are used as
  // they are, with a class answered by its type's name as type-graphql does.
  for (const interfaceType of getMetadataStorage().interfaceTypes) {
    const type = schema.getType(interfaceType.name);
    const own = interfaceType.resolveType as ((...args: Parameters<GraphQLTypeResolver<unknown, unknown>>) => unknown) | undefined;
    if (!isInterfaceType(type) || !own) continue;
    const objectTypes = getMetadataStorage().objectTypes;
    type.resolveType = (...args) => {
      const resolved = own(...args);
      if (resolved === undefined || resolved === null || typeof resolved === 'string' || resolved instanceof Promise) return (resolved ?? undefined) as ReturnType<GraphQLTypeResolver<unknown, unknown>>;
      return objectTypes.find((objectType) => objectType.target === resolved)?.name;
    };
  }
  return schema;
}

const lazyTypes = new WeakSet<object>();

/** Declares a GraphQL object type whose values may hold promises in their properties (see buildLeanSchema). */
export function lazyFields(target: object): void {
  lazyTypes.add(target);
}

/** Idempotent: a field decided once stays decided for every later schema build. */
function leanMetadata(): void {
  const storage = getMetadataStorage();
  // Fields with roles (even `@Authorized()` with none: authenticated only) or middleware keep their wrapping.
  const guarded = new Map<unknown, Set<string>>();
  const guard = (target: unknown, field: string): void => void (guarded.get(target) ?? guarded.set(target, new Set()).get(target)!).add(field);
  for (const authorized of storage.authorizedFields) guard(authorized.target, authorized.fieldName);
  for (const middleware of storage.middlewares) guard(middleware.target, middleware.fieldName);
  for (const field of storage.fields) {
    if (field.simple !== undefined || field.name !== field.schemaName || (field.params?.length ?? 0) > 0) continue;
    if (guarded.get(field.target)?.has(field.name) || field.roles !== undefined || (field.middlewares?.length ?? 0) > 0) continue;
    field.simple = true;
  }
  for (const param of storage.params) {
    if (param.kind === 'root' && param.getType !== undefined) delete param.getType;
  }
}
