import { loadHubConfig } from '../../src/app/config';
import type { SourceRunContext } from '../../src/ingestion/source-definition';
import { dbdCompanySource } from '../../src/sources/dbd/dbd.source';

/** The DBD reader's "listing changed while it was read" warning, on listings that did and did not change. */
describe('DBD paged reader: listing-changed warning', () => {
  async function read(pages: (page: number) => { totalPages: number; items: unknown[] }): Promise<string[]> {
    const context: SourceRunContext = {
      config: loadHubConfig({}),
      feedUrl: 'http://127.0.0.1:4100/dbd/juristic-persons',
      settings: { DBD_PAGE_SIZE: 1000 },
      cursor: '2026-01-01T00:00:00.000Z',
      full: false,
      warnings: [],
      fetchStream: () => Promise.reject(new Error('not used')),
      fetchJson: async <T>(url: string) => {
        const page = Number(new URL(url).searchParams.get('page'));
        return { page, pageSize: 1000, ...pages(page) } as T;
      },
      setCursor: () => undefined,
    };
    for await (const _row of dbdCompanySource.read(context)) {
      // rows are not the point here
    }
    return context.warnings;
  }

  test('an unchanged incremental run over an empty listing (0 pages) warns nothing', async () => {
    expect(await read(() => ({ totalPages: 0, items: [] }))).toEqual([]);
  });

  test('a listing that grew while it was read is still reported', async () => {
    // Page 1 declares 2 pages, page 2 declares 3: the reader follows to page 3 and says so.
    const warnings = await read((page) => ({ totalPages: Math.min(page + 1, 3), items: [] }));
    expect(warnings).toEqual([expect.stringMatching(/listing changed while it was read \(2 pages at first, 3 in the end\)/)]);
  });
});
