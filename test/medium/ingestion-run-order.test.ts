import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { newMediumContext, type MediumContext } from '../support/medium';

/** Runs are listed newest first by their number, not by its text ("9" sorted after "11"). */
describe('ingestion runs in order', () => {
  let medium: MediumContext;
  let dataSource: DataSource;

  beforeAll(async () => {
    medium = await newMediumContext();
    dataSource = medium.dataSource;
    await dataSource.query(
      `INSERT INTO ingestion.run (source, trigger, attempt, feed_url, full_refresh) SELECT 'diw', 'cli', 1, 'http://feed', false FROM generate_series(1, 12)`,
    );
  });
  afterAll(async () => {
    await medium?.stop();
  });

  test('the newest runs first, and paging on visits every run once', async () => {
    const runs = new IngestionRunRepository(dataSource);
    const ids = (await dataSource.query<{ id: string }[]>(`SELECT id::text AS id FROM ingestion.run ORDER BY run.id DESC`)).map((r) => r.id);
    expect(ids).toHaveLength(12);
    expect((await runs.list({ limit: 3 })).map((r) => r.id)).toEqual(ids.slice(0, 3));
    const seen: string[] = [];
    let beforeId: string | undefined;
    for (;;) {
      const page = await runs.list({ limit: 5, ...(beforeId ? { beforeId } : {}) });
      if (page.length === 0) break;
      seen.push(...page.map((r) => r.id));
      beforeId = page.at(-1)!.id;
    }
    expect(seen).toEqual(ids);
  });
});
