import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the graph's licence lists, which all run newest issue date first (issued_on DESC,
 * licence_no DESC): a standard may have thousands of licences, so its pages and the root list read
 * the index in order instead of sorting. The standard's index replaces the one on tis_no alone (same
 * leading column). A company's or factory's licences are few; their existing indexes suffice.
 */
export class CertificationIndexes1763791000000 implements MigrationInterface {
  name = 'CertificationIndexes1763791000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX tis_licence_tis_no_issued_idx ON registry.tis_licence (tis_no, issued_on DESC, licence_no DESC)`);
    await queryRunner.query(`DROP INDEX registry.tis_licence_tis_no_idx`);
    await queryRunner.query(`CREATE INDEX tis_licence_issued_idx ON registry.tis_licence (issued_on DESC, licence_no DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX registry.tis_licence_issued_idx`);
    await queryRunner.query(`CREATE INDEX tis_licence_tis_no_idx ON registry.tis_licence (tis_no)`);
    await queryRunner.query(`DROP INDEX registry.tis_licence_tis_no_issued_idx`);
  }
}
