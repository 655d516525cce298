import type { DataSource } from 'typeorm';
import { ReferenceData1763750000000 } from '../../migrations/1763750000000-reference-data';
import { createDataSource, runMigrations } from '../../src/platform/database/data-source';
import { loadReferenceData, type ReferenceData } from '../../src/reference/reference-data';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** The reference-data migration on a fresh database: every file row loaded, joins that work. */
describe('reference data migration', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let files: ReferenceData;

  const count = async (table: string): Promise<number> => Number((await ds.query(`SELECT count(*)::int AS n FROM reference.${table}`))[0].n);

  beforeAll(async () => {
    files = loadReferenceData();
    db = await createTestDatabase();
    ds = createDataSource(db.url, { poolSize: 2 });
    await ds.initialize();
    const applied = await runMigrations(ds);
    expect(applied).toContain('ReferenceData1763750000000');
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  test('every table holds exactly the rows of its files', async () => {
    expect(await count('province')).toBe(files.provinces.rows.length);
    expect(await count('province')).toBe(77);
    expect(await count('tsic')).toBe(files.tsic.rows.length);
    expect(await count('target_industry')).toBe(10);
    expect(await count('target_industry_tsic')).toBe(files.targetIndustryTsic.rows.length);
  });

  test('dataset_version records each dataset with its version and row count', async () => {
    const rows: { dataset: string; version: string; row_count: number; loaded_at: Date }[] = await ds.query(
      `SELECT dataset, version, row_count, loaded_at FROM reference.dataset_version ORDER BY dataset`,
    );
    expect(rows.map(({ dataset, version, row_count }) => ({ dataset, version, row_count }))).toEqual([
      { dataset: 'province', version: files.provinces.version, row_count: 77 },
      { dataset: 'target_industry', version: files.targetIndustries.version, row_count: 10 },
      { dataset: 'target_industry_tsic', version: files.targetIndustryTsic.version, row_count: files.targetIndustryTsic.rows.length },
      { dataset: 'tsic', version: files.tsic.version, row_count: files.tsic.rows.length },
    ]);
    for (const row of rows) expect(row.loaded_at).toBeInstanceOf(Date);
  });

  test('joins: the region of province 20, the EEC, the TSIC hierarchy, an industry by TSIC code', async () => {
    const [chonBuri] = await ds.query(`SELECT name_th, region, eec, promotion_centre FROM reference.province WHERE code = '20'`);
    expect(chonBuri).toEqual({ name_th: 'ชลบุรี', region: 'East', eec: true, promotion_centre: 9 });

    const eec = await ds.query(`SELECT code FROM reference.province WHERE eec ORDER BY code`);
    expect(eec.map((r: { code: string }) => r.code)).toEqual(['20', '21', '24']);

    const [path] = await ds.query(`
      SELECT c.name_en AS class, g.code AS group_code, d.code AS division, s.code AS section
      FROM reference.tsic c
      JOIN reference.tsic g ON g.code = c.parent_code
      JOIN reference.tsic d ON d.code = g.parent_code
      JOIN reference.tsic s ON s.code = d.parent_code
      WHERE c.code = '2930'`);
    expect(path).toEqual({ class: 'Manufacture of parts and accessories for motor vehicles', group_code: '293', division: '29', section: 'C' });

    const industries = await ds.query(
      `SELECT DISTINCT ti.code
       FROM reference.target_industry_tsic m JOIN reference.target_industry ti ON ti.code = m.industry_code
       WHERE $1 LIKE m.tsic_prefix || '%' AND m.mapping_version = (SELECT max(mapping_version) FROM reference.target_industry_tsic)
       ORDER BY ti.code`,
      ['26510'],
    );
    expect(industries.map((r: { code: string }) => r.code)).toEqual(['ROBOTICS', 'SMART_ELECTRONICS']);
  });

  test('the constraints hold the data to its rules', async () => {
    await expect(ds.query(`INSERT INTO reference.province VALUES ('99', 'TH-98', 'x', 'x', 'East', 1, false)`)).rejects.toThrow(/check constraint/);
    await expect(ds.query(`INSERT INTO reference.tsic VALUES ('109', 'group', '11', 'x', NULL)`)).rejects.toThrow(/check constraint/);
    await expect(ds.query(`INSERT INTO reference.tsic VALUES ('1099', 'class', '109', 'x', NULL)`)).rejects.toThrow(/foreign key/);
    await expect(ds.query(`INSERT INTO reference.target_industry_tsic VALUES ('NOPE', '10', '2024-01')`)).rejects.toThrow(/foreign key/);
  });

  test('down drops the schema, and up loads it again', async () => {
    const migration = new ReferenceData1763750000000();
    const runner = ds.createQueryRunner();
    try {
      await migration.down(runner);
      expect(await ds.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name = 'reference'`)).toHaveLength(0);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect(await count('province')).toBe(77);
    expect(await count('tsic')).toBe(files.tsic.rows.length);
  });
});
