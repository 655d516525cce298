import { randomBytes } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropRecordChangesOf, recordChangesOf, type Tracked } from './1763930000000-registry-changes';

/**
 * DIP's records in the registry change log (issue 20): programme participations and Industry 4.0
 * assessments, recorded by the same triggers as the other registers (1763930000000).
 *
 * Their natural key names the participant: the juristic ID, or `name:` and the normalised name the
 * clerk typed when DIP left the ID out (a participant that may be a person, masked in the feed). A
 * feed or export key must not carry it, so the change log keys a DIP record by
 * `registry.dip_record_key(natural key)`: a keyed hash, with a secret drawn here and kept only in
 * the function's body (not a plain hash: names are few enough to try them all). IMMUTABLE, so the
 * feed finds a change's record by an index on it (hence the immutable casts: a day number, not a
 * date's text, which depends on DateStyle).
 */
const KEY_FUNCTION = 'registry.dip_record_key';
const participationKey = (r: string): string => `${KEY_FUNCTION}(${r}.participant_key || ':' || ${r}.year::text || ':' || ${r}.programme_code)`;
const assessmentKey = (r: string): string => `${KEY_FUNCTION}(${r}.participant_key || ':' || (${r}.assessed_on - DATE '2000-01-01')::text)`;

const TRACKED: readonly Tracked[] = [
  { table: 'registry.dip_participation', entity: 'DIP_PARTICIPATION', key: participationKey },
  { table: 'registry.dip_i40_assessment', entity: 'I40_ASSESSMENT', key: assessmentKey },
];

export class RegistryChangesDip1763950000000 implements MigrationInterface {
  name = 'RegistryChangesDip1763950000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const secret = randomBytes(32).toString('hex');
    await queryRunner.query(
      `CREATE FUNCTION ${KEY_FUNCTION}(natural_key text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
       AS $$ SELECT 'dip-' || md5('${secret}' || natural_key) || md5(natural_key || '${secret}') $$`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX dip_participation_record_key ON registry.dip_participation ((${participationKey('dip_participation')}))`);
    await queryRunner.query(`CREATE UNIQUE INDEX dip_i40_assessment_record_key ON registry.dip_i40_assessment ((${assessmentKey('dip_i40_assessment')}))`);
    for (const t of TRACKED) await recordChangesOf(queryRunner, t);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const t of TRACKED) await dropRecordChangesOf(queryRunner, t);
    await queryRunner.query(`DELETE FROM registry.record_change WHERE entity IN ('DIP_PARTICIPATION', 'I40_ASSESSMENT')`);
    await queryRunner.query(`DROP INDEX registry.dip_participation_record_key`);
    await queryRunner.query(`DROP INDEX registry.dip_i40_assessment_record_key`);
    await queryRunner.query(`DROP FUNCTION ${KEY_FUNCTION}(text)`);
  }
}
