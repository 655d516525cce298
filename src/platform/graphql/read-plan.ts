import { getArgumentValues, Kind, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

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
 * Values a plan fetched for a nested field (a company's `factories`), by parent object and response
 * key. The nested field's resolver takes its value from here when there is one, so a planned
 * request reads nothing more; a parent the plan did not build has none and is read as usual.
 */
const prefetched = new WeakMap<object, Map<string, unknown>>();

export function setPrefetched(parent: object, responseKey: string, value: unknown): void {
  let values = prefetched.get(parent);
  if (!values) prefetched.set(parent, (values = new Map()));
  values.set(responseKey, value);
}

/** The value a plan fetched for the field being resolved on `parent`, if any. */
export function prefetchedFor<T>(parent: object, info: Pick<GraphQLResolveInfo, 'fieldName' | 'fieldNodes'>): T | undefined {
  const values = prefetched.get(parent);
  if (!values) return undefined;
  const node = info.fieldNodes[0];
  return values.get(node?.alias?.value ?? info.fieldName) as T | undefined;
}
