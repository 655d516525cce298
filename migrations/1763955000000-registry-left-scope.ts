import type { MigrationInterface, QueryRunner } from 'typeorm';
import { recordChangesOf, type Tracked } from './1763930000000-registry-changes';

/**
 * Records leaving an area (issue 20): an area role (a provincial office, a centre) syncing the
 * registry feed learns when a record it holds leaves its area, so it drops its copy.
 *
 * The feed shows an area a change when the record is in the area now (src/domains/registry-changes).
 * A record that an update moves out of an area (a factory's province, a record relinked to a company
 * of another province, a company's head office) is not, so the area never heard of it again. Now the
 * update trigger logs, with the change, the provinces the row was in before and is not in after
 * (`left_areas`, by the feed's area rules: a company by its head office's province; a factory by its
 * province or its company's; a licence by its company's or its plant's; a DIP record by its
 * company's). The feed shows such a change, to an area among them that does not see the record now,
 * as LEFT_SCOPE: its key only. Computed only when a column that decides the area changed.
 *
 * Moves that change no row of the record's own (its company's head office moves: its factories,
 * licences and DIP records follow; its plant moves: a licence follows) are not logged as exits.
 */
const profileOf = (r: string): string => `SELECT p.province_code FROM registry.company_profile p WHERE p.juristic_id = ${r}.company_juristic_id AND p.province_code IS NOT NULL`;
const codeOf = (name: string): string => `SELECT rp.code FROM reference.province rp WHERE rp.name_th = ${name}`;
const dipArea = { of: (r: string) => `ARRAY(${profileOf(r)})`, columns: ['company_juristic_id'] };

const TRACKED: readonly Tracked[] = [
  {
    table: 'registry.company',
    entity: 'COMPANY',
    key: (r) => `${r}.juristic_id`,
    // The head office's province, as the company profile derives it (src/linking/company-profile.ts).
    areas: { of: (r) => `ARRAY(${codeOf(`${r}.province`)})`, columns: ['province'] },
  },
  {
    table: 'registry.factory',
    entity: 'FACTORY',
    key: (r) => `${r}.fid`,
    areas: { of: (r) => `ARRAY(${codeOf(`${r}.province`)} UNION ${profileOf(r)})`, columns: ['province', 'company_juristic_id'] },
  },
  {
    table: 'registry.tis_licence',
    entity: 'TIS_LICENSE',
    key: (r) => `${r}.licence_no`,
    areas: {
      of: (r) => `ARRAY(${profileOf(r)} UNION SELECT rp.code FROM registry.factory f JOIN reference.province rp ON rp.name_th = f.province WHERE f.fid = ${r}.fid)`,
      columns: ['company_juristic_id', 'fid'],
    },
  },
  {
    table: 'registry.dip_participation',
    entity: 'DIP_PARTICIPATION',
    key: (r) => `registry.dip_record_key(${r}.participant_key || ':' || ${r}.year::text || ':' || ${r}.programme_code)`,
    areas: dipArea,
  },
  {
    table: 'registry.dip_i40_assessment',
    entity: 'I40_ASSESSMENT',
    key: (r) => `registry.dip_record_key(${r}.participant_key || ':' || (${r}.assessed_on - DATE '2000-01-01')::text)`,
    areas: dipArea,
  },
];

export class RegistryLeftScope1763955000000 implements MigrationInterface {
  name = 'RegistryLeftScope1763955000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE registry.record_change ADD COLUMN left_areas text[]`);
    await queryRunner.query(`COMMENT ON COLUMN registry.record_change.left_areas IS 'province codes the record left by this change (feed areas); null: none'`);
    for (const t of TRACKED) await recordChangesOf(queryRunner, t);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const t of TRACKED) await recordChangesOf(queryRunner, { table: t.table, entity: t.entity, key: t.key });
    await queryRunner.query(`ALTER TABLE registry.record_change DROP COLUMN left_areas`);
  }
}
