import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * Bulk export throughput (issue 20), as a ratio to PostgreSQL's own `COPY ... TO STDOUT` of the same
 * rows in the same run (every column but the kept export JSON): the fastest way out of the database, with no JSON, masking or HTTP. Each
 * export is downloaded whole over HTTP and the same table is copied out in key order, in
 * alternating rounds; rows per second of each, and the median ratio (target >= 0.5 ×).
 */
const EXPORTS = [
  { name: 'companies', table: 'registry.company', order: 'juristic_id' },
  { name: 'factories', table: 'registry.factory', order: 'fid' },
  { name: 'tis-licences', table: 'registry.tis_licence', order: 'licence_no' },
] as const;

async function download(url: string, key: string): Promise<{ rows: number; bytes: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  let rows = 0;
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) rows += 1;
  }
  // The last line is the end line.
  return { rows: rows - 1, bytes, ms: performance.now() - started };
}

/**
 * The table's columns but the record's kept export JSON (migration 1763965000000): the row as the
 * registers hold it, as `SELECT *` gave it before that column, so COPY is not slowed by copying
 * the export's own text too.
 */
async function columnsOf(client: Client, table: string): Promise<string> {
  const [schema, name] = table.split('.') as [string, string];
  const { rows } = await client.query<{ list: string }>(
    `SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS list FROM information_schema.columns
     WHERE table_schema = $1 AND table_name = $2 AND column_name <> 'record_json'`,
    [schema, name],
  );
  return rows[0]!.list;
}

async function copyOut(databaseUrl: string, table: string, order: string): Promise<{ rows: number; bytes: number; ms: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const columns = await columnsOf(client, table);
    const started = performance.now();
    const stream = client.query(copyTo(`COPY (SELECT ${columns} FROM ${table} ORDER BY ${order}) TO STDOUT`));
    let rows = 0;
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) rows += 1;
    }
    return { rows, bytes, ms: performance.now() - started };
  } finally {
    await client.end();
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const perSecond = (r: { rows: number; ms: number }): number => (r.rows * 1000) / r.ms;

/** One line per export: rows/s of the export and of COPY, MB/s of each, and the ratio. */
export async function exportThroughput(hubUrl: string, databaseUrl: string, key: string, rounds: number): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of EXPORTS) {
    const url = `${hubUrl}/exports/${entry.name}.ndjson`;
    // Warm both (plans, caches, JIT).
    await download(url, key);
    await copyOut(databaseUrl, entry.table, entry.order);
    const results: { exported: Awaited<ReturnType<typeof download>>; copied: Awaited<ReturnType<typeof copyOut>> }[] = [];
    for (let round = 0; round < rounds; round += 1) results.push({ exported: await download(url, key), copied: await copyOut(databaseUrl, entry.table, entry.order) });
    const { exported, copied } = results.at(-1)!;
    if (exported.rows !== copied.rows) throw new Error(`${entry.name}: the export gave ${exported.rows} rows, COPY ${copied.rows}`);
    const ratios = results.map((r) => perSecond(r.exported) / perSecond(r.copied));
    lines.push(
      `export ${entry.name}.ndjson: ${exported.rows.toLocaleString('en-US')} rows, ${median(results.map((r) => perSecond(r.exported))).toFixed(0)} rows/s ` +
        `(${((exported.bytes / 1e6) / (exported.ms / 1000)).toFixed(1)} MB/s); COPY TO STDOUT ${median(results.map((r) => perSecond(r.copied))).toFixed(0)} rows/s ` +
        `(${((copied.bytes / 1e6) / (copied.ms / 1000)).toFixed(1)} MB/s); ratio ${median(ratios).toFixed(2)} × COPY (target >= 0.5 ×; ${rounds} alternating rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
    );
  }
  return lines;
}
