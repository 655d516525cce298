import type { ApiClient } from '../../access/api-client.repository';
import { ReadRecord } from '../../access/audit/read-record';
import { DomainError } from '../../platform/errors/domain-error';
import { checkPageSize, decodeCursor, encodeCursor, invalidCursor } from '../../platform/graphql/connection';
import type { ExportSnapshot, RegistryChangeRow, RegistryChangesRepository, SnapshotBounds } from './registry-changes.repository';
import { openPosition, sealPosition } from './registry-cursor';
import { REGISTRY_ENTITIES, REGISTRY_RECORDS, seesWholeLog, visibleRows, type RegistryEntity, type RegistryRecordDefinition } from './registry-records';

/** Cursor tag of the registry change feed; GraphQL, NDJSON and the exports' feed cursor share it. */
export const REGISTRY_CHANGE_CURSOR = 'registryChange';

/** A change as clients read it (GraphQL node, NDJSON line). */
export interface RegistryChange {
  cursor: string;
  /** The hub-wide log position, for the clients that see the whole log; null for the others (see registry-cursor.ts). */
  position: string | null;
  type: RegistryEntity;
  key: string;
  kind: RegistryChangeRow['kind'];
  /** Record fields whose values changed (CHANGED, RETURNED and the link kinds); empty for CREATED. */
  changedFields: string[];
  runId: string | null;
  occurredAt: Date;
  /** The record as the client may see it now, as JSON text. */
  recordJson: string;
}

/** One page of the feed: the visible changes, and where the next read resumes (past invisible ones too). */
export interface RegistryChangePage {
  changes: RegistryChange[];
  /** Where the next read resumes: after the last change shown, or (a page that is not full) after every change there was. */
  endCursor: string;
  /** True when more changes the client may see follow endCursor (at the time of the read). */
  hasMore: boolean;
  /**
   * What the page carries, for the read audit: the firms its records reveal, the records of no
   * known firm (`Type:key`), their field groups, and the log positions it spans
   * (`RegistryFeed:<first>..<last>`). Empty when it carries no firm data (no change, or loan products only).
   */
  read: ReadRecord;
}

/** What a page of changes tells the read audit (see RegistryChangePage.read). */
function readOf(rows: readonly RegistryChangeRow[]): ReadRecord {
  const read = new ReadRecord();
  for (const row of rows) {
    const audit = REGISTRY_RECORDS[row.entity].audit;
    if (!audit) continue;
    for (const group of audit.groups) read.note(group, row.juristicId, `${audit.typeName}:${row.key}`);
  }
  if (!read.empty) read.entities.add(`RegistryFeed:${rows[0]!.position}..${rows.at(-1)!.position}`);
  return read;
}

/**
 * The registry change feed and bulk exports, scoped and masked by registry-records.ts (one
 * visibility rule per entity). Cursors are positions in the hub-wide log, every client's feed the
 * same log filtered, so an export's cursor resumes any feed of the same client. A client that sees
 * the whole log (admin, ministry, analyst) gets them in the clear; every other client (area roles,
 * banks) sealed (registry-cursor.ts), and only sealed ones are taken from it: its cursors neither
 * show how many changes it was not shown nor let it start at a position of its choosing.
 */
