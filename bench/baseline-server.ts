import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { SMALL_CELL_THRESHOLD } from '../src/access/permissions';

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
    // Counted from the same stored aggregate the hub sums for this filter, so the ratio measures the
    // GraphQL layer, not a better plan on one side.
    pool.query(
      `SELECT coalesce(sum(companies), 0)::int AS n FROM stats.company_aggregate
       WHERE status = ANY($1::text[]) AND sme_size = ANY($2::text[]) AND target_industries @> ARRAY[$3::text] AND has_operating_factory`,
      params,
    ),
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

/** The ministry's company profile: the company, then every relation in parallel, one statement each. */
async function companyProfile(variables: { juristicId: string }): Promise<unknown> {
  const id = [variables.juristicId];
  const [company, factories, factoryCount, licences, licenceCount, programmes, assessments, statements] = await Promise.all([
    pool.query(
      `SELECT c.*, p.*, pr.name_th AS province_th, pr.name_en AS province_en, pr.region AS province_region, pr.promotion_centre, pr.eec,
              t.code AS tsic, t.name_en AS tsic_en, t.name_th AS tsic_th, parent.code AS parent_code, parent.name_en AS parent_en,
              (SELECT json_agg(json_build_object('code', ti.code, 'nameEn', ti.name_en, 'nameTh', ti.name_th) ORDER BY ti.display_order)
                 FROM reference.target_industry ti WHERE ti.code = ANY(p.target_industries)) AS targets
       FROM registry.company c LEFT JOIN registry.company_profile p ON p.juristic_id = c.juristic_id
       LEFT JOIN reference.province pr ON pr.code = p.province_code
       LEFT JOIN reference.tsic t ON t.code = left(c.tsic_code, 4) LEFT JOIN reference.tsic parent ON parent.code = t.parent_code
       WHERE c.juristic_id = $1`,
      id,
    ),
    pool.query(
      `SELECT f.fid, f.name, f.status, json_build_object('nameTh', pr.name_th) AS province, f.workers, f.link_method, f.link_confidence::float8
       FROM registry.factory f LEFT JOIN reference.province pr ON pr.name_th = f.province WHERE f.company_juristic_id = $1 ORDER BY f.fid LIMIT 10`,
      id,
    ),
    pool.query(`SELECT count(*)::int AS n FROM registry.factory WHERE company_juristic_id = $1`, id),
    pool.query(
      `SELECT l.licence_no, to_char(l.issued_on, 'YYYY-MM-DD') AS issued_on, l.status, s.tis_no, s.name_th, s.mandatory
       FROM registry.tis_licence l LEFT JOIN registry.tis_standard s ON s.tis_no = l.tis_no
       WHERE l.company_juristic_id = $1 ORDER BY l.issued_on DESC, l.licence_no DESC LIMIT 10`,
      id,
    ),
    pool.query(`SELECT count(*)::int AS n FROM registry.tis_licence WHERE company_juristic_id = $1`, id),
    pool.query(`SELECT programme_code, programme_name, year FROM registry.dip_participation WHERE company_juristic_id = $1 ORDER BY year DESC, programme_code`, id),
    pool.query(
      `SELECT to_char(assessed_on, 'YYYY-MM-DD') AS assessed_on, overall_level::float8, smart_operation::float8, it_data::float8, workforce::float8
       FROM registry.dip_i40_assessment WHERE company_juristic_id = $1 ORDER BY assessed_on DESC`,
      id,
    ),
    pool.query(
      `SELECT fiscal_year, revenue_baht::float8, total_assets_baht::float8, net_profit_baht::float8, employees
       FROM registry.financial_statement WHERE juristic_id = $1 ORDER BY fiscal_year DESC`,
      id,
    ),
  ]);
  const c = company.rows[0];
  return {
    company: c && {
      juristicId: c.juristic_id,
      nameTh: c.name_th,
      nameEn: c.name_en,
      province: { nameTh: c.province_th, nameEn: c.province_en, region: c.province_region, promotionCentre: c.promotion_centre, eec: c.eec },
      industryClass: { code: c.tsic, nameEn: c.tsic_en, nameTh: c.tsic_th, parent: { code: c.parent_code, nameEn: c.parent_en } },
      targetIndustries: c.targets ?? [],
      smeSize: c.sme_size,
      smeSizeReason: c.sme_size_reason,
      factories: { totalCount: factoryCount.rows[0].n, edges: factories.rows.map((node) => ({ node: { fid: node.fid, ...node } })) },
      certifications: { totalCount: licenceCount.rows[0].n, edges: licences.rows.map((node) => ({ node: { licenceNo: node.licence_no, ...node } })) },
      programmeParticipations: programmes.rows,
      industry40Assessments: assessments.rows,
      financialStatements: statements.rows.map((row) => ({ fiscalYear: row.fiscal_year, ...row })),
      directors: (c.directors as { position: string | null }[]).map((d) => ({ name: '***', position: d.position, masked: true })),
      shareholders: c.shareholders,
    },
  };
}

