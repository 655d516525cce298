import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schema `stats`: the materialised company aggregate behind `companyStats` (see
 * src/domains/statistics/company-aggregate.ts) and when it was last refreshed. Filled here from the
 * data already loaded; afterwards the ingestion engine refreshes it in every run that recomputes
 * profiles. The fill is a frozen copy of the refresh's SQL, so this migration keeps working whatever
 * the code later does.
 */
export class Statistics1763793000000 implements MigrationInterface {
  name = 'Statistics1763793000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS stats`);
    await queryRunner.query(`
      CREATE TABLE stats.company_aggregate (
        region                 text,
        province_code          text,
        target_industries      text[]  NOT NULL,
        sme_size               text,
        i40_level              numeric(3, 1),
        status                 text    NOT NULL,
        juristic_type          text    NOT NULL,
        has_operating_factory  boolean NOT NULL,
        companies              bigint  NOT NULL CHECK (companies > 0),
        capital_sum            numeric,
        capital_known          bigint  NOT NULL,
        revenue_sum            numeric,
        revenue_known          bigint  NOT NULL,
        employees_sum          bigint,
        employees_known        bigint  NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE stats.aggregate_refresh (
        name          text        PRIMARY KEY,
        refreshed_at  timestamptz NOT NULL,
        run_id        bigint      REFERENCES ingestion.run (id) ON DELETE SET NULL,
        groups        integer     NOT NULL
      )`);
    await queryRunner.query(`
      INSERT INTO stats.company_aggregate (region, province_code, target_industries, sme_size, i40_level, status, juristic_type,
        has_operating_factory, companies, capital_sum, capital_known, revenue_sum, revenue_known, employees_sum, employees_known)
      SELECT p.region, p.province_code, coalesce(p.target_industries, '{}'), p.sme_size, p.latest_i40_level, c.status, c.juristic_type_code,
        coalesce(p.operating_factories, 0) > 0, count(*), sum(c.registered_capital_baht), count(c.registered_capital_baht),
        sum(p.revenue_baht), count(p.revenue_baht), sum(p.employees), count(p.employees)
      FROM registry.company c LEFT JOIN registry.company_profile p ON p.juristic_id = c.juristic_id
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`);
    await queryRunner.query(`
      INSERT INTO stats.aggregate_refresh (name, refreshed_at, run_id, groups)
      SELECT 'company', now(), NULL, count(*) FROM stats.company_aggregate`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA stats CASCADE`);
  }
}
