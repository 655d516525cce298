import { ReadRecord } from '../../access/audit/read-record';
import type { RecordAudit } from './registry-records';

/**
 * An export's COPY stream (ExportSnapshot.copyPage) cut into pages of whole lines, each with what
 * the read audit records of it, read from the same bytes the client is sent: every line of the
 * stream is `<key>\x02<firm>\x02<record>\n`, the record's key and the firm it reveals as JSON text
 * (`to_json`; the firm's field empty when none is known or the record masks it), then the record's
 * JSON as the client may see it. A page holds only the records' JSON, one line each: the key and
 * firm are peeled off here. JSON text holds no raw control character, so neither \x02 nor a newline
 * occurs inside a field, and CSV never quotes one (its quote is \x01): each line is found by bytes,
 * and a multi-byte character is never cut (no UTF-8 sequence holds a byte below 0x80).
 *
 * The route sends a page only once its audit entry is committed, so a page is what the export holds
 * in memory: `limits` bound it by lines and by bytes, whichever comes first (EXPORT_PAGE_LINES and
 * EXPORT_PAGE_BYTES in registry-ndjson.http.ts).
 */
export interface ExportPage {
  /** The records' JSON, whole lines, in order; each part with its lines and the key of its last. */
  parts: { bytes: Buffer; lines: number; lastKey: string }[];
  lines: number;
  bytes: number;
  firstKey: string;
  lastKey: string;
  /** What the page reveals, for the read audit: the firms, the records of no known firm (`Type:key`), the groups. Empty without an audit. */
  read: ReadRecord;
}

const DELIMITER = 0x02;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A JSON string's value from its text in `buf[start, end)`, quotes included; null for an empty field (SQL NULL). */
function stringAt(buf: Buffer, start: number, end: number): string | null {
  if (start === end) return null;
  if (end - start < 2 || buf[start] !== QUOTE || buf[end - 1] !== QUOTE) throw new Error('export line: a key or firm field is not JSON text');
  let escaped = false;
  for (let i = start + 1; i < end - 1; i += 1) {
    const byte = buf[i];
    if (byte === NEWLINE) throw new Error('export line: a key or firm field is not JSON text');
    if (byte === BACKSLASH) escaped = true;
  }
  return escaped ? (JSON.parse(buf.toString('utf8', start, end)) as string) : buf.toString('utf8', start + 1, end - 1);
}

export class ExportPager {
  private page: ExportPage | null = null;
  /** A line begun in an earlier network chunk, waiting for its end. */
  private rest: Buffer | null = null;
  /** The output of the network chunk being read: records' JSON, copied from it. */
  private out: Buffer = Buffer.alloc(0);
  private outEnd = 0;
  /** Where the current page's part starts in `out`. */
  private partStart = 0;
  private partLines = 0;
  private lastKey = '';
  /** Lines read so far. */
  lines = 0;

  constructor(
    private readonly limits: { lines: number; bytes: number },
    /** How the read audit names the records; null to gather nothing (no firm data, or AUDIT=off). */
    private readonly audit: RecordAudit | null,
  ) {}

  /** Reads a network chunk of the stream; returns the pages it filled (whole lines; the last one read stays open). */
  push(data: Buffer): ExportPage[] {
    const full: ExportPage[] = [];
    let from = 0;
    if (this.rest) {
      const newline = data.indexOf(NEWLINE);
      if (newline < 0) {
        this.rest = Buffer.concat([this.rest, data]);
        return full;
      }
      // The line that spans network chunks, on its own: the rest of the chunk is read where it is.
      const line = Buffer.concat([this.rest, data.subarray(0, newline + 1)]);
      this.rest = null;
      this.startOutput(line.length);
      if (this.read(line, 0, full) !== line.length) throw new Error('export line: not key, firm and record');
      this.endPart();
      from = newline + 1;
    }
    this.startOutput(data.length - from);
    const end = this.read(data, from, full);
    this.endPart();
    if (end < data.length) this.rest = data.subarray(end);
    return full;
  }

  /** Closes the page being filled (null when it holds no line), e.g. at the end of a COPY chunk. */
  take(): ExportPage | null {
    const page = this.page;
    this.page = null;
    return page;
  }

  /** The stream ended: the last page (null when none); throws if it ended inside a line. */
  end(): ExportPage | null {
    if (this.rest) throw new Error('export stream ended inside a line');
    return this.take();
  }

  private startOutput(length: number): void {
    this.out = Buffer.allocUnsafe(length);
    this.outEnd = 0;
    this.partStart = 0;
    this.partLines = 0;
  }

  /** Reads whole lines of `buf` from `pos` into the pages; returns where the first incomplete line starts. */
  private read(buf: Buffer, pos: number, full: ExportPage[]): number {
    for (;;) {
      const keyEnd = buf.indexOf(DELIMITER, pos);
      if (keyEnd < 0) return pos;
      const firmEnd = buf.indexOf(DELIMITER, keyEnd + 1);
      if (firmEnd < 0) return pos;
      const newline = buf.indexOf(NEWLINE, firmEnd + 1);
      if (newline < 0) return pos;
      const key = stringAt(buf, pos, keyEnd);
      if (key === null) throw new Error('export line: no key');
      const page = (this.page ??= { parts: [], lines: 0, bytes: 0, firstKey: key, lastKey: key, read: new ReadRecord() });
      if (this.audit) {
        const firm = stringAt(buf, keyEnd + 1, firmEnd);
        if (firm !== null) page.read.juristicIds.add(firm);
        else page.read.entities.add(`${this.audit.typeName}:${key}`);
      }
      const length = newline - firmEnd;
      buf.copy(this.out, this.outEnd, firmEnd + 1, newline + 1);
      this.outEnd += length;
      this.partLines += 1;
      this.lines += 1;
      this.lastKey = key;
      page.lines += 1;
      page.bytes += length;
      page.lastKey = key;
      pos = newline + 1;
      if (page.lines >= this.limits.lines || page.bytes >= this.limits.bytes) {
        this.endPart();
        full.push(this.take()!);
      }
    }
  }

  /** Moves the lines read since the last part into the open page. */
  private endPart(): void {
    if (this.partLines === 0) return;
    const page = this.page!;
    page.parts.push({ bytes: this.out.subarray(this.partStart, this.outEnd), lines: this.partLines, lastKey: this.lastKey });
    if (this.audit) for (const group of this.audit.groups) page.read.groups.add(group);
    this.partStart = this.outEnd;
    this.partLines = 0;
  }
}
