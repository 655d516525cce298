import http from 'node:http';
import iconv from 'iconv-lite';
import { FeedFormatError } from '../../src/ingestion/feed';
import { diwGroundTruth, startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/simulator';
import { isValidJuristicId } from '../../src/simulator/world/juristic-id';
import { factoryAt, factoryCount, firmAt } from '../../src/simulator/world/world';
import { parseDiwFactories } from '../../src/sources/diw/diw.parser';

const OPEN_DATA_HEADER =
  'FACREG,DISPFACREG,FID,FACTYPE,FNAME,ONAME,OBJECT,FADDR,FMOO,FSOI,FROAD,FTUMNAME,FAMPNAME,FPROVNAME,TOTAL_CAP,TOTAL_WORKER,HP,LAT,LNG,ISIC_CODE,ESTATE,ESTATE_NAME_TH,LAST_UPDATE';

const OPTIONS: SimulatorOptions = { seed: 20191, scale: 1500, quirkRate: 0.2, badRowRate: 0.03 }; // 300 factories

let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startSimulator({ ...OPTIONS, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await simulator.close();
});

async function body(path: string): Promise<string> {
  const response = await fetch(`${simulator.url}${path}`);
  expect(response.status).toBe(200);
  return response.text();
}

function dataLines(csv: string): string[] {
  return csv.split('\r\n').slice(1, -1);
}

/** The feed as a Node stream, the way the ingestion engine hands it to the parser. */
function download(path: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(`${simulator.url}${path}`, resolve).on('error', reject));
}

async function parseFeed(path: string): Promise<{ records: number; rejected: string[]; warnings: string[] }> {
  const context = { warnings: [] as string[] };
  let records = 0;
  const rejected: string[] = [];
  for await (const row of parseDiwFactories(await download(path), context)) {
    if (row.kind === 'record') records++;
    else rejected.push(row.reason);
  }
  return { records, rejected, warnings: context.warnings };
}

