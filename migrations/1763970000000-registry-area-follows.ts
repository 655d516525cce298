import type { MigrationInterface, QueryRunner } from 'typeorm';
import { recordChangesOf, type Tracked } from './1763930000000-registry-changes';

/**
 * Area scoping of the registry change feed, two gaps of 1763955000000 closed (issue 20).
 *
 * 1. A company whose head office moves (DBD registers another address) takes along the records
 *    whose area follows it: its factories, the licences and DIP records surely linked to it. No row
 *    of theirs changes, so no change was logged: the old area kept stale copies for ever and the
 *    new one never heard of them. Now, when a company's profile changes province (the feed's area
 *    rule reads `registry.company_profile.province_code`, written by the run that wrote the
 *    company, in its transaction), a trigger logs one change of kind MOVED per such record, with
 *    the province it left (`left_areas`) and the one it entered (`entered_areas`), when it is not
 *    in that province by a fact of its own (a factory standing there, a licence's plant there).
 *    The feed shows a MOVED change to area roles only: as LEFT_SCOPE to an area it left (the
 *    record not in the area now), as ENTERED_SCOPE with the whole record to one it entered (the
 *    record in the area now); national roles never see one (nothing of the record changed).
 *    Numbered under the register writers' lock like every change (the run holds it already).
 *    Profiles are inserted with their company, before anything can link to it: an insert moves
 *    no record, only updates are watched. A plant whose province changes takes along the licences
 *    surely granted for it in the same way (unless their company holds them in the province).
 *
 * 2. A record linked to a company only by a fuzzy name match (or not linked) is masked
 *    (src/shared/firm-identity.ts): its company, and a licence's plant, are withheld. Its area
 *    followed that link all the same, so the area of the company it merely resembles listed it:
 *    that told the area the link, and told every area where the resembled company is. Now a masked
 *    record's area comes from its own data only: a DIP participation by the province DIP gave for
 *    it; an assessment or a licence has none of its own (a licence's province is its plant's,
 *    withheld): no area, national roles only. The area triggers compute `left_areas` by the same
 *    rule, and since the link method decides it, a relink that only makes a link sure (or unsure)
 *    is an area change too. The masked records the old rule placed elsewhere get one MOVED change
 *    each here (MASKED_MOVES), so that the areas that hold them drop them.
 */
const SURE = (r: string): string => `coalesce(${r}.link_method IN ('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME'), false)`;
const companyOf = (r: string): string =>
  `SELECT p.province_code FROM registry.company_profile p WHERE ${SURE(r)} AND p.juristic_id = ${r}.company_juristic_id AND p.province_code IS NOT NULL`;
const plantOf = (r: string): string => `SELECT rp.code FROM registry.factory f JOIN reference.province rp ON rp.name_th = f.province WHERE ${SURE(r)} AND f.fid = ${r}.fid`;
const ownProvince = (r: string): string => `SELECT rp.code FROM reference.province rp WHERE NOT ${SURE(r)} AND rp.name_th = ${r}.province`;

const participationKey = (r: string): string => `registry.dip_record_key(${r}.participant_key || ':' || ${r}.year::text || ':' || ${r}.programme_code)`;
const assessmentKey = (r: string): string => `registry.dip_record_key(${r}.participant_key || ':' || (${r}.assessed_on - DATE '2000-01-01')::text)`;

/** The tables whose area rule changed (companies and factories keep theirs: a factory's link is shown, Factory.companyJuristicId). */
export const TRACKED_1763970000000: readonly Tracked[] = [
  {
    table: 'registry.tis_licence',
    entity: 'TIS_LICENSE',
    key: (r) => `${r}.licence_no`,
    areas: { of: (r) => `ARRAY(${companyOf(r)} UNION ${plantOf(r)})`, columns: ['company_juristic_id', 'fid', 'link_method'] },
  },
  {
    table: 'registry.dip_participation',
    entity: 'DIP_PARTICIPATION',
    key: participationKey,
    areas: { of: (r) => `ARRAY(${companyOf(r)} UNION ${ownProvince(r)})`, columns: ['company_juristic_id', 'link_method', 'province'] },
  },
  {
    table: 'registry.dip_i40_assessment',
    entity: 'I40_ASSESSMENT',
    key: assessmentKey,
    areas: { of: (r) => `ARRAY(${companyOf(r)})`, columns: ['company_juristic_id', 'link_method'] },
  },
];

