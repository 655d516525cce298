import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry change log (issue 20): every change of a register record, once, in commit order,
 * for the change feed (`registryChanges`, `GET /feeds/registry`) and the cursor bulk exports carry.
 *
 * Recorded by statement-level triggers with transition tables, so every writer is covered without
 * naming one (the engine's upsert and absence marking, the linker, relink, the banks' rule set
 * versions) and a statement of a million rows appends its changes in one INSERT ... SELECT.
 *
 * `position` is dense and in commit order, as the eligibility event log's (1763795000000): the
 * trigger numbers a statement's changes max + n while holding the register writers' lock
 * (src/ingestion/register-lock.ts), transaction-scoped, to the commit. Every writer of these
 * tables already holds it from before its first write (so taking it again is free and keeps the lock
 * order); the trigger takes it anyway, so a writer that forgot cannot break the order. So a later
 * writer numbers its changes only after every earlier one committed: a reader that resumes after
 * the last position it saw never misses or repeats a change.
 *
 * Kinds: CREATED (insert), MARKED_ABSENT and RETURNED (absent_since_run_id set, cleared), LINKED,
 * RELINKED, UNLINKED (only the link columns changed), CHANGED (anything else). `changed_fields`
 * names the columns whose values changed (bookkeeping columns left out); an update that changes
 * none of them records nothing.
 *
 * A migration that adds a column to a tracked table runs `recordChangesOf` again (the triggers
 * list the columns they compare).
 *
 * The triggers' statements run through EXECUTE, planned for each statement's transition tables:
 * PL/pgSQL would otherwise keep the plan of the first call, sized for its row count, and a linking
 * UPDATE of 20,000 factories after a small one joined old and new rows by nested loop (48 s for
 * what a hash join does in 0.2 s).
 */

export interface Tracked {
  table: string;
  entity: string;
  /** SQL of the record's key over a row alias `r`. */
  key: (r: string) => string;
  /**
   * Since 1763955000000: the provinces (codes) whose area roles see the row `r`, as a text[], and the
   * columns that decide them; an update that moves a row out of provinces logs them in `left_areas`.
   */
  areas?: { of: (r: string) => string; columns: readonly string[] };
  /**
   * Since 1763980000000: the rows that show no firm identity (masked, src/shared/firm-identity.ts),
   * as an SQL condition over a row alias, and the columns their record withholds: `withheld` shown
   * as null, `starred` as `***` when set. An update of a row masked before and after names only the
   * columns whose shown value changed (a starred one set or cleared), and logs nothing when none did.
   */
  masked?: { when: (r: string) => string; withheld: readonly string[]; starred: readonly string[] };
}

const TRACKED: readonly Tracked[] = [
  { table: 'registry.company', entity: 'COMPANY', key: (r) => `${r}.juristic_id` },
  { table: 'registry.factory', entity: 'FACTORY', key: (r) => `${r}.fid` },
  { table: 'registry.tis_licence', entity: 'TIS_LICENSE', key: (r) => `${r}.licence_no` },
  { table: 'lending.loan_product', entity: 'LOAN_PRODUCT', key: (r) => `${r}.bank_code || ':' || ${r}.product_code` },
];

/** Columns that say how a row was written, not what it says (record_json, since 1763965000000: what the others say, as JSON). */
const BOOKKEEPING = new Set(['row_hash', 'source', 'source_run_id', 'fetched_at', 'created_at', 'updated_at', 'rules_hash', 'renamed_by_run_id', 'renamed_from_normalised', 'linked_at', 'record_json']);
const LINK_COLUMNS = ['company_juristic_id', 'link_method', 'link_confidence'];
/** Register writers' lock (src/ingestion/register-lock.ts). */
const REGISTER_WRITER_LOCK = '1763798, 2';

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const fn = (t: Tracked, op: string): string => `registry.${q(`record_changes_${t.table.replace('.', '_')}_${op}`)}`;

/** Undoes recordChangesOf: the table's changes are no longer recorded. */
export async function dropRecordChangesOf(queryRunner: QueryRunner, t: Tracked): Promise<void> {
  await queryRunner.query(`DROP TRIGGER IF EXISTS record_changes_insert ON ${t.table}`);
  await queryRunner.query(`DROP TRIGGER IF EXISTS record_changes_update ON ${t.table}`);
  await queryRunner.query(`DROP FUNCTION IF EXISTS ${fn(t, 'insert')}()`);
  await queryRunner.query(`DROP FUNCTION IF EXISTS ${fn(t, 'update')}()`);
}

