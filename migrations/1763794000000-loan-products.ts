import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schema `lending`: the partner banks' loan products (target of the `smed-products` and
 * `exim-products` sources, with the provenance columns every target table has) and the versions of
 * each product's eligibility rule set. Eligibility results will name the version they were computed
 * with, so a version is never changed or deleted: a change of a product's rules adds version n + 1
 * (written by the loading run, see src/sources/banks/rule-set-versions.ts).
 */
export class LoanProducts1763794000000 implements MigrationInterface {
  name = 'LoanProducts1763794000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS lending`);
    await queryRunner.query(`
      CREATE TABLE lending.loan_product (
        bank_code            text          NOT NULL CHECK (bank_code IN ('SMED', 'EXIM')),
        product_code         text          NOT NULL CHECK (product_code ~ '^[A-Z0-9][A-Z0-9_-]*$'),
        name_th              text          NOT NULL,
        name_en              text          NOT NULL,
        max_amount_baht      numeric(18, 2) CHECK (max_amount_baht > 0),
        max_term_months      integer       CHECK (max_term_months > 0),
        rate_description     text,
        policy_theme         text          NOT NULL,
        rules                jsonb         NOT NULL,
        -- jsonb's text form is canonical (keys ordered, spacing normalised): equal rules, equal hash.
        rules_hash           text          NOT NULL GENERATED ALWAYS AS (md5(rules::text)) STORED,
        rule_set_version     integer,
        row_hash             text          NOT NULL,
        source               text          NOT NULL,
        source_run_id        bigint        NOT NULL REFERENCES ingestion.run (id),
        fetched_at           timestamptz   NOT NULL,
        created_at           timestamptz   NOT NULL DEFAULT now(),
        updated_at           timestamptz   NOT NULL DEFAULT now(),
        absent_since_run_id  bigint        REFERENCES ingestion.run (id),
        PRIMARY KEY (bank_code, product_code)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN lending.loan_product.rules IS 'eligibility rule set as published, validated (src/eligibility/rules/README.md)'`);
    await queryRunner.query(`COMMENT ON COLUMN lending.loan_product.rule_set_version IS 'version in lending.loan_product_rule_set of the rules now published'`);

    await queryRunner.query(`
      CREATE TABLE lending.loan_product_rule_set (
        bank_code          text        NOT NULL,
        product_code       text        NOT NULL,
        version            integer     NOT NULL CHECK (version >= 1),
        rules              jsonb       NOT NULL,
        rules_hash         text        NOT NULL,
        created_by_run_id  bigint      NOT NULL REFERENCES ingestion.run (id),
        created_at         timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (bank_code, product_code, version),
        FOREIGN KEY (bank_code, product_code) REFERENCES lending.loan_product (bank_code, product_code)
      )`);
    await queryRunner.query(`COMMENT ON TABLE lending.loan_product_rule_set IS 'every rule set a product has had; never updated or deleted'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA lending CASCADE`);
  }
}
