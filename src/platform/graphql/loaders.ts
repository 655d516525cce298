import DataLoader from 'dataloader';
import { type Connection, encodeCursor, type PageInfo, withTotalCount } from './connection';

/**
 * The DataLoaders of one request. Each relation declares its loader once with `requestLoader`; the
 * first resolver that needs it in a request creates it, so every relation level costs one SQL
 * statement however many parents the page holds, and nothing is cached across requests.
 */
export class RequestLoaders {
  private readonly loaders = new Map<symbol, unknown>();

  get<L>(key: symbol, create: () => L): L {
    let loader = this.loaders.get(key) as L | undefined;
    if (loader === undefined) {
      loader = create();
      this.loaders.set(key, loader);
    }
    return loader;
  }
}

/**
 * Most parents one statement reads for (issue 14): a relation level of 10,000 parents became one
 * 10 MB statement that PostgreSQL refused ("stack depth limit exceeded"). A batch is read in
 * chunks, one after another, so a request also holds one pool connection at a time per loader.
 */
export const MAX_KEYS_PER_STATEMENT = 1000;
/** Pages of lists below parents (each a subquery of a UNION ALL) per statement: a page of parents (at most 100) still reads its lists in one. */
export const MAX_PAGES_PER_STATEMENT = 100;

/** `fetch` over `keys` in chunks of `size`, one chunk after another; the results concatenated. */
export async function inChunks<K, R>(keys: readonly K[], size: number, fetch: (chunk: K[]) => Promise<R[]>): Promise<R[]> {
  if (keys.length <= size) return fetch([...keys]);
  const results: R[] = [];
  for (let start = 0; start < keys.length; start += size) results.push(...(await fetch(keys.slice(start, start + size))));
  return results;
}

/**
 * A batch of page requests (the companies of every province on a page), each distinct request read
 * once however many parents ask it, in statements of at most MAX_PAGES_PER_STATEMENT pages.
 */
export async function distinctInChunks<K, R>(requests: readonly K[], fetch: (chunk: K[]) => Promise<R[]>): Promise<R[]> {
  const keyOf = (request: K): string => JSON.stringify(request);
  const distinct = new Map<string, K>();
  for (const request of requests) if (!distinct.has(keyOf(request))) distinct.set(keyOf(request), request);
  const unique = [...distinct.values()];
  const answers = await inChunks(unique, MAX_PAGES_PER_STATEMENT, fetch);
  const byKey = new Map(unique.map((request, index) => [keyOf(request), answers[index]!]));
  return requests.map((request) => byKey.get(keyOf(request))!);
}

/** What a loader needs of a request's context: its loaders (the domains' context has more, typed by them). */
export interface LoaderContext {
  loaders: RequestLoaders;
}

/** Declares a per-request loader: `const byId = requestLoader('companyById', (ctx) => new DataLoader(...))`. */
export function requestLoader<L, C extends LoaderContext>(name: string, create: (ctx: C) => L): (ctx: C) => L {
  const key = Symbol(name);
  return (ctx) => ctx.loaders.get(key, () => create(ctx));
}

/** A loader of records by key: `fetch` returns the rows found, in any order; missing keys load as undefined. */
export function keyedLoader<T, C extends LoaderContext>(
  name: string,
  keyOf: (row: T) => string,
  fetch: (ctx: C, keys: string[]) => Promise<T[]>,
): (ctx: C) => DataLoader<string, T | undefined> {
  return requestLoader(name, (ctx: C) =>
    new DataLoader<string, T | undefined>(async (keys) => {
      const rows = await inChunks(keys, MAX_KEYS_PER_STATEMENT, (chunk) => fetch(ctx, chunk));
      const byKey = new Map(rows.map((row) => [keyOf(row), row]));
      return keys.map((key) => byKey.get(key));
    }),
  );
}

