import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored eligibility: one result per bank × product × firm (the latest evaluation, with each
 * criterion's outcome, value and provenance) and an append-only event log of changes, which the
 * banks read as a feed (GraphQL `eligibilityFeed`, `GET /feeds/eligibility`).
 *
 * `eligibility_event.position` is commit-ordered and dense (1, 2, 3, ... with no holes): writers
 * assign it as max + n while holding a transaction-scoped advisory lock that they keep until
 * commit (src/eligibility/eligibility.repository.ts). A bigserial would not do: a transaction that
 * drew 10 may commit after one that drew 11, and a reader that already moved past 11 would miss 10.
 */
export class Eligibility1763795000000 implements MigrationInterface {
  name = 'Eligibility1763795000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE lending.eligibility_result (
        bank_code           text        NOT NULL,
        product_code        text        NOT NULL,
        juristic_id         text        NOT NULL,
        eligible            boolean     NOT NULL,
        outcome             text        NOT NULL CHECK (outcome IN ('PASS', 'FAIL', 'UNKNOWN')),
        criteria            jsonb       NOT NULL,
        -- md5 of the criteria without provenance: a new run of unchanged data is not a change.
        details_hash        text        NOT NULL,
        rule_set_version    integer     NOT NULL,
        computed_at         timestamptz NOT NULL DEFAULT now(),
        computed_by_run_id  bigint      NOT NULL REFERENCES ingestion.run (id),
        PRIMARY KEY (bank_code, product_code, juristic_id),
        FOREIGN KEY (bank_code, product_code) REFERENCES lending.loan_product (bank_code, product_code)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN lending.eligibility_result.criteria IS 'per criterion: path, kind, id, outcome, value, provenance (src/eligibility/rules/evaluate.ts)'`);
    // eligibleCompanies: the eligible firms of one product in juristic ID order (keyset pages).
    await queryRunner.query(`CREATE INDEX eligibility_result_eligible ON lending.eligibility_result (bank_code, product_code, juristic_id) WHERE eligible`);
    // Company.eligibility: every product's result for a page of firms.
    await queryRunner.query(`CREATE INDEX eligibility_result_firm ON lending.eligibility_result (juristic_id)`);

    await queryRunner.query(`
      CREATE TABLE lending.eligibility_event (
        position          bigint      PRIMARY KEY CHECK (position >= 1),
        bank_code         text        NOT NULL,
        product_code      text        NOT NULL,
        juristic_id       text        NOT NULL,
        kind              text        NOT NULL CHECK (kind IN ('BECAME_ELIGIBLE', 'NO_LONGER_ELIGIBLE', 'DETAILS_CHANGED')),
        eligible          boolean     NOT NULL,
        rule_set_version  integer     NOT NULL,
        run_id            bigint      NOT NULL REFERENCES ingestion.run (id),
        occurred_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON TABLE lending.eligibility_event IS 'append-only; position is dense and in commit order (see the migration)'`);
    // A bank's feed: its events in position order.
    await queryRunner.query(`CREATE INDEX eligibility_event_bank ON lending.eligibility_event (bank_code, position)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE lending.eligibility_event`);
    await queryRunner.query(`DROP TABLE lending.eligibility_result`);
  }
}