/** The tracked tables as 1763955000000 left them, for down(). */
const BEFORE: readonly Tracked[] = [
  {
    table: 'registry.tis_licence',
    entity: 'TIS_LICENSE',
    key: (r) => `${r}.licence_no`,
    areas: {
      of: (r) =>
        `ARRAY(SELECT p.province_code FROM registry.company_profile p WHERE p.juristic_id = ${r}.company_juristic_id AND p.province_code IS NOT NULL UNION SELECT rp.code FROM registry.factory f JOIN reference.province rp ON rp.name_th = f.province WHERE f.fid = ${r}.fid)`,
      columns: ['company_juristic_id', 'fid'],
    },
  },
  ...(['DIP_PARTICIPATION', 'I40_ASSESSMENT'] as const).map(
    (entity): Tracked => ({
      table: entity === 'DIP_PARTICIPATION' ? 'registry.dip_participation' : 'registry.dip_i40_assessment',
      entity,
      key: entity === 'DIP_PARTICIPATION' ? participationKey : assessmentKey,
      areas: {
        of: (r) => `ARRAY(SELECT p.province_code FROM registry.company_profile p WHERE p.juristic_id = ${r}.company_juristic_id AND p.province_code IS NOT NULL)`,
        columns: ['company_juristic_id'],
      },
    }),
  ),
];

const KINDS = `'CREATED', 'CHANGED', 'MARKED_ABSENT', 'RETURNED', 'LINKED', 'RELINKED', 'UNLINKED'`;
const REGISTER_WRITER_LOCK = '1763798, 2';

/**
 * The records whose area follows a company, of the companies in `moved (juristic_id, old_code,
 * new_code, run_id)`, each with the provinces it stands in by its own facts (`own`): a factory its
 * province; a surely linked licence its plant's; a surely linked DIP record none.
 */
const FOLLOWERS = `
  SELECT 'FACTORY'::text AS entity, f.fid AS record_key, m.old_code, m.new_code, m.run_id,
         ARRAY(SELECT rp.code FROM reference.province rp WHERE rp.name_th = f.province) AS own
  FROM moved m JOIN registry.factory f ON f.company_juristic_id = m.juristic_id
  UNION ALL
  SELECT 'TIS_LICENSE', l.licence_no, m.old_code, m.new_code, m.run_id,
         ARRAY(SELECT rp.code FROM registry.factory f JOIN reference.province rp ON rp.name_th = f.province WHERE f.fid = l.fid)
  FROM moved m JOIN registry.tis_licence l ON l.company_juristic_id = m.juristic_id AND ${SURE('l')}
  UNION ALL
  SELECT 'DIP_PARTICIPATION', ${participationKey('d')}, m.old_code, m.new_code, m.run_id, '{}'::text[]
  FROM moved m JOIN registry.dip_participation d ON d.company_juristic_id = m.juristic_id AND ${SURE('d')}
  UNION ALL
  SELECT 'I40_ASSESSMENT', ${assessmentKey('a')}, m.old_code, m.new_code, m.run_id, '{}'::text[]
  FROM moved m JOIN registry.dip_i40_assessment a ON a.company_juristic_id = m.juristic_id AND ${SURE('a')}`;

/**
 * The areas the masked records were in by the old rule and are not by the new one, and the other
 * way round: one MOVED change each, so that an area key that holds one is told to drop it
 * (LEFT_SCOPE), and one whose area it enters by its own province gets it (ENTERED_SCOPE), once.
 */
