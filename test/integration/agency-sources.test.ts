import { loadHubConfig } from '../../src/app/config';
import { IngestionEngine } from '../../src/ingestion/ingestion.engine';
import { IngestionRunRepository, type IngestionRunRecord } from '../../src/ingestion/ingestion-run.repository';
import { createRootLogger } from '../../src/platform/logging/logger';
import { dipGroundTruth, oieMpiGroundTruth, tisiLicencesGroundTruth, tisiStandardsGroundTruth, type SimulatorOptions } from '../../src/simulator/simulator';
import { hubSources } from '../../src/sources/registry';
import { thaiIdCheckDigit } from '../../src/shared/thai-id';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * The TISI, DIP and OIE sources end to end: the hub's queue and engine on a real PostgreSQL, every
 * feed served over HTTP by the agency simulator (through the test hub's fault switch), each source
 * checked against the simulator's ground truth.
 */

interface Truth {
  total: number;
  badRows: number;
  validRows: number;
}

interface AgencySource {
  id: string;
  table: string;
  /** Ground truth for the simulator options and the served months (OIE). */
  truth(options: SimulatorOptions, months: number): Truth;
  /** A fault of the `fault=missing-column` kind names this column or field. */
  missing: string;
}

const SOURCES: AgencySource[] = [
  { id: 'tisi-standards', table: 'registry.tis_standard', truth: (o) => tisiStandardsGroundTruth(o), missing: 'TIS_NAME_TH' },
  { id: 'tisi-licences', table: 'registry.tis_licence', truth: (o) => tisiLicencesGroundTruth(o), missing: 'TAX_ID' },
  { id: 'dip-participations', table: 'registry.dip_participation', truth: (o) => dipGroundTruth({ ...o, resource: 'participations' }), missing: 'programme_code' },
  { id: 'dip-i40-assessments', table: 'registry.dip_i40_assessment', truth: (o) => dipGroundTruth({ ...o, resource: 'i40-assessments' }), missing: 'overall_level' },
  { id: 'oie-mpi', table: 'registry.industrial_index', truth: (o, months) => oieMpiGroundTruth({ ...o, months }), missing: 'MPI' },
];

const SCALE = 1000; // firms: 200 factories
const SMALL_SCALE = 500;
const MONTHS = 36;
const SMALL_MONTHS = 24;
/** Enough bad and quirky rows in each feed. */
const RATES = { quirkRate: 0.2, badRowRate: 0.08 };
/** Served with every request: the DIP CKAN caps pages at 40 records, so the sources read several pages. */
const BASE_QUERY = 'rowsMax=40';
const SMALL_QUERY = `${BASE_QUERY}&scale=${SMALL_SCALE}&months=${SMALL_MONTHS}`;

describe('TISI, DIP and OIE ingestion', () => {
  let t: TestHub;
  let runs: IngestionRunRepository;

  const options = (scale = SCALE): SimulatorOptions => ({ ...t.simulatorOptions, scale });
  const full = (source: AgencySource): Truth => source.truth(options(), MONTHS);
  const small = (source: AgencySource): Truth => source.truth(options(SMALL_SCALE), SMALL_MONTHS);
  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(sql, params);
  const count = async (table: string, where = 'true'): Promise<number> => Number((await query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`))[0]!.n);
  /** A fingerprint of every row: content, provenance and absence marks. */
  const fingerprint = async (table: string): Promise<string> =>
    (await query<{ h: string }>(`SELECT md5(string_agg(row_hash || source_run_id || coalesce(absent_since_run_id::text, '-'), ',' ORDER BY row_hash)) AS h FROM ${table}`))[0]!.h;
  const ingest = async (source: string): Promise<IngestionRunRecord> => {
    const { runId } = await t.ingestNow(source);
    return (await runs.findById(runId))!;
  };

  beforeAll(async () => {
    t = await startTestHub({ scale: SCALE, simulator: RATES });
    runs = new IngestionRunRepository(t.hub.database.dataSource);
    t.feed.set(BASE_QUERY);
  });
  afterAll(async () => {
    await t?.stop();
  });

  test.each(SOURCES)('$id loads exactly the simulator’s valid rows and quarantines the bad ones', async (source) => {
    const truth = full(source);
    expect(truth.badRows).toBeGreaterThan(0);
    const run = await ingest(source.id);
    expect(run).toMatchObject({
      status: 'succeeded',
      rowsRead: truth.total,
      rowsRejected: truth.badRows,
      rowsInserted: truth.validRows,
      rowsUpdated: 0,
      rowsDuplicate: 0,
      rowsMarkedAbsent: 0,
      warnings: [],
    });
    expect(await count(source.table)).toBe(truth.validRows);
    expect(await count(source.table, `source = '${source.id}' AND source_run_id = ${run.id} AND absent_since_run_id IS NULL`)).toBe(truth.validRows);

    const quarantined = await runs.quarantinedRows(run.id, 1000);
    expect(quarantined).toHaveLength(truth.badRows);
    for (const row of quarantined) {
      expect(row.reason).toMatch(/invalid check digit|must be|not a standard number|TIS_TYPE|not a valid month/);
      expect(row.raw).toBeTruthy();
    }
  });

  test.each(SOURCES)('$id: running the same feed again changes nothing', async (source) => {
    const before = await fingerprint(source.table);
    const truth = full(source);
    const run = await ingest(source.id);
    expect(run).toMatchObject({ status: 'succeeded', rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: truth.validRows, rowsRejected: truth.badRows, rowsMarkedAbsent: 0 });
    expect(await fingerprint(source.table)).toBe(before);
  });

  test.each(SOURCES)('$id: a smaller snapshot marks the missing records absent, and a full one clears the marks', async (source) => {
    const before = full(source);
    const after = small(source);
    const missing = before.validRows - after.validRows;
    expect(missing).toBeGreaterThan(0);

    t.feed.set(SMALL_QUERY);
    let run: IngestionRunRecord;
    try {
      run = await ingest(source.id);
    } finally {
      t.feed.set(BASE_QUERY);
    }
    expect(run).toMatchObject({ status: 'succeeded', rowsRead: after.total, rowsUnchanged: after.validRows, rowsInserted: 0, rowsUpdated: 0, rowsMarkedAbsent: missing });
    expect(await count(source.table)).toBe(before.validRows); // marked, never deleted
    expect(await count(source.table, `absent_since_run_id = ${run.id}`)).toBe(missing);

    const again = await ingest(source.id);
    expect(again).toMatchObject({ status: 'succeeded', rowsInserted: 0, rowsUpdated: missing, rowsUnchanged: after.validRows, rowsMarkedAbsent: 0 });
    expect(await count(source.table, 'absent_since_run_id IS NOT NULL')).toBe(0);
    expect(await count(source.table)).toBe(before.validRows);
  });

  const FAULTS = SOURCES.flatMap((source) => [
    { source, fault: 'fault=http500', kind: 'transient', message: /HTTP 500/ },
    { source, fault: 'fault=html', kind: 'permanent', message: /HTML/ },
    { source, fault: 'fault=truncate', kind: 'transient', message: /./ },
    { source, fault: 'fault=missing-column', kind: 'permanent', message: new RegExp(`missing required (column|field)\\(s\\): ${source.missing}`) },
    ...(source.id.startsWith('dip-') ? [{ source, fault: 'fault=ckan-error', kind: 'permanent', message: /CKAN answered success: false/ }] : []),
  ]);

  test.each(FAULTS)('$source.id: $fault fails the run and leaves the earlier data as it was', async ({ source, fault, kind, message }) => {
    const before = await fingerprint(source.table);
    const rows = await count(source.table);
    t.feed.set(`${BASE_QUERY}&${fault}`);
    let run: IngestionRunRecord;
    try {
      run = await ingest(source.id);
    } finally {
      t.feed.set(BASE_QUERY);
    }
    expect(run).toMatchObject({ status: 'failed', errorKind: kind });
    expect(run.errorMessage).toMatch(message);
    expect(await count(source.table)).toBe(rows);
    expect(await fingerprint(source.table)).toBe(before);
  });

  test('licences and participations name the firms and factories the DIW feed and the world know', async () => {
    // Licensees are firms of the world: their tax IDs pass the check digit (enforced by the parser) and
    // every licence with a factory ID names a factory of the simulated DIW register.
    await t.ingestNow('diw');
    const [links] = await query<{ linked: number; withFid: number }>(
      `SELECT count(f.fid)::int AS linked, count(l.fid)::int AS "withFid"
       FROM registry.tis_licence l LEFT JOIN registry.factory f ON f.fid = l.fid WHERE l.absent_since_run_id IS NULL`,
    );
    expect(links!.withFid).toBeGreaterThan(0);
    // A factory quarantined by DIW (malformed FID) cannot be found: all but those few link.
    expect(links!.linked).toBeGreaterThan(links!.withFid * 0.8);
    expect(await count('registry.dip_participation', `juristic_id !~ '^0[0-9]{12}$'`)).toBe(0);
  });

  test.each(['tisi-licences', 'dip-participations'])('%s: a quarantined row whose ID an operator corrected loads on retry', async (sourceId) => {
    const open = await runs.openQuarantined({ source: sourceId, limit: 1000 });
    const wrong = open.find((row) => /has an invalid check digit/.test(row.reason));
    expect(wrong).toBeDefined();
    const field = /^(\S+) has an invalid check digit/.exec(wrong!.reason)![1]!;
    const raw = wrong!.raw as Record<string, string>;
    const id = raw[field]!.replace(/\D/g, '');
    const corrected = { ...raw, [field]: `${id.slice(0, 12)}${thaiIdCheckDigit(id)}` };
    await query(`UPDATE ingestion.quarantined_row SET raw = $2 WHERE id = $1`, [wrong!.id, JSON.stringify(corrected)]);

    const engine = new IngestionEngine(t.hub.database.dataSource, hubSources(), loadHubConfig({}), createRootLogger('silent'));
    const retried = await engine.retryQuarantined(sourceId);
    expect(retried).toMatchObject({ status: 'succeeded', trigger: 'retry', rowsRead: open.length, rowsRejected: open.length - 1 });
    expect(retried.rowsInserted + retried.rowsUpdated).toBe(1);
    const stillOpen = await runs.openQuarantined({ source: sourceId, limit: 1000 });
    expect(stillOpen.map((row) => row.id)).not.toContain(wrong!.id);
    expect(stillOpen).toHaveLength(open.length - 1);
  });
});
