import { ProgressDisplay } from '../../src/cli/ingest-progress';
import { withProgress } from '../../src/ingestion/run-progress';
import { localTime, table, zoneLabel } from '../../src/cli/format';
import { runsTable, sourcesTable } from '../../src/cli/reports';
import type { IngestionRunRecord } from '../../src/ingestion/ingestion-run.repository';
import type { SourceStatus } from '../../src/ingestion/source-status.service';

const run = (id: string, source: string, rowsRead: number): IngestionRunRecord => ({
  id,
  source,
  trigger: 'schedule',
  jobId: '1',
  attempt: 1,
  status: 'succeeded',
  startedAt: new Date('2026-05-01T19:00:00Z'),
  finishedAt: new Date('2026-05-01T19:00:04.2Z'),
  feedUrl: null,
  rowsRead,
  rowsInserted: rowsRead,
  rowsUpdated: 0,
  rowsUnchanged: 0,
  rowsRejected: 0,
  rowsDuplicate: 0,
  rowsMarkedAbsent: 0,
  fullRefresh: true,
  cursorBefore: null,
  cursorAfter: null,
  warnings: [],
  errorKind: null,
  errorMessage: null,
});

describe('CLI output', () => {
  test('times are shown in the schedules\' zone, which the output names', () => {
    // 19:00 UTC is 02:00 the next day in Bangkok: the time a "0 2 * * *" schedule fires.
    expect(localTime(new Date('2026-05-01T19:00:00Z'), 'Asia/Bangkok')).toBe('2026-05-02 02:00:00');
    expect(zoneLabel('Asia/Bangkok')).toBe('Asia/Bangkok, UTC+07:00');
    expect(zoneLabel('UTC')).toBe('UTC, UTC+00:00');
  });

  test('runs print as one aligned table, numbers right-aligned', () => {
    const text = runsTable([run('12', 'dbd-companies', 1_000_000), run('3', 'diw', 7)], 'Asia/Bangkok');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('times in Asia/Bangkok, UTC+07:00');
    expect(lines).toHaveLength(4);
    const [header, first, second] = lines.slice(1) as [string, string, string];
    // Every column starts where its header starts (left-aligned) or ends where it ends (right-aligned).
    expect(first.indexOf('dbd-companies')).toBe(header.indexOf('SOURCE'));
    expect(second.indexOf('diw')).toBe(header.indexOf('SOURCE'));
    expect(first.indexOf('1,000,000') + '1,000,000'.length).toBe(header.indexOf('READ') + 'READ'.length);
    expect(second.indexOf(' 7 ') + 2).toBe(header.indexOf('READ') + 'READ'.length);
    expect(first).toMatch(/2026-05-02 02:00:00\s+4\.2 s/);
  });

  test('Thai text keeps columns aligned (combining marks take no column)', () => {
    const text = table([{ name: 'ชลบุรี' }, { name: 'Chon Buri' }], [{ header: 'NAME', value: (r) => r.name }, { header: 'X', value: () => 'x' }]);
    const [header, thai, latin] = text.trimEnd().split('\n') as [string, string, string];
    expect(header).toBe('NAME       X');
    expect(latin).toBe('Chon Buri  x');
    // ชลบุรี is six code points but four columns (sara u and sara ii sit on their consonants).
    expect(thai).toBe(`ชลบุรี${' '.repeat(5)}  x`);
  });

  test('the sources table points at a quarantine command that runs', () => {
    const source: SourceStatus = {
      id: 'diw',
      title: 'DIW factories',
      agency: 'DIW',
      mode: 'snapshot',
      schedule: '0 2 * * *',
      feedUrl: 'http://x',
      staleAfterHours: 48,
      lastSuccessAt: null,
      lastSuccessRunId: null,
      cursor: null,
      stale: true,
      openQuarantinedRows: 3,
    };
    const text = sourcesTable([source], 'Asia/Bangkok');
    expect(text).toMatch(/^diw\s+STALE\s+never\s/m);
    expect(text).toMatch(/npm run hub -- quarantine --source <source> \(e\.g\. --source diw\)/);
    expect(text).not.toMatch(/hub quarantine --source/);
  });

  test('progress: one line rewritten in place on a terminal, plain lines every interval elsewhere', () => {
    const written: string[] = [];
    const terminal = new ProgressDisplay({ isTTY: true, write: (t: string) => written.push(t) });
    terminal.show('diw', { progress: undefined, processedOn: undefined }, 0);
    terminal.show('diw', { progress: { rowsRead: 20_000 }, processedOn: 0 }, 4000);
    terminal.clear();
    expect(written).toEqual(['\r\x1b[Kdiw: waiting for a worker', '\r\x1b[Kdiw: 20,000 rows read, 5,000 rows/s, 0:04 elapsed', '\r\x1b[K']);

    const lines: string[] = [];
    const plain = new ProgressDisplay({ isTTY: false, write: (t: string) => lines.push(t) }, 10_000);
    plain.show('diw', { progress: undefined, processedOn: undefined }, 0);
    plain.show('diw', { progress: { rowsRead: 1000 }, processedOn: 0 }, 10_000);
    plain.show('diw', { progress: { rowsRead: 2000 }, processedOn: 0 }, 15_000);
    plain.show('diw', { progress: { rowsRead: 3000 }, processedOn: 0 }, 20_000);
    plain.clear();
    expect(lines).toEqual(['diw: 1,000 rows read, 100 rows/s, 0:10 elapsed\n', 'diw: 3,000 rows read, 150 rows/s, 0:20 elapsed\n']);
  });
});

describe('run progress', () => {
  test('rows pass through unchanged; the count is reported at most once an interval, and at the end', async () => {
    async function* rows() {
      for (let i = 0; i < 5; i += 1) yield i;
    }
    const reports: number[] = [];
    const seen: number[] = [];
    for await (const row of withProgress(rows(), (p) => reports.push(p.rowsRead), 60_000)) seen.push(row);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(reports).toEqual([5]);
    const plain = rows();
    expect(withProgress(plain, undefined)).toBe(plain);
  });
});
