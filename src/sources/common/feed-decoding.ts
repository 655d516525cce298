import iconv from 'iconv-lite';
import { FeedFormatError, type ParseContext } from '../../ingestion/feed';

/**
 * Reading a CSV feed's bytes as text, shared by every CSV source: Thai government files come in
 * UTF-8 (with or without BOM) or, older ones, in TIS-620/Windows-874, and portals answer HTML with
 * status 200 when a file is unavailable.
 */

/** Bytes sniffed to choose the encoding; an all-ASCII start is sniffed further, up to the maximum. */
const SNIFF_BYTES = 64 * 1024;
const SNIFF_BYTES_MAX = 1024 * 1024;

export function trimLineBreaks(text: string): string {
  return text.replace(/^[\r\n]+|[\r\n]+$/g, '');
}

/** csv-parse reports the line a record ends on; a quoted field may span several lines. */
export function startLine(endLine: number, rawRecord: string): number {
  return endLine - (rawRecord.match(/\r\n|\r|\n/g)?.length ?? 0);
}

/**
 * Decodes the byte stream to text: UTF-8 (with or without BOM) or, when the first bytes are not
 * UTF-8, Windows-874 (a superset of TIS-620). Refuses HTML, which portals serve with status 200
 * when the file is unavailable.
 */
export async function* decodeFeed(source: AsyncIterable<Buffer | string>, context: ParseContext, name: string): AsyncGenerator<string> {
  let decoder: iconv.DecoderStream | undefined;
  let head: Buffer[] = [];
  let headBytes = 0;
  let sawText = false;

  const emit = (text: string): string => {
    if (!sawText) {
      const start = text.replace(/^[\s\uFEFF]+/, '');
      if (start.startsWith('<')) throw new FeedFormatError(`${name} is an HTML page, not CSV (the portal may be down or the URL wrong)`);
      sawText = start.length > 0;
    }
    return text;
  };

  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (decoder) {
      yield emit(decoder.write(bytes));
      continue;
    }
    head.push(bytes);
    headBytes += bytes.length;
    if (headBytes < SNIFF_BYTES || (headBytes < SNIFF_BYTES_MAX && isAscii(head))) continue;
    const sniffed = Buffer.concat(head);
    head = [];
    decoder = openDecoder(sniffed, false, context);
    yield emit(decoder.write(sniffed));
  }
  if (!decoder) {
    const sniffed = Buffer.concat(head);
    decoder = openDecoder(sniffed, true, context);
    yield emit(decoder.write(sniffed));
  }
  const rest = decoder.end();
  if (rest) yield emit(rest);
}

function openDecoder(head: Buffer, complete: boolean, context: ParseContext): iconv.DecoderStream {
  if (isUtf8(head, complete)) return iconv.getDecoder('utf8');
  context.warnings.push('feed is not UTF-8: decoded as Windows-874 (TIS-620)');
  return iconv.getDecoder('win874');
}

function isAscii(chunks: Buffer[]): boolean {
  return chunks.every((chunk) => chunk.every((byte) => byte < 0x80));
}

function isUtf8(bytes: Buffer, complete: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}
