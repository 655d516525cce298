/**
 * A ministry app's or a bank's copy of the registers, kept in sync with the hub: one bulk export per
 * kind of record, then the change feed from the cursor the first export carried. docs/integrators.md
 * explains it; test/integration/integrators-kit.test.ts runs it against a real hub.
 *
 * Only `fetch` and the standard library: copy it into your own code and replace `RegistryCopy`
 * with your database (apply a record and save the cursor in one transaction).
 */

export type RecordType = 'COMPANY' | 'FACTORY' | 'TIS_LICENSE' | 'DIP_PARTICIPATION' | 'I40_ASSESSMENT' | 'LOAN_PRODUCT';
export type RegistryRecord = Record<string, unknown>;

/** Your copy: records by type and key, and the feed cursor to continue from. */
export interface RegistryCopy {
  records: Map<RecordType, Map<string, RegistryRecord>>;
  cursor: string | null;
}

export const EXPORTS: Record<RecordType, { name: string; key: (r: RegistryRecord) => string }> = {
  COMPANY: { name: 'companies', key: (r) => r['juristicId'] as string },
  FACTORY: { name: 'factories', key: (r) => r['fid'] as string },
  TIS_LICENSE: { name: 'tis-licences', key: (r) => r['licenceNo'] as string },
  DIP_PARTICIPATION: { name: 'dip-participations', key: (r) => r['key'] as string },
  I40_ASSESSMENT: { name: 'i40-assessments', key: (r) => r['key'] as string },
  LOAN_PRODUCT: { name: 'loan-products', key: (r) => r['key'] as string },
};

export interface Hub {
  baseUrl: string;
  apiKey: string;
}

/** GET with the key; waits as told on 429 (Retry-After) and retries 5xx a few times with backoff. */
async function get(hub: Hub, path: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${hub.baseUrl}${path}`, { headers: { authorization: `Bearer ${hub.apiKey}` } });
    if (response.ok) return response;
    const body = await response.text();
    const retryable = response.status === 429 || response.status >= 500;
    if (!retryable || attempt === 5) throw new Error(`GET ${path}: HTTP ${response.status} ${body}`);
    const waitSeconds = Number(response.headers.get('retry-after')) || 2 ** attempt;
    await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
  }
}

/** The lines of an NDJSON response, parsed one at a time as they arrive (memory stays flat). */
async function* lines(response: Response): AsyncGenerator<Record<string, unknown>> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line !== '') yield JSON.parse(line) as Record<string, unknown>;
    }
  }
}

/**
 * Loads one kind of record from its export. A download cut short (no end line, or an error line)
 * resumes after the last key received; the cursor kept is the first part's, so the feed replays
 * every change made since (applying a record twice does no harm).
 */
export async function loadExport(hub: Hub, copy: RegistryCopy, type: RecordType): Promise<void> {
  const { name, key } = EXPORTS[type];
  const records = copy.records.get(type) ?? new Map<string, RegistryRecord>();
  copy.records.set(type, records);
  let after: string | null = null;
  let firstCursor: string | null = null;
  for (let attempt = 1; ; attempt++) {
    const response = await get(hub, `/exports/${name}.ndjson${after ? `?after=${encodeURIComponent(after)}` : ''}`);
    firstCursor ??= response.headers.get('x-registry-feed-cursor');
    let ended = false;
    try {
      for await (const line of lines(response)) {
        if (line['end']) {
          ended = true;
          break;
        }
        // An error line ends a response that failed after it started (its `errors[0].extensions.code` says why).
        if (line['errors']) break;
        records.set(key(line), line);
        after = key(line);
      }
    } catch {
      // The connection broke: resume below.
    }
    if (ended) break;
    if (attempt === 5) throw new Error(`export ${name} failed 5 times`);
  }
  // The feed continues from the earliest snapshot of all exports loaded: the first one's, as they
  // load one after another. (Cursors are opaque, and sealed for area roles and banks: never compare
  // or build them.)
  copy.cursor ??= firstCursor;
}

/**
 * Applies the change feed from the copy's cursor until nothing more waits: each change's record is
 * the record as it is now, applied as an upsert by key; a change with no record (LEFT_SCOPE, area
 * keys only) deletes the key. Run it on a schedule (every minute or so).
 */
export async function followFeed(hub: Hub, copy: RegistryCopy, types: readonly RecordType[]): Promise<number> {
  let applied = 0;
  for (;;) {
    const query = new URLSearchParams({ limit: '10000', types: types.join(',') });
    if (copy.cursor) query.set('after', copy.cursor);
    const response = await get(hub, `/feeds/registry?${query.toString()}`);
    let end: { cursor: string | null; hasMore: boolean } | undefined;
    for await (const line of lines(response)) {
      if (line['errors']) break;
      if (line['end']) {
        end = line['end'] as { cursor: string | null; hasMore: boolean };
        break;
      }
      const type = line['type'] as RecordType;
      const records = copy.records.get(type) ?? new Map<string, RegistryRecord>();
      copy.records.set(type, records);
      // LEFT_SCOPE (an area key's record left its area): no record, drop the copy. Every other kind,
      // ENTERED_SCOPE included, carries the record as it is now.
      if (line['record'] === null) records.delete(line['key'] as string);
      else records.set(line['key'] as string, line['record'] as RegistryRecord);
      copy.cursor = line['cursor'] as string;
      applied += 1;
    }
    // No end line: the response was cut; the next request resumes after the last change applied.
    if (!end) continue;
    copy.cursor = end.cursor ?? copy.cursor;
    if (!end.hasMore) return applied;
  }
}

/** First sync: every export, then the feed. Later syncs: `followFeed` only. */
export async function syncRegistry(hub: Hub, copy: RegistryCopy, types: readonly RecordType[]): Promise<number> {
  if (copy.cursor === null) for (const type of types) await loadExport(hub, copy, type);
  return followFeed(hub, copy, types);
}
