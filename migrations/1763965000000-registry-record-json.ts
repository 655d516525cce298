import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each register record keeps its export JSON (issue 20, bulk export throughput): `record_json`, the
 * record as the change feed and the bulk exports show it (masked as the graph, by the one rule of
 * src/shared/firm-identity.ts), kept by a BEFORE INSERT OR UPDATE row trigger. An export is then a
 * `COPY` of that text column in key order plus the client's scoping, instead of building the JSON
 * (for a company, its masked directors and shareholders arrays) for every row of every download:
 * measured at 10,000 firms, the companies export went from about 0.27 × a raw `COPY` of the table
 * to about 1 × of it, 0.6 × with the read audit of each chunk (docs/benchmarks.md).
 *
 * What a record shows depends only on its own row (its link to a company, the link's method that
 * decides the mask, its absence mark and provenance are columns of it), so every writer keeps the
 * JSON true without knowing of it: the engine's upserts and absence marking, bulk first loads (COPY
 * fires row triggers), the linkers and relink. A row the upsert leaves unchanged (same content
 * hash) is not written, so it costs nothing; a written row costs its JSON build once (docs/benchmarks.md:
 * the write path's cost).
 *
 * The SQL here is a frozen copy of the `json` of the definitions in
 * src/domains/registry-changes/registry-records.ts, as they stood: a test compares every stored
 * JSON with the definitions' (test/integration/registry-record-json.test.ts), so a change of a
 * record's JSON or of the masking rule without a migration that replaces these functions and
 * backfills (`keepRecordJson` again) fails. `fetchedAt` is written in UTC whatever the writer's
 * session time zone (the definitions write it so too), as the trigger runs in the writer's session.
 *
 * The trigger is named to fire after the other BEFORE triggers (PostgreSQL fires them by name:
 * `company_rename` first), so the JSON is of the row as it is written. The backfill leaves the
 * change log alone: a record's JSON is not a change of the record (the change triggers do not
 * compare the column either; `record_json` is bookkeeping to them, 1763930000000). It rewrites each
 * table under an ACCESS EXCLUSIVE lock: readers of the three registers wait for it.
 */

export interface KeptJson {
  table: string;
  /** The function `registry.<name>(r <table>) RETURNS text`. */
  fn: string;
  /** SQL of the record's JSON over the row `r`. */
  json: string;
}

const MASKED = `'***'`;
const SURE = `coalesce(r.link_method IN ('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME'), false)`;
const OPERATOR_IS_COMPANY = `(CASE WHEN r.operator_tax_id IS NOT NULL THEN r.operator_tax_id ~ '^0[0-9]{12}$' ELSE ${SURE} END)`;
const PROVENANCE = `'provenance', json_build_object('source', r.source, 'runId', r.source_run_id::text, 'fetchedAt', (to_json(r.fetched_at AT TIME ZONE 'UTC') #>> '{}') || '+00:00')`;

