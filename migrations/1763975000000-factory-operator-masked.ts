import type { MigrationInterface, QueryRunner } from 'typeorm';
import { recordChangesOf, type Tracked } from './1763930000000-registry-changes';
import { KEPT_1763965000000, keepRecordJson, type KeptJson } from './1763965000000-registry-record-json';

/**
 * A factory whose operator is masked withholds its company link too (src/shared/firm-identity.ts),
 * as a masked TISI licence or DIP record already did (1763965000000, 1763970000000).
 *
 * An operator not known to be a company (a tax ID that is not a juristic ID, i.e. a personal ID; or
 * no tax ID and a link by a fuzzy name match, or none) may be a person. Its name and tax ID were
 * `***` already, but the company the linker guessed for it, with the method and confidence, was
 * shown, the factory was listed under that company and followed its area: that said whom the
 * operator resembles. Now, for every role and every path:
 *
 * 1. The kept export JSON (`record_json`) of a factory answers `companyJuristicId`, `linkMethod`
 *    and `linkConfidence` null when its operator is masked; every row is rewritten (keepRecordJson,
 *    no change logged for the rewrite itself).
 * 2. Its area is its own province only (the factory's area triggers' rule, `left_areas`): the
 *    company's province counts only when the operator is shown. As the link method and the tax ID
 *    decide it, a relink that only makes a link sure (or unsure) or a new tax ID is an area change.
 * 3. When a company's head office moves, only its factories whose operator is shown follow it
 *    (the MOVED trigger on company profiles, 1763970000000, replaced with that one condition more).
 * 4. Every factory that had a company link shown and now has it withheld gets one UNLINKED change
 *    (its link fields are what changed, as a client's copy sees it), with `left_areas`: the province
 *    of the company it resembles when the factory does not stand there, so an area key that held it
 *    by that company is told to drop it (LEFT_SCOPE), once; national keys and the area the factory
 *    stands in get the masked record. Numbered under the register writers' lock, as every change.
 *
 * The SQL below is frozen, as 1763965000000's: the test registry-record-json.test.ts holds every
 * kept JSON to the definitions in src/domains/registry-changes/registry-records.ts.
 */
const MASKED = `'***'`;
const SURE = (r: string): string => `coalesce(${r}.link_method IN ('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME'), false)`;
/** The operator is shown: its tax ID is a juristic ID, or it gave none and the link is sure (operatorIsCompanySql). */
const SHOWN = (r: string): string => `(CASE WHEN ${r}.operator_tax_id IS NOT NULL THEN ${r}.operator_tax_id ~ '^0[0-9]{12}$' ELSE ${SURE(r)} END)`;
const PROVENANCE = `'provenance', json_build_object('source', r.source, 'runId', r.source_run_id::text, 'fetchedAt', (to_json(r.fetched_at AT TIME ZONE 'UTC') #>> '{}') || '+00:00')`;

export const KEPT_FACTORY_1763975000000: KeptJson = {
  table: 'registry.factory',
  fn: 'registry.factory_record_json',
  json: `json_build_object(
    'fid', r.fid, 'displayRegNo', r.display_reg_no, 'legacyRegNo', r.legacy_reg_no, 'factoryType', r.factory_type, 'name', r.name,
    'operatorName', CASE WHEN r.operator_name IS NOT NULL AND NOT ${SHOWN('r')} THEN ${MASKED} ELSE r.operator_name END,
    'operatorTaxId', CASE WHEN r.operator_tax_id IS NOT NULL AND NOT ${SHOWN('r')} THEN ${MASKED} ELSE r.operator_tax_id END,
    'operatorMasked', NOT ${SHOWN('r')},
    'objective', r.objective, 'address', r.address, 'moo', r.moo, 'soi', r.soi, 'road', r.road, 'subdistrict', r.subdistrict,
    'district', r.district, 'provinceName', r.province, 'capitalBaht', r.capital_baht, 'workers', r.workers, 'horsepower', r.horsepower,
    'latitude', r.latitude, 'longitude', r.longitude, 'isicCode', r.isic_code, 'estateCode', r.estate_code, 'estateName', r.estate_name,
    'status', r.status, 'statusCode', r.status_code, 'sourceUpdatedOn', r.source_updated_at,
    'companyJuristicId', CASE WHEN ${SHOWN('r')} THEN r.company_juristic_id END,
    'linkMethod', CASE WHEN ${SHOWN('r')} THEN r.link_method END,
    'linkConfidence', CASE WHEN ${SHOWN('r')} THEN r.link_confidence END,
    'absent', r.absent_since_run_id IS NOT NULL, ${PROVENANCE})`,
};
const KEPT_FACTORY_BEFORE = KEPT_1763965000000.find((k) => k.table === 'registry.factory')!;

