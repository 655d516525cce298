import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the partner banks report back about their products (`reportLoanOutcome`): one row per report
 * of a stage of a firm's application (APPLIED, APPROVED, REJECTED, DISBURSED, WITHDRAWN), with the
 * amount in baht, the day it happened, and what the hub said about the firm when the bank reported
 * (the stored eligibility result and the product's rule set version then in force), so take-up can
 * be read against the eligibility the bank saw.
 *
 * `bank_reference` makes a retried report idempotent: unique per bank, so the same reference
 * names the same row. Rows are never updated or deleted (a correction is a new report).
 */
export class LoanOutcomes1763797000000 implements MigrationInterface {
  name = 'LoanOutcomes1763797000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE lending.loan_outcome (
        id                       bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        bank_code                text          NOT NULL,
        product_code             text          NOT NULL,
        juristic_id              text          NOT NULL REFERENCES registry.company (juristic_id),
        outcome                  text          NOT NULL CHECK (outcome IN ('APPLIED', 'APPROVED', 'REJECTED', 'DISBURSED', 'WITHDRAWN')),
        amount_baht              numeric(18, 2) CHECK (amount_baht > 0),
        outcome_on               date          NOT NULL,
        bank_reference           text          CHECK (length(bank_reference) BETWEEN 1 AND 100),
        -- The hub's view when the bank reported: null when it had no result for the firm and product.
        eligible_at_report       boolean,
        eligibility_outcome      text          CHECK (eligibility_outcome IN ('PASS', 'FAIL', 'UNKNOWN')),
        eligibility_computed_at  timestamptz,
        rule_set_version         integer,
        reported_by_client_id    uuid          NOT NULL REFERENCES access.api_client (id),
        reported_at              timestamptz   NOT NULL DEFAULT now(),
        FOREIGN KEY (bank_code, product_code) REFERENCES lending.loan_product (bank_code, product_code),
        CONSTRAINT loan_outcome_amount_required CHECK (amount_baht IS NOT NULL OR outcome NOT IN ('APPROVED', 'DISBURSED')),
        CONSTRAINT loan_outcome_eligibility_together CHECK ((eligible_at_report IS NULL) = (eligibility_outcome IS NULL))
      )`);
    await queryRunner.query(`COMMENT ON TABLE lending.loan_outcome IS 'reports of the partner banks on their products; append-only (a correction is a new report)'`);
    await queryRunner.query(`COMMENT ON COLUMN lending.loan_outcome.rule_set_version IS 'version of the product''s rule set in force when reported (lending.loan_product_rule_set)'`);
    // Idempotent retries: the same bank and reference are the same report.
    await queryRunner.query(`CREATE UNIQUE INDEX loan_outcome_bank_reference ON lending.loan_outcome (bank_code, bank_reference) WHERE bank_reference IS NOT NULL`);
    // Take-up per product, and a bank's own listing.
    await queryRunner.query(`CREATE INDEX loan_outcome_product ON lending.loan_outcome (bank_code, product_code, juristic_id)`);
    // A firm's reports.
    await queryRunner.query(`CREATE INDEX loan_outcome_firm ON lending.loan_outcome (juristic_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE lending.loan_outcome`);
  }
}