export const KEPT_1763965000000: readonly KeptJson[] = [
  {
    table: 'registry.company',
    fn: 'registry.company_record_json',
    json: `json_build_object(
    'juristicId', r.juristic_id, 'juristicType', r.juristic_type_code, 'juristicTypeText', r.juristic_type,
    'nameTh', r.name_th, 'nameEn', r.name_en, 'status', r.status, 'statusText', r.status_raw,
    'registeredOn', r.registered_on, 'registeredCapitalBaht', r.registered_capital_baht, 'paidUpCapitalBaht', r.paid_up_capital_baht,
    'objective', r.objective, 'tsicCode', r.tsic_code, 'address', r.address, 'provinceText', r.province,
    'thaiShareholdingPct', r.thai_shareholding_pct,
    'directors', (SELECT coalesce(json_agg(json_build_object('name', ${MASKED}, 'position', d->>'position', 'masked', true)), '[]'::json) FROM jsonb_array_elements(r.directors) d),
    'shareholders', (SELECT coalesce(json_agg(json_build_object(
        'name', CASE WHEN s ? 'juristicId' THEN s->>'name' ELSE ${MASKED} END,
        'personalId', CASE WHEN s ? 'personalId' THEN ${MASKED} END,
        'juristicId', s->>'juristicId', 'nationality', s->>'nationality', 'shares', (s->>'shares')::numeric,
        'masked', NOT (s ? 'juristicId'))), '[]'::json) FROM jsonb_array_elements(r.shareholders) s),
    'absent', r.absent_since_run_id IS NOT NULL, ${PROVENANCE})`,
  },
  {
    table: 'registry.factory',
    fn: 'registry.factory_record_json',
    json: `json_build_object(
    'fid', r.fid, 'displayRegNo', r.display_reg_no, 'legacyRegNo', r.legacy_reg_no, 'factoryType', r.factory_type, 'name', r.name,
    'operatorName', CASE WHEN r.operator_name IS NOT NULL AND NOT ${OPERATOR_IS_COMPANY} THEN ${MASKED} ELSE r.operator_name END,
    'operatorTaxId', CASE WHEN r.operator_tax_id IS NOT NULL AND NOT ${OPERATOR_IS_COMPANY} THEN ${MASKED} ELSE r.operator_tax_id END,
    'operatorMasked', NOT ${OPERATOR_IS_COMPANY},
    'objective', r.objective, 'address', r.address, 'moo', r.moo, 'soi', r.soi, 'road', r.road, 'subdistrict', r.subdistrict,
    'district', r.district, 'provinceName', r.province, 'capitalBaht', r.capital_baht, 'workers', r.workers, 'horsepower', r.horsepower,
    'latitude', r.latitude, 'longitude', r.longitude, 'isicCode', r.isic_code, 'estateCode', r.estate_code, 'estateName', r.estate_name,
    'status', r.status, 'statusCode', r.status_code, 'sourceUpdatedOn', r.source_updated_at,
    'companyJuristicId', r.company_juristic_id, 'linkMethod', r.link_method, 'linkConfidence', r.link_confidence,
    'absent', r.absent_since_run_id IS NOT NULL, ${PROVENANCE})`,
  },
  {
    table: 'registry.tis_licence',
    fn: 'registry.tis_licence_record_json',
    json: `json_build_object(
    'licenceNo', r.licence_no, 'licenceType', r.licence_type, 'issuedOn', r.issued_on, 'tisNo', r.tis_no,
    'licenseeName', CASE WHEN r.licensee_name IS NOT NULL AND NOT ${SURE} THEN ${MASKED} ELSE r.licensee_name END,
    'licenseeTaxId', CASE WHEN r.licensee_tax_id IS NOT NULL AND NOT ${SURE} THEN ${MASKED} ELSE r.licensee_tax_id END,
    'licenseeMasked', NOT ${SURE},
    'fid', CASE WHEN ${SURE} THEN r.fid END,
    'companyJuristicId', CASE WHEN ${SURE} THEN r.company_juristic_id END,
    'linkMethod', CASE WHEN ${SURE} THEN r.link_method END,
    'linkConfidence', CASE WHEN ${SURE} THEN r.link_confidence END,
    'status', r.status, 'statusText', r.status_text, 'suspendedOn', r.suspended_on, 'cancelledOn', r.cancelled_on,
    'absent', r.absent_since_run_id IS NOT NULL, ${PROVENANCE})`,
  },
];

const triggerFn = (k: KeptJson): string => `${k.fn}_keep`;

/**
 * Creates (or replaces) the record's JSON function and its trigger, and rewrites every row's JSON.
 * A later migration that changes a record's JSON calls it again with the new SQL.
 */
export async function keepRecordJson(queryRunner: QueryRunner, k: KeptJson): Promise<void> {
  await queryRunner.query(`ALTER TABLE ${k.table} ADD COLUMN IF NOT EXISTS record_json text`);
  await queryRunner.query(`CREATE OR REPLACE FUNCTION ${k.fn}(r ${k.table}) RETURNS text LANGUAGE sql STABLE AS $$ SELECT (${k.json})::text $$`);
  await queryRunner.query(`
    CREATE OR REPLACE FUNCTION ${triggerFn(k)}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.record_json := ${k.fn}(NEW);
      RETURN NEW;
    END $$`);
  await queryRunner.query(`DROP TRIGGER IF EXISTS zz_record_json ON ${k.table}`);
  // The backfill as a rewrite of the table (its indexes rebuilt once), not an UPDATE of every row:
  // about 2 to 3 times faster at 10,000 companies, leaves no dead rows, and fires no trigger (a
  // record's JSON is no change of the record). The row is named by its table (a whole-row reference).
  const row = k.table.split('.')[1]!;
  await queryRunner.query(`ALTER TABLE ${k.table} ALTER COLUMN record_json TYPE text USING ${k.fn}(${row}), ALTER COLUMN record_json SET NOT NULL`);
  await queryRunner.query(`COMMENT ON COLUMN ${k.table}.record_json IS 'the record as the feed and exports show it (masked); kept by the trigger zz_record_json, see migration 1763965000000'`);
  await queryRunner.query(`CREATE TRIGGER zz_record_json BEFORE INSERT OR UPDATE ON ${k.table} FOR EACH ROW EXECUTE FUNCTION ${triggerFn(k)}()`);
}

export class RegistryRecordJson1763965000000 implements MigrationInterface {
  name = 'RegistryRecordJson1763965000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const k of KEPT_1763965000000) await keepRecordJson(queryRunner, k);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const k of KEPT_1763965000000) {
      await queryRunner.query(`DROP TRIGGER IF EXISTS zz_record_json ON ${k.table}`);
      await queryRunner.query(`DROP FUNCTION IF EXISTS ${triggerFn(k)}()`);
      await queryRunner.query(`ALTER TABLE ${k.table} DROP COLUMN IF EXISTS record_json`);
      await queryRunner.query(`DROP FUNCTION IF EXISTS ${k.fn}(${k.table})`);
    }
  }
}
