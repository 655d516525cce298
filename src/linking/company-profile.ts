import type { Queryable } from '../ingestion/ingestion-run.repository';
import type { TargetIndustryTsic } from '../reference/reference-data';
import { sectorOfTsic, smeSizeLateralSql } from '../reference/sme-size';
import { targetIndustriesOfTsic } from '../reference/target-industry';

/** What profiles say of a firm with no usable TSIC code (the SME rule needs the sector). */
const NO_SECTOR_REASON = 'no TSIC code: the sector (manufacturing or trade and services) is unknown';

/**
 * Derived facts per company, recomputed only for the firms an ingestion run touched (listed in the
 * temporary table `pg_temp.profile_affected (juristic_id)` by the caller), inside the run's
 * transaction: SME size by the 2019 rule from the latest financial statement, target industries
 * through the versioned TSIC mapping, region and promotion centre through the province, operating
 * factories linked to it, valid TISI licences held, and the latest Industry 4.0 level: licences and
 * assessments through their links (src/linking/company-linker.ts), so a licence TISI wrote without
 * the tax ID counts for the firm it was linked to by name.
 *
 * Set-based, one statement for every firm however many (a first load touches a million): the TSIC
 * facts (sector, target industries) are computed by the TypeScript rules once per distinct TSIC code
 * among the firms (a few hundred) and passed in; the SME size and its reason are computed by SQL
 * generated from the same rule table (smeSizeLateralSql, tested equal to smeSize); the other facts
 * are aggregated once for all the firms.
 */
export async function recomputeProfiles(client: Queryable, runId: string): Promise<number> {
  const mapping = (
    await client.query<{ industry_code: string; tsic_prefix: string; mapping_version: string }>(
      'SELECT industry_code, tsic_prefix, mapping_version FROM reference.target_industry_tsic',
    )
  ).rows.map((r): TargetIndustryTsic => ({ industryCode: r.industry_code, tsicPrefix: r.tsic_prefix, mappingVersion: r.mapping_version }));

  await client.query('CREATE INDEX ON pg_temp.profile_affected (juristic_id)');
  await client.query('ANALYZE pg_temp.profile_affected');
  const codes = (
    await client.query<{ tsic_code: string }>(
      `SELECT DISTINCT c.tsic_code FROM registry.company c
       WHERE c.tsic_code IS NOT NULL AND c.juristic_id IN (SELECT juristic_id FROM pg_temp.profile_affected)`,
    )
  ).rows.map((r) => r.tsic_code);
  const facts = codes.map((code) => ({ code, sector: sectorOfTsic(code), industries: targetIndustriesOfTsic(code, mapping) }));
  const result = await client.query(
    `WITH a AS (
       SELECT DISTINCT juristic_id FROM pg_temp.profile_affected
     ), tsic AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(tsic_code, sector, industries, mapping_version)
     ), fac AS (
       SELECT f.company_juristic_id AS juristic_id, count(*)::int AS n FROM registry.factory f JOIN a ON a.juristic_id = f.company_juristic_id
       WHERE f.status = 'OPERATING' AND f.absent_since_run_id IS NULL GROUP BY 1
     ), lic AS (
       SELECT l.company_juristic_id AS juristic_id, count(*)::int AS n FROM registry.tis_licence l JOIN a ON a.juristic_id = l.company_juristic_id
       WHERE l.status = 'VALID' AND l.absent_since_run_id IS NULL GROUP BY 1
     ), i40 AS (
       SELECT DISTINCT ON (x.company_juristic_id) x.company_juristic_id AS juristic_id, x.overall_level
       FROM registry.dip_i40_assessment x JOIN a ON a.juristic_id = x.company_juristic_id
       WHERE x.absent_since_run_id IS NULL ORDER BY x.company_juristic_id, x.assessed_on DESC, x.overall_level DESC, x.participant_key
     ), fin AS (
       SELECT DISTINCT ON (fs.juristic_id) fs.juristic_id, fs.fiscal_year, fs.revenue_baht, fs.employees
       FROM registry.financial_statement fs JOIN a USING (juristic_id)
       WHERE fs.absent_since_run_id IS NULL ORDER BY fs.juristic_id, fs.fiscal_year DESC
     ), src AS (
       SELECT c.juristic_id, t.sector, fin.fiscal_year, fin.revenue_baht, fin.employees,
              coalesce(t.industries, '{}')::text[] AS target_industries, t.mapping_version,
              p.code AS province_code, p.region, p.promotion_centre::int AS promotion_centre,
              coalesce(fac.n, 0) AS operating_factories, coalesce(lic.n, 0) AS certifications, i40.overall_level
       FROM a
       JOIN registry.company c ON c.juristic_id = a.juristic_id
       LEFT JOIN tsic t ON t.tsic_code = c.tsic_code
       LEFT JOIN reference.province p ON p.name_th = c.province
       LEFT JOIN fin ON fin.juristic_id = a.juristic_id
       LEFT JOIN fac ON fac.juristic_id = a.juristic_id
       LEFT JOIN lic ON lic.juristic_id = a.juristic_id
       LEFT JOIN i40 ON i40.juristic_id = a.juristic_id
     )
     INSERT INTO registry.company_profile (juristic_id, sme_sector, sme_size, sme_size_reason, sme_fiscal_year, revenue_baht, employees,
       target_industries, target_mapping_version, province_code, region, promotion_centre, operating_factories, certifications,
       latest_i40_level, computed_by_run_id, computed_at)
     SELECT src.juristic_id, src.sector, CASE WHEN src.sector IS NULL THEN NULL ELSE s.size END,
       CASE WHEN src.sector IS NULL THEN $5 ELSE s.reason END, src.fiscal_year, src.revenue_baht, src.employees,
       src.target_industries, src.mapping_version, src.province_code, src.region, src.promotion_centre, src.operating_factories,
       src.certifications, src.overall_level, $6, now()
     FROM src, ${smeSizeLateralSql('s', 'src.sector', 'src.revenue_baht', 'src.employees')}
     ON CONFLICT (juristic_id) DO UPDATE SET sme_sector = EXCLUDED.sme_sector, sme_size = EXCLUDED.sme_size,
       sme_size_reason = EXCLUDED.sme_size_reason, sme_fiscal_year = EXCLUDED.sme_fiscal_year, revenue_baht = EXCLUDED.revenue_baht,
       employees = EXCLUDED.employees, target_industries = EXCLUDED.target_industries, target_mapping_version = EXCLUDED.target_mapping_version,
       province_code = EXCLUDED.province_code, region = EXCLUDED.region, promotion_centre = EXCLUDED.promotion_centre,
       operating_factories = EXCLUDED.operating_factories, certifications = EXCLUDED.certifications,
       latest_i40_level = EXCLUDED.latest_i40_level, computed_by_run_id = EXCLUDED.computed_by_run_id, computed_at = now()`,
    [
      facts.map((f) => f.code),
      facts.map((f) => f.sector),
      // A Postgres array literal per code (unnest cannot take an array of arrays of varying length).
      facts.map((f) => `{${f.industries.map((i) => i.industryCode).join(',')}}`),
      facts.map((f) => f.industries[0]?.mappingVersion ?? null),
      NO_SECTOR_REASON,
      runId,
    ],
  );
  return result.rowCount ?? 0;
}