const MASKED_MOVES = `
  WITH masked AS (
    SELECT 'TIS_LICENSE'::text AS entity, l.licence_no AS record_key,
           ARRAY(SELECT p.province_code FROM registry.company_profile p WHERE p.juristic_id = l.company_juristic_id AND p.province_code IS NOT NULL
                 UNION SELECT rp.code FROM registry.factory f JOIN reference.province rp ON rp.name_th = f.province WHERE f.fid = l.fid) AS old_areas,
           '{}'::text[] AS new_areas
    FROM registry.tis_licence l WHERE NOT ${SURE('l')}
    UNION ALL
    SELECT 'DIP_PARTICIPATION', ${participationKey('d')},
           ARRAY(SELECT p.province_code FROM registry.company_profile p WHERE p.juristic_id = d.company_juristic_id AND p.province_code IS NOT NULL),
           ARRAY(SELECT rp.code FROM reference.province rp WHERE rp.name_th = d.province)
    FROM registry.dip_participation d WHERE NOT ${SURE('d')}
    UNION ALL
    SELECT 'I40_ASSESSMENT', ${assessmentKey('a')},
           ARRAY(SELECT p.province_code FROM registry.company_profile p WHERE p.juristic_id = a.company_juristic_id AND p.province_code IS NOT NULL),
           '{}'::text[]
    FROM registry.dip_i40_assessment a WHERE NOT ${SURE('a')} AND a.company_juristic_id IS NOT NULL
  ), x AS (
    SELECT entity, record_key,
           nullif(ARRAY(SELECT unnest(old_areas) EXCEPT SELECT unnest(new_areas) ORDER BY 1), '{}'::text[]) AS left_areas,
           nullif(ARRAY(SELECT unnest(new_areas) EXCEPT SELECT unnest(old_areas) ORDER BY 1), '{}'::text[]) AS entered_areas
    FROM masked
  )
  INSERT INTO registry.record_change (position, entity, record_key, kind, changed_fields, run_id, left_areas, entered_areas)
  SELECT (SELECT coalesce(max(position), 0) FROM registry.record_change) + row_number() OVER (ORDER BY entity, record_key),
         entity, record_key, 'MOVED', '{}', NULL, left_areas, entered_areas
  FROM x WHERE left_areas IS NOT NULL OR entered_areas IS NOT NULL`;

