import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { type ASTNode, type DocumentNode, type GraphQLError, Kind, visit } from 'graphql';

/**
 * Where in an operation's arguments a refused input value sits, as the API names arguments in
 * `extensions.argument` (`input.outcomeOn`, `filter.registeredBetween.from`): for a literal that an
 * input scalar refused during validation, the path down to it; for a variable whose value was
 * refused, the path of the argument the variable is passed to, then the path inside its value that
 * graphql-js reports (`at "input.outcomeOn"`). Undefined when it cannot be told.
 */
export function argumentPathOf(error: GraphQLError, document: DocumentNode | undefined): string | undefined {
  if (!document) return undefined;
  const variable = /^Variable "\$(\w+)" got invalid value .*? at "([^"]+)"/s.exec(error.message) ?? /^Variable "\$(\w+)" got invalid value/s.exec(error.message);
  if (variable) {
    const variableName = variable[1];
    const used = pathsTo(document, (node) => node.kind === Kind.VARIABLE && node.name.value === variableName);
    if (used.length !== 1) return undefined;
    // graphql-js's path starts with the variable's own name: the rest is inside its value.
    const inside = variable[2]?.split('.').slice(1) ?? [];
    return [used[0], ...inside].filter(Boolean).join('.');
  }
  const valueNode = error.nodes?.[0];
  if (!valueNode) return undefined;
  const found = pathsTo(document, (node) => node === valueNode);
  return found.length === 1 ? found[0] : undefined;
}

/** The argument paths (argument name, then object field names) of the value nodes that `match`. */
function pathsTo(document: DocumentNode, match: (node: ASTNode) => boolean): string[] {
  const paths: string[] = [];
  const names: string[] = [];
  visit(document, {
    Argument: {
      enter: (node) => void names.push(node.name.value),
      leave: () => void names.pop(),
    },
    ObjectField: {
      enter: (node) => void names.push(node.name.value),
      leave: () => void names.pop(),
    },
    enter: (node) => {
      if (names.length > 0 && match(node)) paths.push(names.join('.'));
    },
  });
  return paths;
}

/**
 * Names the argument of each input value a scalar refused (`extensions.argument`), as the API does
 * for the arguments its services check; the error formatter then words and codes it.
 */
export function inputErrorsPlugin<C extends BaseContext>(isRefusal: (error: unknown) => boolean): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, document }) {
          for (const error of errors) {
            if (!isRefusal(originalOf(error))) continue;
            const argument = argumentPathOf(error, document);
            if (argument !== undefined) Object.assign(error.extensions, { argument });
          }
        },
      };
    },
  };
}

/** The error at the bottom of a chain of wrappers (graphql-js wraps a scalar's error once or twice). */
export function originalOf(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const inner = (current as { originalError?: unknown } | null | undefined)?.originalError;
    if (inner === undefined || inner === null) return current;
    current = inner;
  }
  return current;
}