const ownProvince = (r: string): string => `SELECT rp.code FROM reference.province rp WHERE rp.name_th = ${r}.province`;
const companyProvince = (r: string): string =>
  `SELECT p.province_code FROM registry.company_profile p WHERE p.juristic_id = ${r}.company_juristic_id AND p.province_code IS NOT NULL`;

/** Factories' area rule: their own province, and their company's when the operator is shown. */
export const FACTORY_1763975000000: Tracked = {
  table: 'registry.factory',
  entity: 'FACTORY',
  key: (r) => `${r}.fid`,
  areas: {
    of: (r) => `ARRAY(${ownProvince(r)} UNION ${companyProvince(r)} AND ${SHOWN(r)})`,
    columns: ['province', 'company_juristic_id', 'link_method', 'operator_tax_id'],
  },
};
/** As 1763955000000 left it, for down(). */
const FACTORY_BEFORE: Tracked = {
  table: 'registry.factory',
  entity: 'FACTORY',
  key: (r) => `${r}.fid`,
  areas: { of: (r) => `ARRAY(${ownProvince(r)} UNION ${companyProvince(r)})`, columns: ['province', 'company_juristic_id'] },
};

const REGISTER_WRITER_LOCK = '1763798, 2';
const participationKey = (r: string): string => `registry.dip_record_key(${r}.participant_key || ':' || ${r}.year::text || ':' || ${r}.programme_code)`;
const assessmentKey = (r: string): string => `registry.dip_record_key(${r}.participant_key || ':' || (${r}.assessed_on - DATE '2000-01-01')::text)`;

/**
 * The MOVED trigger function of 1763970000000 (frozen copy), with `factoryShown` the condition a
 * factory of the moved company meets to follow it: `true` as it was, SHOWN('f') now.
 */
function profileMovedFunction(factoryShown: string): string {
  const followers = `
  SELECT 'FACTORY'::text AS entity, f.fid AS record_key, m.old_code, m.new_code, m.run_id,
         ARRAY(SELECT rp.code FROM reference.province rp WHERE rp.name_th = f.province) AS own
  FROM moved m JOIN registry.factory f ON f.company_juristic_id = m.juristic_id AND ${factoryShown}
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
  return `
      CREATE OR REPLACE FUNCTION registry.record_changes_company_profile_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${REGISTER_WRITER_LOCK});
        WITH moved AS (
          SELECT NEW.juristic_id AS juristic_id, OLD.province_code AS old_code, NEW.province_code AS new_code, NEW.computed_by_run_id AS run_id
        ), followers AS (${followers}
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
      END $$`;
}

/**
 * One UNLINKED change per factory whose company link the old rule showed and the new one withholds
 * (its operator masked, a company linked), with the areas it left: its company's province when the
 * factory does not stand there.
 */
const WITHHELD_LINKS = `
  WITH withheld AS (
    SELECT f.fid AS record_key,
           nullif(ARRAY(${companyProvince('f')} EXCEPT ${ownProvince('f')} ORDER BY 1), '{}'::text[]) AS left_areas
    FROM registry.factory f WHERE f.company_juristic_id IS NOT NULL AND NOT ${SHOWN('f')}
  )
  INSERT INTO registry.record_change (position, entity, record_key, kind, changed_fields, run_id, left_areas)
  SELECT (SELECT coalesce(max(position), 0) FROM registry.record_change) + row_number() OVER (ORDER BY record_key),
         'FACTORY', record_key, 'UNLINKED', ARRAY['company_juristic_id', 'link_method', 'link_confidence']::text[], NULL, left_areas
  FROM withheld`;

export class FactoryOperatorMasked1763975000000 implements MigrationInterface {
  name = 'FactoryOperatorMasked1763975000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await keepRecordJson(queryRunner, KEPT_FACTORY_1763975000000);
    await recordChangesOf(queryRunner, FACTORY_1763975000000);
    await queryRunner.query(profileMovedFunction(SHOWN('f')));
    // Numbered as every change, under the register writers' lock (held to the migration's commit).
    await queryRunner.query(`SELECT pg_advisory_xact_lock(${REGISTER_WRITER_LOCK})`);
    await queryRunner.query(WITHHELD_LINKS);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The changes logged stay: the log is what clients were told.
    await queryRunner.query(profileMovedFunction('true'));
    await recordChangesOf(queryRunner, FACTORY_BEFORE);
    await keepRecordJson(queryRunner, KEPT_FACTORY_BEFORE);
  }
}