export class RegistryAreaFollows1763970000000 implements MigrationInterface {
  name = 'RegistryAreaFollows1763970000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE registry.record_change ADD COLUMN entered_areas text[]`);
    await queryRunner.query(`COMMENT ON COLUMN registry.record_change.entered_areas IS 'MOVED only: province codes the record entered (feed areas); null: none'`);
    await queryRunner.query(`ALTER TABLE registry.record_change DROP CONSTRAINT record_change_kind_check`);
    await queryRunner.query(`ALTER TABLE registry.record_change ADD CONSTRAINT record_change_kind_check CHECK (kind IN (${KINDS}, 'MOVED'))`);
    for (const t of TRACKED_1763970000000) await recordChangesOf(queryRunner, t);
    // Numbered as every change, under the register writers' lock (held to the migration's commit).
    await queryRunner.query(`SELECT pg_advisory_xact_lock(${REGISTER_WRITER_LOCK})`);
    await queryRunner.query(MASKED_MOVES);
    // A row trigger with a WHEN clause: a recompute that moves no company (nearly every one) costs
    // nothing, where a statement trigger's transition tables cost every recompute (a scratch table
    // of 900,000 profiles: an update of all of them 10.8 s without a trigger, 15.6 s with one
    // joining the transition tables, 10.1 s with this one). Each moved company's followers are
    // numbered after the changes logged before them, in this transaction, under the lock.
    await queryRunner.query(`
      CREATE FUNCTION registry.record_changes_company_profile_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${REGISTER_WRITER_LOCK});
        WITH moved AS (
          SELECT NEW.juristic_id AS juristic_id, OLD.province_code AS old_code, NEW.province_code AS new_code, NEW.computed_by_run_id AS run_id
        ), followers AS (${FOLLOWERS}
        ), x AS (
          SELECT entity, record_key, run_id,
                 CASE WHEN old_code IS NOT NULL AND old_code <> ALL (own) THEN ARRAY[old_code] END AS left_areas,
                 CASE WHEN new_code IS NOT NULL AND new_code <> ALL (own) THEN ARRAY[new_code] END AS entered_areas
          FROM followers
        )
        INSERT INTO registry.record_change (position, entity, record_key, kind, changed_fields, run_id, left_areas, entered_areas)
        SELECT (SELECT coalesce(max(position), 0) FROM registry.record_change) + row_number() OVER (ORDER BY entity, record_key),
               entity, record_key, 'MOVED', '{}', run_id, left_areas, entered_areas
        FROM x WHERE left_areas IS NOT NULL OR entered_areas IS NOT NULL;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER record_changes_moved AFTER UPDATE OF province_code ON registry.company_profile
       FOR EACH ROW WHEN (OLD.province_code IS DISTINCT FROM NEW.province_code) EXECUTE FUNCTION registry.record_changes_company_profile_moved()`,
    );
    // Likewise a plant whose province changes takes along the licences surely granted for it
    // (unless their company holds them in the province).
    await queryRunner.query(`
      CREATE FUNCTION registry.record_changes_plant_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${REGISTER_WRITER_LOCK});
        WITH codes AS (
          SELECT (SELECT rp.code FROM reference.province rp WHERE rp.name_th = OLD.province) AS old_code,
                 (SELECT rp.code FROM reference.province rp WHERE rp.name_th = NEW.province) AS new_code
        ), followers AS (
          SELECT l.licence_no AS record_key, c.old_code, c.new_code,
                 ARRAY(SELECT p.province_code FROM registry.company_profile p WHERE p.juristic_id = l.company_juristic_id AND p.province_code IS NOT NULL) AS own
          FROM codes c, registry.tis_licence l WHERE l.fid = NEW.fid AND ${SURE('l')}
        ), x AS (
          SELECT record_key,
                 CASE WHEN old_code IS NOT NULL AND old_code IS DISTINCT FROM new_code AND old_code <> ALL (own) THEN ARRAY[old_code] END AS left_areas,
                 CASE WHEN new_code IS NOT NULL AND new_code IS DISTINCT FROM old_code AND new_code <> ALL (own) THEN ARRAY[new_code] END AS entered_areas
          FROM followers
        )
        INSERT INTO registry.record_change (position, entity, record_key, kind, changed_fields, run_id, left_areas, entered_areas)
        SELECT (SELECT coalesce(max(position), 0) FROM registry.record_change) + row_number() OVER (ORDER BY record_key),
               'TIS_LICENSE', record_key, 'MOVED', '{}', NEW.source_run_id, left_areas, entered_areas
        FROM x WHERE left_areas IS NOT NULL OR entered_areas IS NOT NULL;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER record_changes_plant_moved AFTER UPDATE OF province ON registry.factory
       FOR EACH ROW WHEN (OLD.province IS DISTINCT FROM NEW.province) EXECUTE FUNCTION registry.record_changes_plant_moved()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER record_changes_plant_moved ON registry.factory`);
    await queryRunner.query(`DROP FUNCTION registry.record_changes_plant_moved()`);
    await queryRunner.query(`DROP TRIGGER record_changes_moved ON registry.company_profile`);
    await queryRunner.query(`DROP FUNCTION registry.record_changes_company_profile_moved()`);
    for (const t of BEFORE) await recordChangesOf(queryRunner, t);
    await queryRunner.query(`DELETE FROM registry.record_change WHERE kind = 'MOVED'`);
    await queryRunner.query(`ALTER TABLE registry.record_change DROP CONSTRAINT record_change_kind_check`);
    await queryRunner.query(`ALTER TABLE registry.record_change ADD CONSTRAINT record_change_kind_check CHECK (kind IN (${KINDS}))`);
    await queryRunner.query(`ALTER TABLE registry.record_change DROP COLUMN entered_areas`);
  }
}
