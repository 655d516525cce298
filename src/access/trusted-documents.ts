import { createHash } from 'node:crypto';
import { Kind, parse, validate, type GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import { DomainError } from '../platform/errors/domain-error';

/**
 * Trusted documents (issue 14): operations an operator registered from `.graphql` files
 * (`npm run hub -- documents:add <files>`), each under the SHA-256 of its exact text, the hash
 * Apollo's automatic persisted queries use. A client created with `--trusted-documents-only` may
 * run only these: by hash (`extensions.persistedQuery.sha256Hash`, or `documentId: "sha256:<hash>"`)
 * or by sending the registered text itself; anything else answers PERSISTED_QUERY_NOT_FOUND.
 * Any client may run a registered document by its hash.
 */

export interface TrustedDocument {
  sha256: string;
  document: string;
  operationNames: string[];
  sourceFile: string | null;
  addedAt: Date;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const MAX_CACHED = 10_000;

export class TrustedDocuments {
  /** Registered documents by hash; documents are only ever added, so a hit never goes stale. */
  private readonly cache = new Map<string, TrustedDocument>();

  constructor(private readonly dataSource: DataSource) {}

  /** The registered document with this hash, or undefined. */
  async find(sha256: string): Promise<TrustedDocument | undefined> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    const cached = this.cache.get(sha256);
    if (cached) return cached;
    const rows: DocumentRow[] = await this.dataSource.query(`SELECT sha256, document, operation_names, source_file, added_at FROM access.trusted_document WHERE sha256 = $1`, [sha256]);
    const found = rows[0] && toDocument(rows[0]);
    if (found) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(sha256, found);
    }
    return found;
  }

  /**
   * Registers a document after checking it against the schema (a document that cannot run is
   * refused, naming the problem). Adding the same text again changes nothing.
   */
  async add(text: string, sourceFile: string | null, schema: GraphQLSchema): Promise<{ document: TrustedDocument; added: boolean }> {
    let parsed;
    try {
      parsed = parse(text);
    } catch (error) {
      throw new DomainError('BAD_USER_INPUT', `${sourceFile ?? 'the document'} does not parse: ${error instanceof Error ? error.message : String(error)}`);
    }
    const problems = validate(schema, parsed);
    if (problems.length > 0) throw new DomainError('BAD_USER_INPUT', `${sourceFile ?? 'the document'} does not validate: ${problems.map((p) => p.message).join('; ')}`);
    const operationNames = parsed.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value ?? '(anonymous)'] : []));
    if (operationNames.length === 0) throw new DomainError('BAD_USER_INPUT', `${sourceFile ?? 'the document'} has no operation`);
    const sha256 = sha256Hex(text);
    const rows: DocumentRow[] = await this.dataSource.query(
      `INSERT INTO access.trusted_document (sha256, document, operation_names, source_file) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO NOTHING RETURNING sha256, document, operation_names, source_file, added_at`,
      [sha256, text, operationNames, sourceFile],
    );
    if (rows[0]) return { document: toDocument(rows[0]), added: true };
    return { document: (await this.find(sha256))!, added: false };
  }

  async list(): Promise<TrustedDocument[]> {
    const rows: DocumentRow[] = await this.dataSource.query(`SELECT sha256, document, operation_names, source_file, added_at FROM access.trusted_document ORDER BY added_at, sha256`);
    return rows.map(toDocument);
  }
}

interface DocumentRow {
  sha256: string;
  document: string;
  operation_names: string[];
  source_file: string | null;
  added_at: Date;
}

const toDocument = (row: DocumentRow): TrustedDocument => ({
  sha256: row.sha256,
  document: row.document,
  operationNames: row.operation_names,
  sourceFile: row.source_file,
  addedAt: row.added_at,
});
