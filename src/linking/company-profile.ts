import type { Queryable } from '../ingestion/ingestion-run.repository';
import type { TargetIndustryTsic } from '../reference/reference-data';
import { sectorOfTsic, smeSize } from '../reference/sme-size';
import { targetIndustriesOfTsic } from '../reference/target-industry';

/** Profiles are computed in batches, so memory stays bounded however many firms a run touches. */
const BATCH = 5000;

interface ProfileInput {
  juristic_id: string;
  tsic_code: string | null;
  province_code: string | null;
  region: string | null;
  promotion_centre: number | null;
  fiscal_year: number | null;
  revenue_baht: string | null;
  employees: number | null;
  operating_factories: number;
  certifications: number;
  latest_i40_level: string | null;
}

/**
 * Derived facts per company, recomputed only for the firms an ingestion run touched (listed in the
 * temporary table `pg_temp.profile_affected (juristic_id)` by the caller), inside the run's
 * transaction: SME size by the 2019 rule from the latest financial statement, target industries
 * through the versioned TSIC mapping, region and promotion centre through the province, operating
 * factories linked to it, valid TISI licences held, and the latest Industry 4.0 level.
 */
export async function recomputeProfiles(client: Queryable, runId: string): Promise<number> {
  const mapping = (
    await client.query<{ industry_code: string; tsic_prefix: string; mapping_version: string }>(
      'SELECT industry_code, tsic_prefix, mapping_version FROM reference.target_industry_tsic',
    )
  ).rows.map((r): TargetIndustryTsic => ({ industryCode: r.industry_code, tsicPrefix: r.tsic_prefix, mappingVersion: r.mapping_version }));

  await client.query('CREATE INDEX ON pg_temp.profile_affected (juristic_id)');
  await client.query('ANALYZE pg_temp.profile_affected');
  let done = 0;
  let after = '';
  for (;;) {
    // Set-based: each fact aggregated once for the batch, not looked up firm by firm.
    const batch = await client.query<ProfileInput>(
      `WITH a AS (
         SELECT DISTINCT juristic_id FROM pg_temp.profile_affected WHERE juristic_id > $1 ORDER BY juristic_id LIMIT $2
       ), fac AS (
         SELECT f.company_juristic_id AS juristic_id, count(*)::int AS n FROM registry.factory f JOIN a ON a.juristic_id = f.company_juristic_id
         WHERE f.status = 'OPERATING' AND f.absent_since_run_id IS NULL GROUP BY 1
       ), lic AS (
         SELECT l.licensee_tax_id AS juristic_id, count(*)::int AS n FROM registry.tis_licence l JOIN a ON a.juristic_id = l.licensee_tax_id
         WHERE l.status = 'VALID' AND l.absent_since_run_id IS NULL GROUP BY 1
       ), i40 AS (
         SELECT DISTINCT ON (x.juristic_id) x.juristic_id, x.overall_level FROM registry.dip_i40_assessment x JOIN a USING (juristic_id)
         WHERE x.absent_since_run_id IS NULL ORDER BY x.juristic_id, x.assessed_on DESC
       ), fin AS (
         SELECT DISTINCT ON (fs.juristic_id) fs.juristic_id, fs.fiscal_year, fs.revenue_baht, fs.employees
         FROM registry.financial_statement fs JOIN a USING (juristic_id)
         WHERE fs.absent_since_run_id IS NULL ORDER BY fs.juristic_id, fs.fiscal_year DESC
       )
       SELECT c.juristic_id, c.tsic_code, p.code AS province_code, p.region, p.promotion_centre::int,
              fin.fiscal_year, fin.revenue_baht::text, fin.employees,
              coalesce(fac.n, 0) AS operating_factories, coalesce(lic.n, 0) AS certifications, i40.overall_level::text AS latest_i40_level
       FROM a
       JOIN registry.company c ON c.juristic_id = a.juristic_id
       LEFT JOIN reference.province p ON p.name_th = c.province
       LEFT JOIN fin ON fin.juristic_id = a.juristic_id
       LEFT JOIN fac ON fac.juristic_id = a.juristic_id
       LEFT JOIN lic ON lic.juristic_id = a.juristic_id
       LEFT JOIN i40 ON i40.juristic_id = a.juristic_id
       ORDER BY c.juristic_id`,
      [after, BATCH],
    );
    if (batch.rows.length === 0) break;
    const columns = {
      juristic_id: [] as string[],
      sme_sector: [] as (string | null)[],
      sme_size: [] as (string | null)[],
      sme_size_reason: [] as (string | null)[],
      sme_fiscal_year: [] as (number | null)[],
      revenue_baht: [] as (string | null)[],
      employees: [] as (number | null)[],
      target_industries: [] as string[],
      target_mapping_version: [] as (string | null)[],
      province_code: [] as (string | null)[],
      region: [] as (string | null)[],
      promotion_centre: [] as (number | null)[],
      operating_factories: [] as number[],
      certifications: [] as number[],
      latest_i40_level: [] as (string | null)[],
    };
    for (const row of batch.rows) {
      const sector = sectorOfTsic(row.tsic_code);
      const size = sector ? smeSize({ sector, revenueBaht: row.revenue_baht === null ? null : Number(row.revenue_baht), employees: row.employees }) : null;
      const industries = targetIndustriesOfTsic(row.tsic_code, mapping);
      columns.juristic_id.push(row.juristic_id);
      columns.sme_sector.push(sector);
      columns.sme_size.push(size?.size ?? null);
      columns.sme_size_reason.push(size ? size.reason : 'no TSIC code: the sector (manufacturing or trade and services) is unknown');
      columns.sme_fiscal_year.push(row.fiscal_year);
      columns.revenue_baht.push(row.revenue_baht);
      columns.employees.push(row.employees);
      // A Postgres array literal per row (unnest cannot take an array of arrays of varying length).
      columns.target_industries.push(`{${industries.map((i) => i.industryCode).join(',')}}`);
      columns.target_mapping_version.push(industries[0]?.mappingVersion ?? null);
      columns.province_code.push(row.province_code);
      columns.region.push(row.region);
      columns.promotion_centre.push(row.promotion_centre);
      columns.operating_factories.push(row.operating_factories);
      columns.certifications.push(row.certifications);
      columns.latest_i40_level.push(row.latest_i40_level);
    }
    await client.query(
      `INSERT INTO registry.company_profile (juristic_id, sme_sector, sme_size, sme_size_reason, sme_fiscal_year, revenue_baht, employees,
         target_industries, target_mapping_version, province_code, region, promotion_centre, operating_factories, certifications,
         latest_i40_level, computed_by_run_id, computed_at)
       SELECT u.juristic_id, u.sme_sector, u.sme_size, u.sme_size_reason, u.sme_fiscal_year, u.revenue_baht::numeric, u.employees,
         u.target_industries::text[], u.target_mapping_version, u.province_code, u.region, u.promotion_centre, u.operating_factories,
         u.certifications, u.latest_i40_level::numeric, $16, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[], $8::text[], $9::text[], $10::text[],
                   $11::text[], $12::int[], $13::int[], $14::int[], $15::text[])
         AS u(juristic_id, sme_sector, sme_size, sme_size_reason, sme_fiscal_year, revenue_baht, employees, target_industries,
              target_mapping_version, province_code, region, promotion_centre, operating_factories, certifications, latest_i40_level)
       ON CONFLICT (juristic_id) DO UPDATE SET sme_sector = EXCLUDED.sme_sector, sme_size = EXCLUDED.sme_size,
         sme_size_reason = EXCLUDED.sme_size_reason, sme_fiscal_year = EXCLUDED.sme_fiscal_year, revenue_baht = EXCLUDED.revenue_baht,
         employees = EXCLUDED.employees, target_industries = EXCLUDED.target_industries, target_mapping_version = EXCLUDED.target_mapping_version,
         province_code = EXCLUDED.province_code, region = EXCLUDED.region, promotion_centre = EXCLUDED.promotion_centre,
         operating_factories = EXCLUDED.operating_factories, certifications = EXCLUDED.certifications,
         latest_i40_level = EXCLUDED.latest_i40_level, computed_by_run_id = EXCLUDED.computed_by_run_id, computed_at = now()`,
      [
        columns.juristic_id,
        columns.sme_sector,
        columns.sme_size,
        columns.sme_size_reason,
        columns.sme_fiscal_year,
        columns.revenue_baht,
        columns.employees,
        columns.target_industries,
        columns.target_mapping_version,
        columns.province_code,
        columns.region,
        columns.promotion_centre,
        columns.operating_factories,
        columns.certifications,
        columns.latest_i40_level,
        runId,
      ],
    );
    done += batch.rows.length;
    after = batch.rows.at(-1)!.juristic_id;
  }
  return done;
}