/** A loader of short lists per parent (a company's financial statements): one statement for all parents. */
export function groupedLoader<T, C extends LoaderContext>(
  name: string,
  parentOf: (row: T) => string,
  fetch: (ctx: C, parents: string[]) => Promise<T[]>,
): (ctx: C) => DataLoader<string, T[]> {
  return requestLoader(name, (ctx: C) =>
    new DataLoader<string, T[]>(async (parents) => {
      const groups = new Map<string, T[]>(parents.map((parent) => [parent, []]));
      for (const row of await inChunks(parents, MAX_KEYS_PER_STATEMENT, (chunk) => fetch(ctx, chunk))) groups.get(parentOf(row))?.push(row);
      return parents.map((parent) => groups.get(parent) ?? []);
    }),
  );
}

interface ChildPageKey {
  parent: string;
  limit: number;
  after: string | undefined;
}

/**
 * Relay connections below each parent of a page (a company's factories), batched: parents asking for
 * the same page (`first`, `after`) share one statement, which `fetchPages` answers with a LATERAL
 * join; `totalCount` is one grouped count for all parents, run only when asked for.
 */
export function childConnections<T, C extends LoaderContext>(options: {
  name: string;
  /** Cursor tag, as for root lists. */
  kind: string;
  parentOf: (row: T) => string;
  cursorOf: (row: T) => string;
  /** Up to `limit` rows per parent, ordered by the cursor key, after `after` when given. */
  fetchPages: (ctx: C, parents: string[], after: string | undefined, limit: number) => Promise<T[]>;
  /** Row counts per parent (parents without rows may be left out). */
  countByParent: (ctx: C, parents: string[]) => Promise<Map<string, number>>;
  /**
   * The pages of `fetchPages` and, in the same statement, the count `countByParent` gives of each
   * parent with a non-empty page. When a request asks a parent's page and its totalCount at once
   * (a company profile's factories), this is one statement instead of two.
   */
  fetchPagesCounted?: (ctx: C, parents: string[], after: string | undefined, limit: number) => Promise<{ rows: T[]; counts: Map<string, number> }>;
}): (ctx: C, parent: string, size: number, after: string | undefined) => Connection<T> {
  /**
   * What the page and count loaders of one request tell each other: the parents whose count was
   * asked, the parents with a page asked and not yet read, and each count a page statement brought
   * (undefined: not known from the page, count it). Both loaders dispatch after the fields of one
   * selection set have all been asked, so a count asked beside its page finds the page pending.
   */
  const shared = requestLoader(`${options.name}.shared`, () => ({
    countAsked: new Set<string>(),
    pageKeysAsked: new Set<string>(),
    pagesPending: new Map<string, number>(),
    fromPages: new Map<string, { promise: Promise<number | undefined>; settle: (count: number | undefined) => void; settled: boolean }>(),
  }));
  type Shared = ReturnType<typeof shared>;
  const fromPage = (state: Shared, parent: string) => {
    let entry = state.fromPages.get(parent);
    if (!entry) {
      let settle!: (count: number | undefined) => void;
      const promise = new Promise<number | undefined>((resolve) => (settle = resolve));
      const created = { promise, settled: false, settle: (count: number | undefined) => {
        if (created.settled) return;
        created.settled = true;
        settle(count);
      } };
      state.fromPages.set(parent, (entry = created));
    }
    return entry;
  };
  /** One chunk of a page shape's parents: with their counts when some of them were asked and the domain can. */
  const fetchChunk = async (ctx: C, parents: string[], after: string | undefined, limit: number): Promise<T[]> => {
    const state = shared(ctx);
    const wanted = options.fetchPagesCounted ? parents.filter((parent) => state.countAsked.has(parent) && !state.fromPages.get(parent)?.settled) : [];
    if (wanted.length === 0 || !options.fetchPagesCounted) return options.fetchPages(ctx, parents, after, limit);
    try {
      const { rows, counts } = await options.fetchPagesCounted(ctx, parents, after, limit);
      // An empty first page means no rows at all; an empty page after a cursor says nothing of the count.
      for (const parent of wanted) fromPage(state, parent).settle(counts.get(parent) ?? (after === undefined ? 0 : undefined));
      return rows;
    } catch (error) {
      // The count is then read by its own statement, as without this.
      for (const parent of wanted) fromPage(state, parent).settle(undefined);
      throw error;
    }
  };
  const pages = requestLoader(`${options.name}.pages`, (ctx: C) =>
    new DataLoader<ChildPageKey, T[], string>(
      async (keys) => {
        const state = shared(ctx);
        for (const key of keys) {
          const left = (state.pagesPending.get(key.parent) ?? 1) - 1;
          if (left > 0) state.pagesPending.set(key.parent, left);
          else state.pagesPending.delete(key.parent);
        }
        const byPage = new Map<string, ChildPageKey[]>();
        for (const key of keys) {
          const pageKey = `${key.limit}|${key.after ?? ''}`;
          (byPage.get(pageKey) ?? byPage.set(pageKey, []).get(pageKey)!).push(key);
        }
        const rowsByParent = new Map<string, T[]>();
        try {
          // One page shape after another, each in chunks of parents: one connection at a time.
          for (const group of byPage.values()) {
            const { limit, after } = group[0]!;
            const rows = await inChunks(group.map((k) => k.parent), MAX_KEYS_PER_STATEMENT, (parents) => fetchChunk(ctx, parents, after, limit));
            for (const row of rows) {
              const parent = `${options.parentOf(row)}|${limit}|${after ?? ''}`;
              (rowsByParent.get(parent) ?? rowsByParent.set(parent, []).get(parent)!).push(row);
            }
          }
        } finally {
          // A count waiting for a page this batch did not read (a statement failed first) is counted on its own.
          for (const key of keys) state.fromPages.get(key.parent)?.settle(undefined);
        }
        return keys.map((key) => rowsByParent.get(`${key.parent}|${key.limit}|${key.after ?? ''}`) ?? []);
      },
      { cacheKeyFn: (key) => `${key.parent}|${key.limit}|${key.after ?? ''}` },
    ),
  );
  const counts = requestLoader(`${options.name}.counts`, (ctx: C) =>
    new DataLoader<string, number>(async (parents) => {
      const state = shared(ctx);
      // Parents whose page is being read with this request's counts wait for it; the rest are counted here.
      const known = new Map<string, number>();
      await Promise.all(
        parents.map(async (parent) => {
          const entry = state.fromPages.get(parent) ?? (options.fetchPagesCounted && state.pagesPending.has(parent) ? fromPage(state, parent) : undefined);
          if (!entry) return;
          const count = await entry.promise;
          if (count !== undefined) known.set(parent, count);
        }),
      );
      const rest = parents.filter((parent) => !known.has(parent));
      const counts = rest.length === 0 ? [] : await inChunks(rest, MAX_KEYS_PER_STATEMENT, async (chunk) => [await options.countByParent(ctx, chunk)]);
      const byParent = new Map([...known, ...counts.flatMap((map) => [...map])]);
      return parents.map((parent) => byParent.get(parent) ?? 0);
    }),
  );
  return (ctx, parent, size, after) => {
    // Loaded on first use: a client asking only for totalCount costs no page query.
    let rows: Promise<T[]> | undefined;
    const load = (): Promise<T[]> => {
      if (rows) return rows;
      const state = shared(ctx);
      const key = `${parent}|${size + 1}|${after ?? ''}`;
      // A key the loader has already read or queued is answered from its cache: no page pending.
      if (!state.pageKeysAsked.has(key)) {
        state.pageKeysAsked.add(key);
        state.pagesPending.set(parent, (state.pagesPending.get(parent) ?? 0) + 1);
      }
      return (rows = pages(ctx).load({ parent, limit: size + 1, after }));
    };
    const edges = (): Promise<Connection<T>['edges']> =>
      load().then((all) => all.slice(0, size).map((node) => ({ cursor: encodeCursor(options.kind, options.cursorOf(node)), node })));
    const page = {
      // GraphQL resolves promise-valued properties, so these getters hand it promises.
      get edges() {
        return edges() as unknown as Connection<T>['edges'];
      },
      get pageInfo() {
        return Promise.all([load(), edges()]).then(
          ([all, list]): PageInfo => ({
            hasNextPage: all.length > size,
            hasPreviousPage: false,
            startCursor: list[0]?.cursor ?? null,
            endCursor: list.at(-1)?.cursor ?? null,
          }),
        ) as unknown as PageInfo;
      },
    };
    return withTotalCount(page, () => {
      shared(ctx).countAsked.add(parent);
      return counts(ctx).load(parent);
    });
  };
}
