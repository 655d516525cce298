import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Executes operations with graphql-jit (issue 16): a document Apollo has parsed and validated once
 * (Apollo keeps validated documents by query hash and hands the same DocumentNode back) is compiled
 * to a JavaScript function for its operation, which reads fields and resolves the tree without
 * graphql-js's per-field interpretation: no field-definition lookups, no argument coercion from the
 * AST, no path objects for fields that cannot fail. The same resolvers run; only the walk changes.
 *
 * A document is compiled on its first execution, after Apollo's validation and the query analysis
 * have accepted it (so a refused document costs no compilation); a document graphql-jit cannot
 * compile stays on graphql-js. When a compiled operation answers with errors and no data at all
 * (variables that do not coerce), graphql-js answers it again, so those refusals keep graphql-js's
 * exact words.
 */

/** A document's compiled operation, or null when graphql-jit cannot compile it. */
type Compiled = CompiledQuery | null;

export interface OperationRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | undefined;
  context: unknown;
}

export class CompiledExecutor {
  /** Keyed by the DocumentNode: an entry lives as long as Apollo's document store keeps the document. */
  private readonly compiled = new WeakMap<DocumentNode, Map<string, Compiled>>();
  /** For tests and the docs: how operations ran. */
  readonly counts = { compiled: 0, interpreted: 0, fallbacks: 0 };

  async execute(request: OperationRequest): Promise<ExecutionResult> {
    const query = this.compiledFor(request);
    if (!query) {
      this.counts.interpreted += 1;
      return this.interpret(request);
    }
    const result = await query.query(undefined, request.context, request.variables ?? {});
    if (result.data === undefined && (result.errors?.length ?? 0) > 0) {
      this.counts.fallbacks += 1;
      return this.interpret(request);
    }
    this.counts.compiled += 1;
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  }

  private interpret(request: OperationRequest): Promise<ExecutionResult> {
    return Promise.resolve(
      execute({ schema: request.schema, document: request.document, operationName: request.operationName, variableValues: request.variables, contextValue: request.context }),
    );
  }

  private compiledFor(request: OperationRequest): CompiledQuery | undefined {
    let byOperation = this.compiled.get(request.document);
    if (!byOperation) this.compiled.set(request.document, (byOperation = new Map()));
    const name = request.operationName ?? '';
    let query = byOperation.get(name);
    if (query === undefined) {
      query = null;
      try {
        const result = compileQuery(request.schema, request.document, request.operationName ?? undefined, { disablingCapturingStackErrors: true });
        if (isCompiledQuery(result)) query = result;
      } catch {
        // Left to graphql-js, which reports whatever is wrong in its own words.
      }
      byOperation.set(name, query);
    }
    return query ?? undefined;
  }
}

/**
 * graphql-jit's errors are its own GraphQLError look-alike, with no `extensions` object when the
 * thrown error had none, which Apollo's error formatting expects: each becomes graphql-js's
 * GraphQLError with the same message, path, locations and original error (the formatter maps codes
 * from the original, as for graphql-js's errors).
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const original = error.originalError ?? undefined;
  const converted = new GraphQLError(error.message, { path: error.path, originalError: original, extensions: error.extensions ?? undefined });
  // Locations come from the compiled query, which has no source to recompute them from.
  if (error.locations) Object.defineProperty(converted, 'locations', { value: error.locations, enumerable: true });
  return converted;
}

type Gateway = NonNullable<ApolloServerOptionsWithGateway<never>['gateway']>;

/**
 * Apollo Server's way to plug in another executor is its gateway interface: a "gateway" whose
 * schema never changes and whose executor is the one above. Parsing, validation, the document
 * store and every plugin hook (the query analysis in didResolveOperation included) run as before.
 */
export function compiledExecutionGateway(schema: GraphQLSchema, executor: CompiledExecutor): Gateway {
  return {
    load: () =>
      Promise.resolve({
        executor: (requestContext) =>
          executor.execute({
            schema: requestContext.schema,
            document: requestContext.document,
            operationName: requestContext.operationName ?? requestContext.request.operationName,
            variables: requestContext.request.variables,
            context: requestContext.context,
          }) as ReturnType<NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>>,
      }),
    onSchemaLoadOrUpdate: (callback) => {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    stop: () => Promise.resolve(),
  };
}