/** The analyst's breakdown, from the same stored aggregate the hub reads. */
async function targetIndustriesByRegion(variables: { filter: { status: string[] } }): Promise<unknown> {
  const { rows } = await pool.query(
    `SELECT a.region, t.code AS target, sum(a.companies)::int AS count, sum(a.capital_sum)::float8 AS capital_sum,
            (sum(a.capital_sum) / nullif(sum(a.capital_known), 0))::float8 AS capital_average,
            (sum(a.revenue_sum) / nullif(sum(a.revenue_known), 0))::float8 AS revenue_average, sum(a.revenue_known)::int AS revenue_known,
            (sum(a.employees_sum)::numeric / nullif(sum(a.employees_known), 0))::float8 AS employees_average, sum(a.employees_known)::int AS employees_known
     FROM stats.company_aggregate a
     LEFT JOIN LATERAL unnest(CASE WHEN a.target_industries = '{}' THEN ARRAY[NULL::text] ELSE a.target_industries END) AS t(code) ON true
     WHERE a.status = ANY($1::text[])
     GROUP BY 1, 2
     HAVING sum(a.companies) >= $2
     ORDER BY 1, 2`,
    // An analyst is not shown groups of fewer firms than this (src/domains/statistics/small-cells.ts).
    [variables.filter.status, SMALL_CELL_THRESHOLD],
  );
  return {
    companyStats: {
      groups: rows.map((r) => ({
        keys: [{ code: r.region }, { code: r.target }],
        count: r.count,
        registeredCapital: { sum: r.capital_sum, average: r.capital_average },
        revenue: { average: r.revenue_average, known: r.revenue_known },
        employees: { average: r.employees_average, known: r.employees_known },
      })),
    },
  };
}

/**
 * Issue 16's nested read (the first 50 companies by juristic ID, each with its first 5 linked
 * factories by FID), two statements, as PostGraphile's peer answers it in one.
 */
async function nestedRead(): Promise<unknown> {
  const { rows: companies } = await pool.query<{ juristic_id: string; name_th: string }>('SELECT juristic_id, name_th FROM registry.company ORDER BY juristic_id LIMIT 50');
  const { rows: factories } = await pool.query<{ company_juristic_id: string; fid: string; name: string }>(
    `SELECT company_juristic_id, fid, name FROM (
       SELECT f.company_juristic_id, f.fid, f.name, row_number() OVER (PARTITION BY f.company_juristic_id ORDER BY f.fid) AS n
       FROM registry.factory f WHERE f.company_juristic_id = ANY($1)) t
     WHERE n <= 5 ORDER BY company_juristic_id, fid`,
    [companies.map((c) => c.juristic_id)],
  );
  const byId = new Map(companies.map((c) => [c.juristic_id, { juristicId: c.juristic_id, nameTh: c.name_th, factories: [] as { fid: string; name: string }[] }]));
  for (const f of factories) byId.get(f.company_juristic_id)!.factories.push({ fid: f.fid, name: f.name });
  return { companies: [...byId.values()] };
}

const HANDLERS: Record<string, (variables: never) => Promise<unknown>> = {
  '/nested-read': nestedRead,
  '/bank-screening': bankScreening,
  '/ministry-company-profile': companyProfile,
  '/analyst-target-industries-by-region': targetIndustriesByRegion,
};

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
