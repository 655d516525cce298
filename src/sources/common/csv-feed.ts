/**
 * A streaming reader for agency CSV feeds with a header line, shared by the DIW, TISI and OIE
 * parsers (agency-neutral). It decodes UTF-8 (with or without BOM) or TIS-620 / Windows-874, refuses
 * HTML pages, checks the header against the feed's required columns (missing: FeedFormatError naming
 * them; a known other name of a column: read, with a warning; unknown: a warning), and hands each row
 * to the feed's `toRecord`, which rejects a row by throwing RowRejection, or tallies something it let
 * pass (one warning per feed, not one per row).
 */
import { pipeline, type Readable } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import { FeedFormatError, type ParseContext, type ParsedRow } from '../../ingestion/feed';
import { decodeFeed, startLine, trimLineBreaks } from './feed-decoding';
import { RowRejection } from './feed-values';

/** What a row's `toRecord` may note about the row without rejecting it. */
export interface CsvRowNotes {
  /** Counts `what` (e.g. an optional value that failed its check and was left out), for one warning per feed. */
  tally(what: string, detail: string): void;
}

export interface CsvFeedSpec<C extends string, R> {
  /** The feed's name in messages, e.g. `TISI standards feed`. */
  name: string;
  /** Columns that must be in the header (in any order; matched case-insensitively). */
  required: readonly C[];
  /** Columns read when present. */
  optional: readonly C[];
  /** Names other versions of the feed use for a column (upper case): read under the column's name, with a warning on the run. */
  aliases?: Readonly<Record<string, C>>;
  /** Builds a record from one row; throws RowRejection (see `reject`) for a row that cannot be trusted. */
  toRecord(get: (column: C) => string | undefined, notes: CsvRowNotes): R;
  /** The run's warning for what rows tallied: how many, and the first (`<line>: <detail>`). */
  tallyWarning?(what: string, count: number, first: string): string;
}

/** Tallies of a feed, by what: how many, and the first. */
type Tallies = Map<string, { count: number; first: string }>;

const MAX_RECORD_CHARS = 64 * 1024;

interface CsvRow {
  record: string[];
  raw: string;
  info: Info;
}

interface Header<C extends string> {
  names: string[];
  index: Map<C, number>;
}

export async function* parseCsvFeed<C extends string, R>(
  input: NodeJS.ReadableStream | Readable,
  context: ParseContext,
  spec: CsvFeedSpec<C, R>,
): AsyncGenerator<ParsedRow<R>> {
  const skipped: ParsedRow<R>[] = [];
  const parser = parse({
    relax_quotes: true, // Excel-quoted IDs (="0123") put quotes inside unquoted fields
    relax_column_count: true, // a short or long row is rejected below, not fatal
    skip_empty_lines: true,
    skip_records_with_empty_values: true, // trailing ",,,," rows that spreadsheets leave behind
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    raw: true,
    info: true,
    on_skip: (error, raw) => {
      if (error?.code === 'CSV_MAX_RECORD_SIZE') {
        // csv-parse silently stops after this error; failing loudly beats loading half a feed.
        parser.destroy(new FeedFormatError(`${spec.name} has a record over ${MAX_RECORD_CHARS} characters near line ${parser.info.lines} (unbalanced quote?)`));
        return;
      }
      const text = trimLineBreaks(raw ?? '');
      skipped.push({ kind: 'rejected', line: startLine(parser.info.lines, text), raw: text, reason: `unreadable CSV row: ${error?.message ?? 'unknown error'}` });
    },
  });
  // Errors of any stage (socket reset, HTML page) surface in the loop below.
  pipeline(input, (source: AsyncIterable<Buffer | string>) => decodeFeed(source, context, spec.name), parser, () => {});

  let header: Header<C> | undefined;
  const tallies: Tallies = new Map();
  for await (const { record, raw, info } of parser as AsyncIterable<CsvRow>) {
    const rawLine = trimLineBreaks(raw);
    const line = startLine(info.lines, rawLine);
    while (skipped.length > 0 && skipped[0]!.line < line) yield skipped.shift()!;
    if (header === undefined) header = readHeader(record, context, spec);
    else yield parseRow(record, header, line, rawLine, spec, tallies);
  }
  yield* skipped;
  if (header === undefined) throw new FeedFormatError(`${spec.name} is empty: no header line`);
  for (const [what, { count, first }] of tallies) {
    context.warnings.push(spec.tallyWarning ? spec.tallyWarning(what, count, first) : `${what}: ${count} row(s) (first at line ${first})`);
  }
}