describe('agency simulator', () => {
  it('listens on the port it was given (0: any free port) and reports its real URL', async () => {
    expect(simulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(simulator.url).not.toMatch(/:0$/);
    await expect(fetch(`${simulator.url}/healthz`).then((r) => r.json())).resolves.toEqual({ status: 'ok' });
  });

  it('answers unknown routes with 404 and bad queries with 400, in JSON', async () => {
    const missing = await fetch(`${simulator.url}/dbd/companies.csv`);
    expect(missing.status).toBe(404);
    await expect(missing.json()).resolves.toEqual({ error: 'not found', path: '/dbd/companies.csv' });
    const bad = await fetch(`${simulator.url}/diw/factories.csv?scale=many`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/json/);
  });

  describe('DIW factory CSV', () => {
    it('has the real header plus FFLAG and TRADE, as UTF-8 CSV', async () => {
      const response = await fetch(`${simulator.url}/diw/factories.csv?scale=3`);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const [header] = (await response.text()).split('\r\n');
      expect(header).toBe(`${OPEN_DATA_HEADER},FFLAG,TRADE`);
    });

    it('serves only the 23 open-data columns with columns=opendata', async () => {
      const csv = await body('/diw/factories.csv?scale=3&columns=opendata');
      expect(csv.split('\r\n')[0]).toBe(OPEN_DATA_HEADER);
    });

    it('serves one factory per five firms, the same bytes for the same seed and other rows for another seed', async () => {
      const first = await body('/diw/factories.csv?scale=200');
      expect(dataLines(first)).toHaveLength(40);
      expect(await body('/diw/factories.csv?scale=200')).toBe(first);
      const other = await body('/diw/factories.csv?scale=200&seed=20192');
      expect(other).not.toBe(first);
      expect(dataLines(other)).toHaveLength(40);
    });

    it('makes row i a function of the seed and i only, whatever the scale', async () => {
      const small = dataLines(await body('/diw/factories.csv?scale=50'));
      const large = dataLines(await body('/diw/factories.csv?scale=125'));
      expect(large.slice(0, 10)).toEqual(small);
      expect(factoryAt(OPTIONS.seed, 7)).toEqual(factoryAt(OPTIONS.seed, 7));
    });

    it('gives every firm a unique juristic ID with a valid check digit, and a unique name', () => {
      expect(isValidJuristicId('0105536112014')).toBe(true); // the example in the domain brief
      expect(isValidJuristicId('0105536112015')).toBe(false);
      const firms = Array.from({ length: 20_000 }, (_, i) => firmAt(OPTIONS.seed, i));
      expect(firms.filter((firm) => !isValidJuristicId(firm.juristicId) || !firm.juristicId.startsWith('0'))).toEqual([]);
      expect(new Set(firms.map((firm) => firm.juristicId)).size).toBe(firms.length);
      expect(new Set(firms.map((firm) => firm.nameTh)).size).toBe(firms.length);
    });

    it('links factories to their firm by TRADE for most rows, leaving some to be linked by name', async () => {
      const csv = await body('/diw/factories.csv?scale=1500&quirkRate=0&badRowRate=0');
      const trades = dataLines(csv).map((line) => line.split(',').at(-1)!);
      const present = trades.filter((trade) => trade !== '');
      expect(present.every(isValidJuristicId)).toBe(true);
      expect(present.length).toBeGreaterThan(200);
      expect(present.length).toBeLessThan(300);
      const fids = dataLines(csv).map((line) => line.split(',')[2]);
      expect(fids.every((fid) => /^\d{14}$/.test(fid!))).toBe(true);
      expect(new Set(fids).size).toBe(300);
    });

    it('injects every kind of quirk when quirkRate is 1', async () => {
      const csv = await body('/diw/factories.csv?scale=1000&quirkRate=1&badRowRate=0');
      expect(csv).toMatch(/,=" {2}\d{14}",/); // Excel-quoted FID
      expect(csv).toMatch(/,\d - \d+ - \d+ \/ \d\d,/); // spaces inside the display number
      expect(csv).toMatch(/,-,/); // "-" for empty
      expect(csv).toMatch(/,(0,0|1,1),/); // unknown coordinates
      expect(csv).toContain('\u0E4D\u0E32'); // decomposed sara am
      expect(csv).toMatch(/,[๐-๙]{2}\/[๐-๙]{2}\/[๐-๙]{4},/); // Buddhist Era date in Thai digits
      expect(csv).toMatch(/,"\d{1,3}(,\d{3})+\.\d\d",/); // thousands separators
    });

    it('reports the exact number of bad rows, also over HTTP', async () => {
      const truth = diwGroundTruth(OPTIONS);
      expect(truth.total).toBe(factoryCount(OPTIONS.scale));
      expect(truth.badRows).toBeGreaterThan(0);
      expect(truth.validRows).toBe(truth.total - truth.badRows);
      await expect(fetch(`${simulator.url}/diw/factories.stats.json`).then((r) => r.json())).resolves.toEqual(truth);
      expect(diwGroundTruth({ ...OPTIONS, badRowRate: 0 }).badRows).toBe(0);
    });

    it.each([
      ['', OPTIONS],
      ['?quirkRate=1&badRowRate=0.1&seed=5&bom=1', { ...OPTIONS, quirkRate: 1, badRowRate: 0.1, seed: 5 }],
      ['?encoding=tis-620&columns=opendata&scale=600', { ...OPTIONS, scale: 600 }],
    ])('loads through the hub parser with exactly the bad rows rejected (%s)', async (query, options) => {
      const truth = diwGroundTruth(options);
      const { records, rejected } = await parseFeed(`/diw/factories.csv${query}`);
      expect(records).toBe(factoryCount(options.scale) - truth.badRows);
      expect(rejected).toHaveLength(truth.badRows);
      for (const reason of rejected) expect(reason).toMatch(/^FID must be 14 digits, got "/);
    });

    it('encodes as TIS-620 (Windows-874) on request', async () => {
      const response = await fetch(`${simulator.url}/diw/factories.csv?scale=20&encoding=tis-620`);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=windows-874');
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(iconv.decode(bytes, 'win874')).toBe(await body('/diw/factories.csv?scale=20'));
    });

    it('starts with a byte order mark with bom=1', async () => {
      const response = await fetch(`${simulator.url}/diw/factories.csv?scale=2&bom=1`);
      expect([...Buffer.from(await response.arrayBuffer()).subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, 'F'.charCodeAt(0)]);
    });
  });

  describe('faults', () => {
    it('fault=http500 answers 500 with a JSON error', async () => {
      const response = await fetch(`${simulator.url}/diw/factories.csv?fault=http500`);
      expect(response.status).toBe(500);
      await expect(response.json()).resolves.toMatchObject({ error: 'internal server error' });
    });

    it('fault=html answers 200 with an HTML maintenance page, which the parser refuses', async () => {
      const response = await fetch(`${simulator.url}/diw/factories.csv?fault=html`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toMatch(/^<!DOCTYPE html>/);
      await expect(parseFeed('/diw/factories.csv?fault=html')).rejects.toThrow(FeedFormatError);
    });

    it('fault=truncate drops the connection in the middle of a row', async () => {
      const response = await fetch(`${simulator.url}/diw/factories.csv?fault=truncate&scale=10000`);
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
      const failure = await parseFeed('/diw/factories.csv?fault=truncate&scale=10000').catch((error: unknown) => error);
      // A transport error from Node (another realm than Jest's Error), not a FeedFormatError: worth a retry.
      expect(failure).toMatchObject({ message: expect.stringMatching(/aborted|reset|premature/i) });
      expect(failure).not.toBeInstanceOf(FeedFormatError);
    });

    it('fault=missing-column drops FNAME, fault=renamed-column renames FPROVNAME to PROVINCE', async () => {
      const missing = (await body('/diw/factories.csv?scale=2&fault=missing-column')).split('\r\n')[0]!.split(',');
      expect(missing).not.toContain('FNAME');
      expect(missing).toHaveLength(24);
      await expect(parseFeed('/diw/factories.csv?fault=missing-column')).rejects.toThrow('DIW feed is missing required column(s): FNAME');
      const renamed = (await body('/diw/factories.csv?scale=2&fault=renamed-column')).split('\r\n')[0]!.split(',');
      expect(renamed[13]).toBe('PROVINCE');
      // PROVINCE is a name other DIW feeds use: the feed loads, with a warning.
      const loaded = await parseFeed('/diw/factories.csv?fault=renamed-column');
      expect(loaded.warnings).toEqual(['column(s) read under another name: PROVINCE as FPROVNAME']);
    });

    it('fault=slow waits delayMs before answering', async () => {
      const started = Date.now();
      const csv = await body('/diw/factories.csv?scale=1&fault=slow&delayMs=300');
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(dataLines(csv)).toHaveLength(1);
    });
  });
});