export async function recordChangesOf(queryRunner: QueryRunner, t: Tracked): Promise<void> {
  const [schema, table] = t.table.split('.') as [string, string];
  const columns: { column_name: string; data_type: string }[] = await queryRunner.query(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  const names = new Set(columns.map((c) => c.column_name));
  // Generated and normalised columns follow others: not a change of their own.
  const compared = columns.filter((c) => !BOOKKEEPING.has(c.column_name) && !c.column_name.endsWith('_normalised'));
  const masked = t.masked;
  const bothMasked = masked ? `(${masked.when('o')} AND ${masked.when('n')})` : 'false';
  const differs = (c: { column_name: string; data_type: string }): string => {
    const cast = c.data_type === 'json' ? '::text' : '';
    const raw = `o.${q(c.column_name)}${cast} IS DISTINCT FROM n.${q(c.column_name)}${cast}`;
    // A column a masked record withholds changes nothing a client sees while it stays masked.
    if (masked?.withheld.includes(c.column_name)) return `(${raw} AND NOT ${bothMasked})`;
    if (masked?.starred.includes(c.column_name)) return `(${raw} AND (NOT ${bothMasked} OR (o.${q(c.column_name)} IS NULL) <> (n.${q(c.column_name)} IS NULL)))`;
    return raw;
  };
  const fields = `array_remove(ARRAY[${compared.map((c) => `CASE WHEN ${differs(c)} THEN '${c.column_name}' END`).join(', ')}]::text[], NULL)`;
  const links = LINK_COLUMNS.filter((c) => names.has(c));
  const absent = names.has('absent_since_run_id');
  const kind = `CASE
      ${absent ? `WHEN d.old_absent IS NULL AND d.new_absent IS NOT NULL THEN 'MARKED_ABSENT'
      WHEN d.old_absent IS NOT NULL AND d.new_absent IS NULL THEN 'RETURNED'` : ''}
      ${links.length > 0 ? `WHEN d.fields <@ ARRAY[${links.map((l) => `'${l}'`).join(', ')}]::text[] THEN
        CASE WHEN d.old_company IS NULL THEN 'LINKED' WHEN d.new_company IS NULL THEN 'UNLINKED' ELSE 'RELINKED' END` : ''}
      ELSE 'CHANGED' END`;
  const run = absent ? `CASE WHEN o.absent_since_run_id IS NULL AND n.absent_since_run_id IS NOT NULL THEN n.absent_since_run_id ELSE n.source_run_id END` : 'n.source_run_id';
  const areas = t.areas;
  const leftAreas = areas
    ? `CASE WHEN ${areas.columns.map((c) => `o.${q(c)} IS DISTINCT FROM n.${q(c)}`).join(' OR ')}
         THEN nullif(ARRAY(SELECT unnest(${areas.of('o')}) EXCEPT SELECT unnest(${areas.of('n')}) ORDER BY 1), '{}'::text[]) END`
    : '';
  const nextPosition = `(SELECT coalesce(max(position), 0) FROM registry.record_change) + row_number() OVER (ORDER BY record_key)`;
  await queryRunner.query(`
    CREATE OR REPLACE FUNCTION ${fn(t, 'insert')}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock(${REGISTER_WRITER_LOCK});
      EXECUTE $sql$
      INSERT INTO registry.record_change (position, entity, record_key, kind, changed_fields, run_id)
      SELECT ${nextPosition}, '${t.entity}', record_key, 'CREATED', '{}', run_id
      FROM (SELECT ${t.key('n')} AS record_key, n.source_run_id AS run_id FROM new_rows n) x$sql$;
      RETURN NULL;
    END $$`);
  await queryRunner.query(`
    CREATE OR REPLACE FUNCTION ${fn(t, 'update')}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock(${REGISTER_WRITER_LOCK});
      EXECUTE $sql$
      INSERT INTO registry.record_change (position, entity, record_key, kind, changed_fields, run_id${areas ? ', left_areas' : ''})
      SELECT ${nextPosition}, '${t.entity}', record_key, kind, fields, run_id${areas ? ', left_areas' : ''}
      FROM (
        SELECT d.record_key, d.fields, d.run_id, ${kind} AS kind${areas ? ', d.left_areas' : ''}
        FROM (
          SELECT ${t.key('n')} AS record_key, ${fields} AS fields, ${run} AS run_id,${areas ? ` ${leftAreas} AS left_areas,` : ''}
                 ${absent ? 'o.absent_since_run_id AS old_absent, n.absent_since_run_id AS new_absent' : 'NULL::bigint AS old_absent, NULL::bigint AS new_absent'},
                 ${links.length > 0 ? 'o.company_juristic_id AS old_company, n.company_juristic_id AS new_company' : 'NULL::text AS old_company, NULL::text AS new_company'}
          FROM old_rows o JOIN new_rows n ON ${t.key('o')} = ${t.key('n')}
        ) d
        WHERE cardinality(d.fields) > 0
      ) x$sql$;
      RETURN NULL;
    END $$`);
  await queryRunner.query(`DROP TRIGGER IF EXISTS record_changes_insert ON ${t.table}`);
  await queryRunner.query(`DROP TRIGGER IF EXISTS record_changes_update ON ${t.table}`);
  await queryRunner.query(`CREATE TRIGGER record_changes_insert AFTER INSERT ON ${t.table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn(t, 'insert')}()`);
  await queryRunner.query(
    `CREATE TRIGGER record_changes_update AFTER UPDATE ON ${t.table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn(t, 'update')}()`,
  );
}

export class RegistryChanges1763930000000 implements MigrationInterface {
  name = 'RegistryChanges1763930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE registry.record_change (
        position        bigint      PRIMARY KEY CHECK (position >= 1),
        entity          text        NOT NULL,
        record_key      text        NOT NULL,
        kind            text        NOT NULL CHECK (kind IN ('CREATED', 'CHANGED', 'MARKED_ABSENT', 'RETURNED', 'LINKED', 'RELINKED', 'UNLINKED')),
        changed_fields  text[]      NOT NULL,
        run_id          bigint,
        occurred_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON TABLE registry.record_change IS 'append-only; position is dense and in commit order (see the migration 1763930000000)'`);
    // A feed of some types only: their changes in position order.
    await queryRunner.query(`CREATE INDEX record_change_entity ON registry.record_change (entity, position)`);
    for (const t of TRACKED) await recordChangesOf(queryRunner, t);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const t of TRACKED) await dropRecordChangesOf(queryRunner, t);
    await queryRunner.query(`DROP TABLE registry.record_change`);
  }
}
