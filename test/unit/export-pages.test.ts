import { ExportPager, type ExportPage } from '../../src/domains/registry-changes/export-pages';
import type { RecordAudit } from '../../src/domains/registry-changes/registry-records';

/**
 * An export's COPY lines (`<key>\x02<firm>\x02<record>\n`, key and firm as JSON text) cut into
 * pages: the client gets exactly the records' JSON, whole lines, and each page's audit names
 * exactly its records, wherever the network cuts the stream (inside a line, a delimiter, a Thai
 * character), with keys that need JSON unescaping.
 */
describe('export pages', () => {
  const audit: RecordAudit = { typeName: 'TisLicense', juristicId: 'r.company_juristic_id', groups: ['identity'] };
  const records = [
    { key: 'มอก.1-2550/1', firm: '0105536112014', json: '{"licenceNo":"มอก.1-2550/1","licenseeName":"บริษัท ก จำกัด"}' },
    { key: 'a "quoted"\\ key', firm: null, json: '{"licenceNo":"a \\"quoted\\"\\\\ key","licenseeMasked":true}' },
    { key: 'plain-3', firm: '0105536112014', json: '{"licenceNo":"plain-3","note":"line\\nbreak \\u0002"}' },
    { key: 'ข-4', firm: '0994000165501', json: '{"licenceNo":"ข-4"}' },
    { key: 'x-5', firm: null, json: '{"licenceNo":"x-5"}' },
  ];
  const copyLine = (r: (typeof records)[number]): string => `${JSON.stringify(r.key)}\x02${r.firm === null ? '' : JSON.stringify(r.firm)}\x02${r.json}\n`;
  const stream = Buffer.from(records.map(copyLine).join(''), 'utf8');
  const sent = records.map((r) => `${r.json}\n`).join('');

  function run(chunks: Buffer[], limits: { lines: number; bytes: number }, withAudit: RecordAudit | null = audit): ExportPage[] {
    const pager = new ExportPager(limits, withAudit);
    const pages: ExportPage[] = [];
    for (const chunk of chunks) pages.push(...pager.push(chunk));
    const last = pager.end();
    if (last) pages.push(last);
    return pages;
  }
  const text = (pages: ExportPage[]): string => Buffer.concat(pages.flatMap((p) => p.parts.map((part) => part.bytes))).toString('utf8');

  test('the client gets the records’ JSON only, whole lines, wherever the network cuts the stream', () => {
    const wrong: unknown[] = [];
    for (let cut = 0; cut <= stream.length; cut += 1) {
      for (const size of [1, 3, 64]) {
        const chunks = [stream.subarray(0, cut)];
        for (let at = cut; at < stream.length; at += size) chunks.push(stream.subarray(at, Math.min(stream.length, at + size)));
        const pages = run(chunks, { lines: 2, bytes: 1 << 20 });
        const got = {
          text: text(pages),
          pages: pages.map((p) => [p.firstKey, p.lastKey, p.lines, p.parts.reduce((n, part) => n + part.lines, 0), p.parts.at(-1)!.lastKey]),
          wholeParts: pages.every((p) => p.parts.every((part) => part.bytes.at(-1) === 10)),
        };
        const expected = {
          text: sent,
          pages: [
            [records[0]!.key, records[1]!.key, 2, 2, records[1]!.key],
            [records[2]!.key, records[3]!.key, 2, 2, records[3]!.key],
            [records[4]!.key, records[4]!.key, 1, 1, records[4]!.key],
          ],
          wholeParts: true,
        };
        if (JSON.stringify(got) !== JSON.stringify(expected)) wrong.push({ cut, size, got });
      }
    }
    expect(wrong).toEqual([]);
  });

  test('each page’s audit names its firms, and its records of no known firm by key; nothing without an audit', () => {
    const pages = run([stream], { lines: 2, bytes: 1 << 20 });
    expect(pages.map((p) => [[...p.read.juristicIds], [...p.read.entities], [...p.read.groups]])).toEqual([
      [['0105536112014'], ['TisLicense:a "quoted"\\ key'], ['identity']],
      [['0105536112014', '0994000165501'], [], ['identity']],
      [[], ['TisLicense:x-5'], ['identity']],
    ]);
    const unaudited = run([stream], { lines: 2, bytes: 1 << 20 }, null);
    expect(text(unaudited)).toBe(sent);
    for (const page of unaudited) expect(page.read.empty).toBe(true);
  });

  test('a page ends at its line limit or at the line that reaches its byte limit', () => {
    expect(run([stream], { lines: 10, bytes: 1 << 20 }).map((p) => p.lines)).toEqual([5]);
    expect(run([stream], { lines: 10, bytes: 1 }).map((p) => p.lines)).toEqual([1, 1, 1, 1, 1]);
    const firstTwo = Buffer.byteLength(`${records[0]!.json}\n${records[1]!.json}\n`);
    expect(run([stream], { lines: 10, bytes: firstTwo }).map((p) => p.lines)).toEqual([2, 3]);
    // take() closes the page being filled: the route sends each network chunk so when nothing is audited.
    const pager = new ExportPager({ lines: 10, bytes: 1 << 20 }, null);
    expect(pager.push(stream.subarray(0, 30))).toEqual([]);
    expect(pager.take()).toBeNull();
    expect(pager.push(stream.subarray(30))).toEqual([]);
    expect(pager.take()!.lines).toBe(5);
  });

  test('a stream that ends inside a line, or a line that is not key, firm and record, is an error, not a short page', () => {
    expect(() => run([stream.subarray(0, stream.length - 1)], { lines: 2, bytes: 1 << 20 })).toThrow(/inside a line/);
    expect(() => run([Buffer.from('{"licenceNo":"x"}\n"k"\x02\x02{}\n')], { lines: 2, bytes: 1 << 20 })).toThrow(/not JSON text/);
    expect(() => run([Buffer.from('k\x02"0105536112014"\x02{}\n')], { lines: 2, bytes: 1 << 20 })).toThrow(/not JSON text/);
  });
});