/**
 * Re-parses one quarantined row, stored as column → value, with today's rules. A row stored as
 * text (it could not be split into the header's columns) stays rejected.
 */
export function reparseCsvRow<C extends string, R>(raw: Record<string, string> | string, spec: CsvFeedSpec<C, R>): ParsedRow<R> {
  if (typeof raw === 'string') {
    return { kind: 'rejected', line: 0, raw, reason: "a row that could not be split into the header's columns needs a corrected feed" };
  }
  let header: Header<C>;
  try {
    header = readHeader(Object.keys(raw), { warnings: [] }, spec);
  } catch (error) {
    if (!(error instanceof FeedFormatError)) throw error;
    return { kind: 'rejected', line: 0, raw, reason: error.message };
  }
  return parseRow(Object.values(raw), header, 0, '', spec, new Map());
}

function readHeader<C extends string, R>(fields: string[], context: ParseContext, spec: CsvFeedSpec<C, R>): Header<C> {
  const names = fields.map((name) => name.replace(/\uFEFF/g, '').trim());
  const known = new Map<string, C>([...spec.required, ...spec.optional].map((column) => [column.toUpperCase(), column]));
  const index = new Map<C, number>();
  const unknown: string[] = [];
  const aliased: string[] = [];
  names.forEach((name, i) => {
    const upper = name.toUpperCase();
    const column = known.get(upper) ?? spec.aliases?.[upper];
    if (column === undefined) unknown.push(name);
    else if (!index.has(column)) {
      index.set(column, i);
      if (!known.has(upper)) aliased.push(`${name} as ${column}`);
    }
  });
  if (aliased.length > 0) context.warnings.push(`column(s) read under another name: ${aliased.join(', ')}`);
  const missing = spec.required.filter((column) => !index.has(column));
  if (missing.length > 0) throw new FeedFormatError(`${spec.name} is missing required column(s): ${missing.join(', ')}`);
  if (unknown.length > 0) context.warnings.push(`unknown column(s) ignored: ${unknown.join(', ')}`);
  return { names, index };
}

function parseRow<C extends string, R>(fields: string[], header: Header<C>, line: number, rawLine: string, spec: CsvFeedSpec<C, R>, tallies: Tallies): ParsedRow<R> {
  if (fields.length !== header.names.length) {
    return { kind: 'rejected', line, raw: rawLine, reason: `expected ${header.names.length} fields, got ${fields.length}` };
  }
  const get = (column: C): string | undefined => {
    const i = header.index.get(column);
    return i === undefined ? undefined : fields[i];
  };
  // Counted only for rows that load: a rejected row is reported as such.
  const noted: [string, string][] = [];
  const notes: CsvRowNotes = { tally: (what, detail) => void noted.push([what, detail]) };
  try {
    const record = spec.toRecord(get, notes);
    for (const [what, detail] of noted) {
      const tally = tallies.get(what);
      if (tally) tally.count += 1;
      else tallies.set(what, { count: 1, first: `${line}: ${detail}` });
    }
    return { kind: 'record', line, record };
  } catch (error) {
    if (!(error instanceof RowRejection)) throw error;
    const raw = Object.fromEntries(header.names.map((name, i) => [name, fields[i] ?? '']));
    return { kind: 'rejected', line, raw, reason: error.message };
  }
}
