import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Free space in every page of lending.eligibility_result (fillfactor 50), so that recomputing a
 * firm's results rewrites them in place: a firm's six results share a page, and with room on it
 * their new versions are heap-only tuples (HOT), which touch none of the table's three indexes.
 * Full pages make every rewrite a new tuple elsewhere plus three index entries, each on a page of
 * its own: at a million firms, a 1 % change wrote 3.7 KB of WAL per result and read as many index
 * pages as results (see src/eligibility/eligibility.repository.ts, flushStagedResults). The price
 * is a table twice the size (about 12 GB for a million firms and six products).
 *
 * Applies to pages written from now on; a table already filled keeps its pages until they are
 * rewritten (VACUUM FULL lending.eligibility_result packs it with the new setting, under an
 * exclusive lock).
 */
export class EligibilityResultFillfactor1763798000000 implements MigrationInterface {
  name = 'EligibilityResultFillfactor1763798000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE lending.eligibility_result SET (fillfactor = 50)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE lending.eligibility_result RESET (fillfactor)`);
  }
}
