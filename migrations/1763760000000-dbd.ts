import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Department of Business Development's registers: juristic persons (`registry.company`, keyed by
 * the 13-digit juristic ID) and their yearly financial statements (`registry.financial_statement`,
 * keyed by juristic ID and fiscal year, amounts in baht). Both with the provenance columns every
 * target table has. Directors and shareholders are personal data, kept as jsonb as DBD gives them.
 * No foreign key from statements to companies: the two feeds load independently, in any order.
 */
export class Dbd1763760000000 implements MigrationInterface {
  name = 'Dbd1763760000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE registry.company (
        juristic_id              text PRIMARY KEY CHECK (juristic_id ~ '^0[0-9]{12}$'),
        juristic_type            text,
        juristic_type_code       text NOT NULL DEFAULT 'UNKNOWN'
                                 CHECK (juristic_type_code IN ('COMPANY', 'PUBLIC_COMPANY', 'LIMITED_PARTNERSHIP', 'ORDINARY_PARTNERSHIP', 'UNKNOWN')),
        name_th                  text NOT NULL,
        name_th_normalised       text NOT NULL,
        name_en                  text,
        status_raw               text,
        status                   text NOT NULL DEFAULT 'UNKNOWN' CHECK (status IN ('ACTIVE', 'DISSOLVED', 'ABANDONED', 'BANKRUPT', 'UNKNOWN')),
        registered_on            date,
        registered_capital_baht  numeric(18, 2),
        paid_up_capital_baht     numeric(18, 2),
        objective                text,
        tsic_code                text,
        address                  text,
        province                 text,
        directors                jsonb NOT NULL DEFAULT '[]'::jsonb,
        shareholders             jsonb NOT NULL DEFAULT '[]'::jsonb,
        thai_shareholding_pct    numeric(5, 2) CHECK (thai_shareholding_pct BETWEEN 0 AND 100),
        source_updated_at        timestamptz,
        row_hash                 text NOT NULL,
        source                   text NOT NULL,
        source_run_id            bigint NOT NULL REFERENCES ingestion.run (id),
        fetched_at               timestamptz NOT NULL,
        created_at               timestamptz NOT NULL DEFAULT now(),
        updated_at               timestamptz NOT NULL DEFAULT now(),
        absent_since_run_id      bigint REFERENCES ingestion.run (id)
      )`);
    // The name indexes for linking (btree and trigram on name_th_normalised) come with the linking
    // migration (1763780000000), which owns the queries that use them.
    await queryRunner.query(`CREATE INDEX company_province_idx ON registry.company (province, juristic_id)`);
    await queryRunner.query(`CREATE INDEX company_status_idx ON registry.company (status, juristic_id)`);
    await queryRunner.query(`CREATE INDEX company_tsic_idx ON registry.company (tsic_code text_pattern_ops)`);

    await queryRunner.query(`
      CREATE TABLE registry.financial_statement (
        juristic_id          text NOT NULL CHECK (juristic_id ~ '^0[0-9]{12}$'),
        fiscal_year          integer NOT NULL CHECK (fiscal_year BETWEEN 1950 AND 2100),
        reported_unit        text NOT NULL CHECK (reported_unit IN ('THB', 'THB_MILLION')),
        revenue_baht         numeric(18, 2),
        total_assets_baht    numeric(18, 2),
        fixed_assets_baht    numeric(18, 2),
        liabilities_baht     numeric(18, 2),
        equity_baht          numeric(18, 2),
        net_profit_baht      numeric(18, 2),
        employees            integer CHECK (employees >= 0),
        source_updated_at    timestamptz,
        row_hash             text NOT NULL,
        source               text NOT NULL,
        source_run_id        bigint NOT NULL REFERENCES ingestion.run (id),
        fetched_at           timestamptz NOT NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        absent_since_run_id  bigint REFERENCES ingestion.run (id),
        PRIMARY KEY (juristic_id, fiscal_year)
      )`);
    await queryRunner.query(`CREATE INDEX financial_statement_year_idx ON registry.financial_statement (fiscal_year, juristic_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE registry.financial_statement`);
    await queryRunner.query(`DROP TABLE registry.company`);
  }
}