export class RegistryChangesService {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly repository: RegistryChangesRepository) {}

  static cursorOf(position: string): string {
    return encodeCursor(REGISTRY_CHANGE_CURSOR, position);
  }

  /** The position after a cursor ('0': from the start); BAD_USER_INPUT for anything else. */
  static afterPosition(cursor: string | null | undefined): string {
    const key = decodeCursor(REGISTRY_CHANGE_CURSOR, cursor);
    if (key === undefined) return '0';
    if (!/^\d{1,18}$/.test(key)) throw invalidCursor();
    return key;
  }

  private cursorKey(): Promise<Buffer> {
    this.key ??= this.repository.cursorKey().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  /** How this client's cursors are written and read: in the clear, or sealed. */
  async cursorsFor(client: ApiClient): Promise<{ cursorOf(position: string): string; afterPosition(cursor: string | null | undefined): string }> {
    const key = await this.cursorKey();
    if (seesWholeLog(client)) {
      return {
        cursorOf: (position) => RegistryChangesService.cursorOf(position),
        // The sealed form too: a national key may continue a cursor any client was given.
        afterPosition: (cursor) => (cursor ? (openPosition(key, cursor) ?? RegistryChangesService.afterPosition(cursor)) : '0'),
      };
    }
    return {
      cursorOf: (position) => sealPosition(key, position),
      afterPosition: (cursor) => {
        if (!cursor) return '0';
        const position = openPosition(key, cursor);
        if (position === undefined) throw invalidCursor();
        return position;
      },
    };
  }

  /** The types asked for (every type when none), checked against the client's visibility. */
  static typesOf(client: ApiClient, types: readonly string[] | null | undefined): RegistryEntity[] {
    const asked = types && types.length > 0 ? [...new Set(types)] : [...REGISTRY_ENTITIES];
    for (const type of asked) {
      if (!(REGISTRY_ENTITIES as readonly string[]).includes(type)) {
        throw new DomainError('BAD_USER_INPUT', `types are ${REGISTRY_ENTITIES.join(', ')}; got ${JSON.stringify(type.slice(0, 40))}`, { argument: 'types' });
      }
      // Refuses a role that may not read the type.
      visibleRows(type as RegistryEntity, client);
    }
    return asked as RegistryEntity[];
  }

  /** Reads up to `limit` changes the client may see after the cursor. */
  async read(client: ApiClient, args: { after?: string | null; types?: readonly string[] | null }, limit: number): Promise<RegistryChangePage> {
    const cursors = await this.cursorsFor(client);
    const after = cursors.afterPosition(args.after);
    const types = RegistryChangesService.typesOf(client, args.types);
    const { rows, head } = await this.repository.changes(client, types, after, limit + 1);
    const shown = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    const inTheClear = seesWholeLog(client);
    const changes = shown.map((row): RegistryChange => {
      const fields = REGISTRY_RECORDS[row.entity].fields;
      return {
        cursor: cursors.cursorOf(row.position),
        position: inTheClear ? row.position : null,
        type: row.entity,
        key: row.key,
        kind: row.kind,
        changedFields: row.changedColumns.flatMap((column) => (fields[column] ? [fields[column]] : [])),
        runId: row.runId,
        occurredAt: row.occurredAt,
        recordJson: row.recordJson,
      };
    });
    // A full page resumes after its last change; one that is not, after the whole log it looked at.
    const end = hasMore ? shown.at(-1)!.position : BigInt(head) > BigInt(after) ? head : after;
    return { changes, endCursor: cursors.cursorOf(end), hasMore, read: readOf(shown) };
  }

  /** A GraphQL page (1 to 100 log rows). */
  page(client: ApiClient, args: { after?: string | null; first?: number | null; types?: readonly string[] | null }): Promise<RegistryChangePage> {
    return this.read(client, args, checkPageSize(args.first));
  }

  /** The export of `name` the client may read, or NOT_FOUND / FORBIDDEN. */
  exportDefinition(client: ApiClient, name: string): RegistryRecordDefinition {
    const definition = Object.values(REGISTRY_RECORDS).find((d) => d.exportName === name);
    if (!definition) {
      throw new DomainError('NOT_FOUND', `no export "${name.slice(0, 40)}": exports are ${Object.values(REGISTRY_RECORDS).map((d) => `${d.exportName}.ndjson`).join(', ')}`);
    }
    visibleRows(definition.entity, client);
    return definition;
  }

  openSnapshot(bounds: SnapshotBounds): Promise<ExportSnapshot> {
    return this.repository.openSnapshot(bounds);
  }
}

