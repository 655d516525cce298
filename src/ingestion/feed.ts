/**
 * The contract between a source's parser and the ingestion engine.
 *
 * A parser turns a feed's byte stream into typed records and rejected rows. A rejected row keeps its
 * raw text and a reason and goes to quarantine; the rest of the feed still loads. A feed that cannot
 * be parsed at all (wrong header, an HTML page instead of CSV) throws FeedFormatError: the run fails
 * and the data already loaded stays as it was.
 */

import type { JsonValue } from '../shared/json';

export type { JsonValue } from '../shared/json';

/**
 * A rejected row's raw form: for CSV feeds the row as column -> text (or the line itself when it
 * could not be split), for JSON feeds the item as received.
 */
export type RawRow = JsonValue;

export type ParsedRow<R> = { kind: 'record'; line: number; record: R } | { kind: 'rejected'; line: number; raw: RawRow; reason: string };

/** Collects what a parser notices about the feed as a whole (unknown columns, encoding used). */
export interface ParseContext {
  warnings: string[];
}

/** The whole feed is unusable; retrying the same feed cannot help. */
export class FeedFormatError extends Error {
  override readonly name = 'FeedFormatError';
}
