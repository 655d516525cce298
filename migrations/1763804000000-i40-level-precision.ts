import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A firm's latest Industry 4.0 level, kept as DIP gives it (two decimals) in the company profile and
 * the statistics aggregate. They kept one decimal, so a firm assessed 2.96 was stored as 3.0: the
 * `industry40LevelAtLeast: 3` filter and the level-3 statistics bucket counted it, while its
 * eligibility (which reads the assessment itself) said it was below 3. The levels are re-read from
 * the assessments and the aggregate rebuilt (as every run does, `src/domains/statistics`).
 */
export class I40LevelPrecision1763804000000 implements MigrationInterface {
  name = 'I40LevelPrecision1763804000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE registry.company_profile ALTER COLUMN latest_i40_level TYPE numeric(3, 2)`);
    await queryRunner.query(`
      UPDATE registry.company_profile p SET latest_i40_level = x.overall_level
      FROM (
        SELECT DISTINCT ON (company_juristic_id) company_juristic_id, overall_level FROM registry.dip_i40_assessment
        WHERE company_juristic_id IS NOT NULL AND absent_since_run_id IS NULL ORDER BY company_juristic_id, assessed_on DESC, overall_level DESC, participant_key
      ) x
      WHERE x.company_juristic_id = p.juristic_id AND p.latest_i40_level IS DISTINCT FROM x.overall_level`);
    await queryRunner.query(`ALTER TABLE stats.company_aggregate ALTER COLUMN i40_level TYPE numeric(3, 2)`);
    await this.rebuildAggregate(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE stats.company_aggregate ALTER COLUMN i40_level TYPE numeric(3, 1)`);
    await queryRunner.query(`ALTER TABLE registry.company_profile ALTER COLUMN latest_i40_level TYPE numeric(3, 1)`);
    await this.rebuildAggregate(queryRunner);
  }

  /** The aggregate's fill as of this migration (the one a run uses may change later). */
  private async rebuildAggregate(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM stats.company_aggregate');
    await queryRunner.query(`
      INSERT INTO stats.company_aggregate (region, province_code, target_industries, sme_size, i40_level, status, juristic_type,
        has_operating_factory, companies, capital_sum, capital_known, revenue_sum, revenue_known, employees_sum, employees_known)
      SELECT p.region, p.province_code, coalesce(p.target_industries, '{}'), p.sme_size, p.latest_i40_level, c.status, c.juristic_type_code,
        coalesce(p.operating_factories, 0) > 0, count(*), sum(c.registered_capital_baht), count(c.registered_capital_baht),
        sum(p.revenue_baht), count(p.revenue_baht), sum(p.employees), count(p.employees)
      FROM registry.company c LEFT JOIN registry.company_profile p ON p.juristic_id = c.juristic_id
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`);
  }
}
