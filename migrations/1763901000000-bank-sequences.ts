import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each bank's own sequences (issue 14): a bank read its feed's `position`s and its loan outcome IDs
 * from the hub-wide sequences, so the gaps between its own numbers counted the other bank's
 * eligibility events and loan reports. Events keep their hub-wide `position` (the ministry's feed,
 * the writers' ordering) and gain `bank_position`, dense per bank in the same commit order (the
 * writers number both under the same advisory lock); reports gain `bank_seq`, dense per bank.
 */
export class BankSequences1763901000000 implements MigrationInterface {
  name = 'BankSequences1763901000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE lending.eligibility_event ADD COLUMN bank_position bigint`);
    await queryRunner.query(`
      UPDATE lending.eligibility_event e SET bank_position = n.rn
      FROM (SELECT position, row_number() OVER (PARTITION BY bank_code ORDER BY position) AS rn FROM lending.eligibility_event) n
      WHERE e.position = n.position`);
    await queryRunner.query(`ALTER TABLE lending.eligibility_event ALTER COLUMN bank_position SET NOT NULL, ADD CHECK (bank_position >= 1)`);
    // A bank's feed reads its events in its own order; the hub-wide index by bank is not needed any more.
    await queryRunner.query(`CREATE UNIQUE INDEX eligibility_event_bank_position ON lending.eligibility_event (bank_code, bank_position)`);
    await queryRunner.query(`DROP INDEX lending.eligibility_event_bank`);
    await queryRunner.query(`COMMENT ON COLUMN lending.eligibility_event.bank_position IS 'position in its bank''s own feed: dense per bank, in commit order'`);

    await queryRunner.query(`ALTER TABLE lending.loan_outcome ADD COLUMN bank_seq bigint`);
    await queryRunner.query(`
      UPDATE lending.loan_outcome o SET bank_seq = n.rn
      FROM (SELECT id, row_number() OVER (PARTITION BY bank_code ORDER BY id) AS rn FROM lending.loan_outcome) n
      WHERE o.id = n.id`);
    await queryRunner.query(`ALTER TABLE lending.loan_outcome ALTER COLUMN bank_seq SET NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX loan_outcome_bank_seq ON lending.loan_outcome (bank_code, bank_seq)`);
    await queryRunner.query(`COMMENT ON COLUMN lending.loan_outcome.bank_seq IS 'the report''s number in its bank''s own sequence; its public ID is <bank>-<bank_seq>'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX lending.loan_outcome_bank_seq`);
    await queryRunner.query(`ALTER TABLE lending.loan_outcome DROP COLUMN bank_seq`);
    await queryRunner.query(`CREATE INDEX eligibility_event_bank ON lending.eligibility_event (bank_code, position)`);
    await queryRunner.query(`DROP INDEX lending.eligibility_event_bank_position`);
    await queryRunner.query(`ALTER TABLE lending.eligibility_event DROP COLUMN bank_position`);
  }
}
