/**
 * Reads one of DBD's paged JSON listings (`?updatedSince=&page=&pageSize=` answering
 * `{ page, pageSize, totalPages, items }`, ordered by updatedAt) page by page, streaming each item
 * out as a parsed row. Memory stays bounded: the page being handed out, and the next one, fetched
 * while the engine copies the current one. The cursor is the latest `updatedAt` seen, handed to the
 * engine, which saves it only if the run commits.
 *
 * Before a page's items are handed out, they are checked against the listing's declared fields
 * (item-fields.ts): a required field absent from every item of a page of at least
 * MIN_ITEMS_FOR_DRIFT items fails the run as a FeedFormatError naming it (nothing of the run is
 * written, the cursor stays); a field the hub does not know, or an optional one absent from every
 * item of such a page, is a warning on the run, once per field name.
 */
import { FeedFormatError, type ParsedRow } from '../../ingestion/feed';
import type { SourceRunContext } from '../../ingestion/source-definition';
import { itemUpdatedAtMs } from './dbd.mapper';
import { checkItemFields, type ItemFields } from './item-fields';

export interface PagedListing<R> {
  /** For messages: `DBD juristic persons`. */
  title: string;
  /** The listing's URL; its own query parameters are kept. */
  url: string;
  pageSize: number;
  /** The items' top-level fields, as `mapItem` reads them. */
  fields: ItemFields;
  mapItem(item: unknown, line: number): ParsedRow<R>;
}

/** What a page must look like; anything else means the endpoint is not the listing we expect. */
interface Page {
  page: number;
  totalPages: number;
  items: unknown[];
}

/** Stops a listing whose page count never ends (a server that ignores `page`). */
const MAX_PAGES = 1_000_000;

export async function* readPagedListing<R>(listing: PagedListing<R>, context: SourceRunContext): AsyncGenerator<ParsedRow<R>> {
  const since = context.cursor;
  let latest = since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(since);
  const fetchPage = (page: number): Promise<Page> => context.fetchJson<unknown>(pageUrl(listing, page, since)).then((body) => readPage(body, page, listing.title));

  let line = 0;
  let page = 1;
  let firstTotal: number | undefined;
  const warned = new Set<string>();
  let current: Promise<Page> | undefined = fetchPage(page);
  while (current !== undefined) {
    const { totalPages, items }: Page = await current;
    firstTotal ??= totalPages;
    if (totalPages > MAX_PAGES) throw new FeedFormatError(`${listing.title}: ${totalPages} pages is more than the reader accepts (${MAX_PAGES})`);
    checkFields(items, page, listing, context.warnings, warned);
    // Fetch the next page while the engine copies this one; a rejection is handled when awaited.
    current = page < totalPages ? fetchPage(page + 1) : undefined;
    current?.catch(() => undefined);
    for (const item of items) {
      line += 1;
      const updatedAt = itemUpdatedAtMs(item);
      if (updatedAt !== undefined && updatedAt > latest) latest = updatedAt;
      yield listing.mapItem(item, line);
    }
    page += 1;
  }
  // An empty listing declares 0 pages, yet its page 1 is read (and is empty): that is no change.
  if (firstTotal !== undefined && page - 1 !== Math.max(firstTotal, 1)) {
    context.warnings.push(`${listing.title}: the listing changed while it was read (${firstTotal} pages at first, ${page - 1} in the end)`);
  }
  if (Number.isFinite(latest)) context.setCursor(new Date(latest).toISOString());
}

/**
 * Items a page needs before a field absent from all of them counts as drift: on a smaller page (the
 * last page, a quiet day's incremental run) it may be one bad item, and failing would block the source
 * on that page every day until DBD fixed it. Such items are quarantined with their reason instead.
 */
export const MIN_ITEMS_FOR_DRIFT = 5;

/** Fails on a required field absent from every item of the page; warns once per unknown or absent optional field. */
function checkFields(items: readonly unknown[], page: number, listing: PagedListing<unknown>, warnings: string[], warned: Set<string>): void {
  const { missing, absentOptional, unknown, objects } = checkItemFields(items, listing.fields);
  const warn = (names: string[], prefix: string, what: string): void => {
    const fresh = names.filter((name) => !warned.has(prefix + name));
    if (fresh.length === 0) return;
    fresh.forEach((name) => warned.add(prefix + name));
    warnings.push(`${what}: ${fresh.join(', ')}`); // the wording of the other sources' warnings
  };
  // Warn first: a required field's new name is the best clue to what happened, and the failed run keeps it.
  warn(unknown, 'unknown:', 'unknown field(s) ignored');
  if (objects < MIN_ITEMS_FOR_DRIFT) return;
  if (missing.length > 0) {
    throw new FeedFormatError(`${listing.title} page ${page} is missing required field(s): ${missing.join(', ')} (absent from all ${objects} items)`);
  }
  warn(absentOptional, 'absent:', 'optional field(s) absent from every item of a page, read as empty');
}

function pageUrl(listing: PagedListing<unknown>, page: number, since: string | undefined): string {
  const url = new URL(listing.url);
  if (since !== undefined) url.searchParams.set('updatedSince', since);
  url.searchParams.set('page', String(page));
  url.searchParams.set('pageSize', String(listing.pageSize));
  return url.toString();
}

function readPage(body: unknown, requested: number, title: string): Page {
  const where = `${title} page ${requested}`;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FeedFormatError(`${where} is not a JSON object with items`);
  const { page, totalPages, items } = body as Record<string, unknown>;
  if (!Array.isArray(items)) throw new FeedFormatError(`${where} has no "items" list`);
  if (typeof totalPages !== 'number' || !Number.isSafeInteger(totalPages) || totalPages < 0) {
    throw new FeedFormatError(`${where} has no valid "totalPages" (got ${JSON.stringify(totalPages)})`);
  }
  if (page !== undefined && page !== requested) throw new FeedFormatError(`${where}: the server answered page ${JSON.stringify(page)}`);
  if (requested > totalPages && items.length > 0) throw new FeedFormatError(`${where} has items beyond totalPages ${totalPages}`);
  return { page: requested, totalPages, items };
}
