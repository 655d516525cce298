import type { ApiClient } from '../../access/api-client.repository';
import { DomainError } from '../../platform/errors/domain-error';
import { checkPageSize, decodeCursor, encodeCursor, invalidCursor } from '../../platform/graphql/connection';
import type { ExportSnapshot, RegistryChangeRow, RegistryChangesRepository } from './registry-changes.repository';
import { REGISTRY_ENTITIES, REGISTRY_RECORDS, visibleRows, type RegistryEntity, type RegistryRecordDefinition } from './registry-records';

/** Cursor tag of the registry change feed; GraphQL, NDJSON and the exports' feed cursor share it. */
export const REGISTRY_CHANGE_CURSOR = 'registryChange';

/** A change as clients read it (GraphQL node, NDJSON line). */
export interface RegistryChange {
  cursor: string;
  position: string;
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
  /** Cursor after the last change read (shown or not); null when nothing was read. */
  endCursor: string | null;
  /** True when the log holds more changes after endCursor (at the time of the read). */
  hasMore: boolean;
}

/**
 * The registry change feed and bulk exports, scoped and masked by registry-records.ts (one
 * visibility rule per entity). Cursors are positions in the hub-wide log: every client's feed is
 * the same log filtered, so an export's cursor resumes any feed of the same client.
 */
export class RegistryChangesService {
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

  /** Reads `limit` log rows after the cursor and returns the visible changes among them. */
  async read(client: ApiClient, args: { after?: string | null; types?: readonly string[] | null }, limit: number): Promise<RegistryChangePage> {
    const after = RegistryChangesService.afterPosition(args.after);
    const types = RegistryChangesService.typesOf(client, args.types);
    const rows = await this.repository.changes(client, types, after, limit + 1);
    const read = rows.slice(0, limit);
    const changes: RegistryChange[] = [];
    for (const row of read) {
      if (row.recordJson === null) continue;
      const fields = REGISTRY_RECORDS[row.entity].fields;
      changes.push({
        cursor: RegistryChangesService.cursorOf(row.position),
        position: row.position,
        type: row.entity,
        key: row.key,
        kind: row.kind,
        changedFields: row.changedColumns.flatMap((column) => (fields[column] ? [fields[column]] : [])),
        runId: row.runId,
        occurredAt: row.occurredAt,
        recordJson: row.recordJson,
      });
    }
    return { changes, endCursor: read.length > 0 ? RegistryChangesService.cursorOf(read.at(-1)!.position) : null, hasMore: rows.length > limit };
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

  openSnapshot(): Promise<ExportSnapshot> {
    return this.repository.openSnapshot();
  }
}
