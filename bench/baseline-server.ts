import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';

/**
 * The limit of this stack for `npm run bench:api`: the same data the canonical GraphQL queries
 * return, fetched by hand-written SQL through `pg` and served as JSON by bare node:http. No
 * GraphQL, no authentication, no validation: what is left is the database and the JSON.
 * Same pool size as the hub (10). Run as a child process by bench/api.ts.
 */
const pool = new Pool({ connectionString: process.env['DATABASE_URL'], max: 10 });

interface BankVariables {
  filter: { status: string[]; smeSize: string[]; targetIndustry: string; hasOperatingFactory: boolean };
  first: number;
}

async function bankScreening(variables: BankVariables): Promise<unknown> {
  const { filter, first } = variables;
  const where = `c.status = ANY($1::text[]) AND p.sme_size = ANY($2::text[]) AND p.target_industries @> ARRAY[$3::text] AND p.operating_factories > 0`;
  const params = [filter.status, filter.smeSize, filter.targetIndustry];
  const [page, count] = await Promise.all([
    pool.query(
      `SELECT c.juristic_id, c.name_th, c.name_en, c.juristic_type_code, to_char(c.registered_on, 'YYYY-MM-DD') AS registered_on,
              c.registered_capital_baht::float8 AS capital, p.sme_size, p.revenue_baht::float8 AS revenue, p.employees,
              p.latest_i40_level::float8 AS i40, p.operating_factories, p.certifications, p.region, c.source, c.fetched_at
       FROM registry.company c JOIN registry.company_profile p ON p.juristic_id = c.juristic_id
       WHERE ${where} ORDER BY c.juristic_id LIMIT ${first + 1}`,
      params,
    ),
    pool.query(`SELECT count(*)::int AS n FROM registry.company c JOIN registry.company_profile p ON p.juristic_id = c.juristic_id WHERE ${where}`, params),
  ]);
  const rows = page.rows.slice(0, first);
  return {
    companies: {
      totalCount: count.rows[0].n,
      edges: rows.map((r) => ({
        node: {
          juristicId: r.juristic_id,
          nameTh: r.name_th,
          nameEn: r.name_en,
          juristicType: r.juristic_type_code,
          registeredOn: r.registered_on,
          registeredCapitalBaht: r.capital,
          smeSize: r.sme_size,
          latestRevenueBaht: r.revenue,
          latestEmployees: r.employees,
          latestIndustry40Level: r.i40,
          operatingFactoryCount: r.operating_factories,
          validLicenceCount: r.certifications,
          regionCode: r.region?.toUpperCase() ?? null,
          provenance: { source: r.source, fetchedAt: r.fetched_at },
        },
      })),
      pageInfo: { hasNextPage: page.rows.length > first, endCursor: rows.at(-1)?.juristic_id ?? null },
    },
  };
}

const HANDLERS: Record<string, (variables: never) => Promise<unknown>> = { '/bank-screening': bankScreening };

const server = http.createServer((req, res) => {
  const handler = HANDLERS[req.url ?? ''];
  if (!handler || req.method !== 'POST') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    handler(JSON.parse(Buffer.concat(chunks).toString('utf8')) as never).then(
      (data) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
      },
      (error: unknown) => {
        res.writeHead(500).end(String(error));
      },
    );
  });
});

server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`baseline listening on ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
