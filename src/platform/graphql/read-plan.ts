import { getArgumentValues, isObjectType, Kind, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema, type SelectionSetNode } from 'graphql';

/**
 * What a read plan (one SQL statement for a list and what is nested in it, docs/performance.md)
 * needs of GraphQL: the fields a selection asks of an object type, and a place to hand a nested
 * field's prefetched value to its resolver. A plan covers only what it understands; anything else
 * (a directive, a fragment on another type, a field it has no SQL for) makes the planner give up,
 * and the resolvers answer as they always do.
 */

/** One field a selection asks for, under its response key (alias or name): its nodes merged, its arguments coerced. */
export interface SelectedField {
  name: string;
  nodes: FieldNode[];
  args: Record<string, unknown>;
}

/**
 * The fields `selectionSets` ask of `type`, by response key, through fragments on the type itself
 * or on an interface it implements; undefined when a directive (`@skip`, `@include`) or a fragment on
 * any other type is met: a plan does not second-guess them.
 */
export function selectedFields(info: GraphQLResolveInfo, type: GraphQLObjectType, selectionSets: readonly (SelectionSetNode | undefined)[]): Map<string, SelectedField> | undefined {
  const byKey = new Map<string, FieldNode[]>();
  const applies = (typeName: string | undefined): boolean => typeName === undefined || typeName === type.name || type.getInterfaces().some((i) => i.name === typeName);
  const visit = (selectionSet: SelectionSetNode | undefined, seen: Set<string>): boolean => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.directives?.length) return false;
      switch (selection.kind) {
        case Kind.FIELD: {
          const key = selection.alias?.value ?? selection.name.value;
          const nodes = byKey.get(key);
          if (nodes) nodes.push(selection);
          else byKey.set(key, [selection]);
          break;
        }
        case Kind.INLINE_FRAGMENT:
          if (!applies(selection.typeCondition?.name.value) || !visit(selection.selectionSet, seen)) return false;
          break;
        case Kind.FRAGMENT_SPREAD: {
          const fragment = info.fragments[selection.name.value];
          if (!fragment || seen.has(fragment.name.value) || !applies(fragment.typeCondition.name.value)) return false;
          if (!visit(fragment.selectionSet, new Set([...seen, fragment.name.value]))) return false;
          break;
        }
      }
    }
    return true;
  };
  for (const selectionSet of selectionSets) if (!visit(selectionSet, new Set())) return undefined;
  const fields = new Map<string, SelectedField>();
  const definitions = type.getFields();
  for (const [key, nodes] of byKey) {
    const name = nodes[0]!.name.value;
    const definition = definitions[name];
    // __typename is answered by the executor; any other unknown name was refused by validation.
    const args = definition ? getArgumentValues(definition, nodes[0]!, info.variableValues) : {};
    fields.set(key, { name, nodes, args });
  }
  return fields;
}

/** The selection sets below a field's nodes (a field asked twice under one key has its selections merged). */
export const below = (field: SelectedField): (SelectionSetNode | undefined)[] => field.nodes.map((node) => node.selectionSet);

/** Whether a field of `type` is answered by reading the value's property (no resolver): only those may be filled by a plan. */
export function isPlainField(type: GraphQLObjectType, name: string): boolean {
  const field = type.getFields()[name];
  return field !== undefined && field.resolve === undefined;
}

/**
 * Where a plan puts the value it fetched for a nested field (a company's `factories`) on the parent
 * object: a property no GraphQL field can be named (names have no `@`), one per response key.
 */
export const prefetchedKey = (responseKey: string): string => `@prefetched:${responseKey}`;

/** The value a plan fetched for the field being resolved on `parent`, if any. */
export function prefetchedFor(parent: unknown, info: Pick<GraphQLResolveInfo, 'fieldName' | 'fieldNodes'>): unknown {
  if (parent === null || typeof parent !== 'object') return undefined;
  const node = info.fieldNodes[0];
  return (parent as Record<string, unknown>)[prefetchedKey(node?.alias?.value ?? info.fieldName)];
}

/**
 * Lets the named fields answer a value a plan prefetched before their own resolver runs: a planned
 * request reads nothing more, and skips the field resolver's per-parent work (type-graphql's
 * argument conversion for each of a page's companies). A parent the plan did not build has no
 * such value and is resolved as usual.
 */
export function servePrefetched(schema: GraphQLSchema, fields: readonly (readonly [typeName: string, fieldName: string])[]): GraphQLSchema {
  for (const [typeName, fieldName] of fields) {
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field?.resolve) throw new Error(`servePrefetched: ${typeName}.${fieldName} has no resolver to stand before`);
    const resolve = field.resolve;
    field.resolve = (source, args, ctx, info) => prefetchedFor(source, info) ?? resolve(source, args, ctx, info);
  }
  return schema;
}
