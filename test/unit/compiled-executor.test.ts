import 'reflect-metadata';
import { execute, GraphQLError, parse, type DocumentNode } from 'graphql';
import { Arg, Field, ID, InterfaceType, Int, ObjectType, Query, Resolver, buildSchema } from 'type-graphql';
import { CompiledExecutor } from '../../src/platform/graphql/compiled-executor';
import { connectionType, withTotalCount } from '../../src/platform/graphql/connection';
import { buildLeanSchema } from '../../src/platform/graphql/lean-resolvers';
import { DomainError } from '../../src/platform/errors/domain-error';

/**
 * The compiled executor (graphql-jit) must answer exactly what graphql-js answers over the same
 * type-graphql schema, as the hub builds it (buildLeanSchema): data, errors with their original
 * error and extensions, lazy promise-valued connection fields, an interface's resolveType, and
 * graphql-js's own words for variables that do not coerce.
 */

@InterfaceType({ resolveType: (value: { __typename?: string }) => value.__typename })
abstract class Thing {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ implements: Thing })
class Widget implements Thing {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Int, { nullable: true })
  size!: number | null;
}

const WidgetConnection = connectionType(Widget, { name: 'TestWidget', items: 'widgets' });

const WIDGETS = [
  { __typename: 'Widget', id: 'w1', name: 'bolt', size: 3 },
  { __typename: 'Widget', id: 'w2', name: 'nut', size: null },
];

@Resolver()
class WidgetResolver {
  @Query(() => WidgetConnection, { nullable: true })
  widgets(@Arg('first', () => Int) first: number): unknown {
    if (first < 1) throw new DomainError('BAD_USER_INPUT', 'first must be positive', { argument: 'first' });
    // Lazy, as the hub's child connections are: edges and the count are promises in plain properties.
    const page = {
      get edges() {
        return Promise.resolve(WIDGETS.slice(0, first).map((node) => ({ cursor: node.id, node })));
      },
      pageInfo: Promise.resolve({ hasNextPage: first < WIDGETS.length, hasPreviousPage: false, startCursor: 'w1', endCursor: null }),
    };
    return withTotalCount(page, () => Promise.resolve(WIDGETS.length));
  }

  @Query(() => Thing, { nullable: true })
  thing(@Arg('id', () => ID) id: string): unknown {
    return WIDGETS.find((w) => w.id === id) ?? null;
  }

  @Query(() => String, { nullable: true })
  broken(): string {
    throw new Error('database on fire');
  }
}

describe('compiled execution', () => {
  let schema: Awaited<ReturnType<typeof buildLeanSchema>>;
  beforeAll(async () => {
    schema = await buildLeanSchema(() => buildSchema({ resolvers: [WidgetResolver], orphanedTypes: [Widget], validate: false }));
  });

  async function both(text: string, variables: Record<string, unknown> = {}): Promise<{ compiled: unknown; interpreted: unknown; executor: CompiledExecutor }> {
    const document: DocumentNode = parse(text);
    const executor = new CompiledExecutor();
    const request = { schema, document, operationName: undefined, variables, context: {} };
    // Twice: the first run compiles, the second runs the cached compiled operation.
    await executor.execute(request);
    const compiled = await executor.execute(request);
    const interpreted = await execute({ schema, document, variableValues: variables, contextValue: {} });
    return { compiled: JSON.parse(JSON.stringify(compiled)), interpreted: JSON.parse(JSON.stringify(interpreted)), executor };
  }

  test('answers lazy connections and interfaces as graphql-js does, compiled', async () => {
    const text = 'query ($first: Int!) { widgets(first: $first) { totalCount pageInfo { hasNextPage } edges { cursor node { id name size } } } thing(id: "w2") { id ... on Widget { name } } }';
    const { compiled, interpreted, executor } = await both(text, { first: 1 });
    expect(compiled).toEqual(interpreted);
    expect(compiled).toEqual({
      data: {
        widgets: { totalCount: 2, pageInfo: { hasNextPage: true }, edges: [{ cursor: 'w1', node: { id: 'w1', name: 'bolt', size: 3 } }] },
        thing: { id: 'w2', name: 'nut' },
      },
    });
    expect(executor.counts).toEqual({ compiled: 2, interpreted: 0, fallbacks: 0 });
  });

  test('a resolver error keeps its original error, path, locations and an extensions object', async () => {
    const document = parse('query ($first: Int!) { widgets(first: $first) { totalCount } broken }');
    const executor = new CompiledExecutor();
    const result = await executor.execute({ schema, document, operationName: undefined, variables: { first: 0 }, context: {} });
    const interpreted = await execute({ schema, document, variableValues: { first: 0 }, contextValue: {} });
    expect(executor.counts.compiled).toBe(1);
    expect(result.errors).toHaveLength(2);
    for (const error of result.errors!) {
      expect(error).toBeInstanceOf(GraphQLError);
      expect(typeof error.extensions).toBe('object');
      expect(error.extensions).not.toBeNull();
    }
    const byPath = (errors: readonly GraphQLError[]) => [...errors].sort((a, b) => String(a.path).localeCompare(String(b.path)));
    const [fire, domain] = [byPath(result.errors!)[0]!, byPath(result.errors!)[1]!];
    expect(fire.originalError?.message).toBe('database on fire');
    expect(domain.originalError).toBeInstanceOf(DomainError);
    expect(byPath(result.errors!).map((e) => ({ message: e.message, path: e.path, locations: e.locations }))).toEqual(
      byPath(interpreted.errors!).map((e) => ({ message: e.message, path: e.path, locations: e.locations })),
    );
  });

  test('variables that do not coerce are refused in graphql-js’s words', async () => {
    const { compiled, interpreted, executor } = await both('query ($first: Int!) { widgets(first: $first) { totalCount } }', { first: 'many' });
    expect(compiled).toEqual(interpreted);
    expect(JSON.stringify(compiled)).toContain('Variable \\"$first\\" got invalid value');
    expect(executor.counts.fallbacks).toBe(2);
  });
});
