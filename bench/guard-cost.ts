import 'reflect-metadata';
import { parse, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { buildSchema } from 'type-graphql';
import type { ApiClient } from '../src/access/api-client.repository';
import { permissionAuthChecker } from '../src/app/api/auth-checker';
import { buildHubSchema, RESOLVERS } from '../src/app/api/schema';
import { nodeDomain } from '../src/domains/node';
import { buildLeanSchema } from '../src/platform/graphql/lean-resolvers';
import { RequestLoaders } from '../src/platform/graphql/loaders';
import { prefetchedKey, servePrefetched } from '../src/platform/graphql/read-plan';
import { PREFETCHED_FIELDS } from '../src/domains/company/company.read-plan';

/**
 * What the firm-data guard (src/domains/firm-data.ts: scope check and read-audit note of every
 * company and factory served) costs on the nested read, in this process, without the database
 * or the network: the same compiled operation over the same planned page (50 companies, 5
 * factories each), on the hub's schema and on the same schema without the guard, for a national
 * role and an area role. Run: node scripts/run-built.mjs bench/guard-cost.js
 */
const QUERY = '{ companies(first: 50) { edges { node { juristicId nameTh factories(first: 5) { edges { node { fid name } } } } } } }';
const RUNS = Number(process.env['BENCH_GUARD_RUNS'] ?? 5000);

function plannedPage(): unknown {
  const pageInfo = { hasNextPage: true, hasPreviousPage: false, startCursor: 'a', endCursor: 'b' };
  const edges = Array.from({ length: 50 }, (_, i) => {
    const juristicId = `0105${String(i).padStart(9, '0')}`;
    const company: Record<string, unknown> = { juristicId, provinceCode: '10', nameTh: `บริษัท ตัวอย่าง ${i} จำกัด` };
    const factories = Array.from({ length: 5 }, (_, j) => ({
      cursor: `f${j}`,
      // A factory standing outside the area: the area check falls through to its company's province.
      node: { fid: `${juristicId}${j}`, name: `โรงงาน ${j}`, companyJuristicId: juristicId, provinceName: j % 2 ? 'กรุงเทพมหานคร' : 'ชลบุรี' },
    }));
    company[prefetchedKey('factories')] = { edges: factories, pageInfo, totalCount: 5 };
    return { cursor: `c${i}`, node: company };
  });
  return { edges, pageInfo };
}

function client(role: 'analyst' | 'province'): ApiClient {
  return {
    id: '1', name: 'bench', role, bankCode: null, keyPrefix: 'x', createdAt: new Date(), revokedAt: null, lastUsedAt: null, rateLimitPerMinute: null,
    trustedDocumentsOnly: false, provinceCode: role === 'province' ? '10' : null, centre: null, juristicId: null,
    areaProvinceCodes: role === 'province' ? ['10'] : [], purpose: null, lawfulBasis: null,
  };
}

async function unguardedSchema(): Promise<GraphQLSchema> {
  // buildHubSchema less guardFirmData.
  return servePrefetched(
    await buildLeanSchema(() => buildSchema({ resolvers: [nodeDomain.resolvers[0], ...RESOLVERS], authChecker: permissionAuthChecker, authMode: 'error', validate: false })),
    PREFETCHED_FIELDS,
  );
}

async function main(): Promise<void> {
  const schemas = { guarded: await buildHubSchema(), unguarded: await unguardedSchema() };
  const document = parse(QUERY);
  const lines: string[] = [];
  const timings = new Map<string, number[]>();
  for (let round = 0; round < 3; round++) {
    for (const [name, schema] of Object.entries(schemas)) {
      // The root answers the planned page at once: what is measured is the walk and the guard.
      schema.getQueryType()!.getFields()['companies']!.resolve = () => plannedPage();
      const compiled = compileQuery(schema, document);
      if (!isCompiledQuery(compiled)) throw new Error('not compiled');
      for (const role of ['analyst', 'province'] as const) {
        const who = client(role);
        const geography = { provinceCode: (thaiName: string) => Promise.resolve(thaiName === 'กรุงเทพมหานคร' ? '10' : '20') };
        // A factory standing outside the area is checked by its company (a statement in the hub, memory here).
        const companies = { findByIds: (ids: readonly string[]) => Promise.resolve(ids.map((juristicId) => ({ juristicId, provinceCode: '10' }))) };
        const run = async (): Promise<void> => {
          const result = await compiled.query(undefined, { client: who, loaders: new RequestLoaders(), services: { geography, companies } }, {});
          if (result.errors) throw new Error(JSON.stringify(result.errors));
        };
        for (let i = 0; i < 200; i++) await run();
        const started = performance.now();
        for (let i = 0; i < RUNS; i++) await run();
        const key = `${name}, ${role}`;
        (timings.get(key) ?? timings.set(key, []).get(key)!).push(((performance.now() - started) * 1000) / RUNS);
      }
    }
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  for (const role of ['analyst', 'province']) {
    const guarded = median(timings.get(`guarded, ${role}`)!);
    const unguarded = median(timings.get(`unguarded, ${role}`)!);
    lines.push(
      `guard cost, nested read (50 companies × 5 factories), ${role === 'analyst' ? 'national role' : 'area role'}: ` +
        `${guarded.toFixed(0)} µs a request with the guard, ${unguarded.toFixed(0)} µs without: ${(guarded - unguarded).toFixed(0)} µs (${((guarded / unguarded - 1) * 100).toFixed(0)} %) ` +
        `(median of 3 rounds of ${RUNS}, execution only: no database, no HTTP)`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
