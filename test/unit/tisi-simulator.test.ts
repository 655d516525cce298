import http from 'node:http';
import { FeedFormatError, type ParsedRow } from '../../src/ingestion/feed';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/simulator';
import {
  licenceAt,
  licenceCount,
  licenceFactoryIndex,
  licenseeTaxIdWritten,
  standardCount,
  tisiLicencesGroundTruth,
  tisiStandardsGroundTruth,
} from '../../src/simulator/tisi/tisi.feed';
import { factoryAt, factoryCount } from '../../src/simulator/world/world';
import { normaliseCompanyName } from '../../src/sources/dbd/company-name';
import { parseTisiLicences, parseTisiStandards } from '../../src/sources/tisi/tisi.parser';
import type { TisLicenceRecord, TisStandardRecord } from '../../src/sources/tisi/tisi.record';

const OPTIONS: SimulatorOptions = { seed: 20191, scale: 2000, quirkRate: 0.3, badRowRate: 0.05 }; // 400 factories

let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startSimulator({ ...OPTIONS, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await simulator.close();
});

function download(path: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(`${simulator.url}${path}`, resolve).on('error', reject));
}

async function load<R>(
  parser: (input: http.IncomingMessage, context: { warnings: string[] }) => AsyncGenerator<ParsedRow<R>>,
  path: string,
): Promise<{ records: R[]; rejected: string[]; warnings: string[] }> {
  const context = { warnings: [] as string[] };
  const records: R[] = [];
  const rejected: string[] = [];
  for await (const row of parser(await download(path), context)) {
    if (row.kind === 'record') records.push(row.record);
    else rejected.push(row.reason);
  }
  return { records, rejected, warnings: context.warnings };
}

describe('simulated TISI standards', () => {
  it('serves a few hundred standards with quirks that load and bad rows that are rejected, as its ground truth says', async () => {
    const truth = tisiStandardsGroundTruth(OPTIONS);
    expect(truth.total).toBe(standardCount(OPTIONS.scale));
    expect(truth.total).toBe(250);
    expect(truth.badRows).toBeGreaterThan(0);
    expect(truth.quirkyRows).toBeGreaterThan(50);
    const { records, rejected, warnings } = await load<TisStandardRecord>(parseTisiStandards, '/tisi/standards.csv');
    expect(records).toHaveLength(truth.validRows);
    expect(rejected).toHaveLength(truth.badRows);
    expect(warnings).toEqual([]);
    expect(new Set(records.map((r) => r.tisNo)).size).toBe(records.length);
    expect(records.filter((r) => r.mandatory).length).toBeGreaterThan(30);
    await expect(fetch(`${simulator.url}/tisi/standards.stats.json`).then((r) => r.json())).resolves.toEqual(truth);
  });

  it('serves a prefix of the same rows at a smaller scale', async () => {
    const full = await load<TisStandardRecord>(parseTisiStandards, '/tisi/standards.csv');
    const small = await load<TisStandardRecord>(parseTisiStandards, '/tisi/standards.csv?scale=500');
    expect(small.records.length).toBeLessThan(full.records.length);
    expect(full.records.slice(0, small.records.length)).toEqual(small.records);
  });

  it('fails a missing column by name, and serves TIS-620 on request', async () => {
    await expect(load(parseTisiStandards, '/tisi/standards.csv?fault=missing-column')).rejects.toThrow(
      new FeedFormatError('TISI standards feed is missing required column(s): TIS_NAME_TH'),
    );
    const tis620 = await load<TisStandardRecord>(parseTisiStandards, '/tisi/standards.csv?encoding=tis-620');
    expect(tis620.warnings).toEqual(['feed is not UTF-8: decoded as Windows-874 (TIS-620)']);
    expect(tis620.records).toHaveLength(tisiStandardsGroundTruth(OPTIONS).validRows);
  });
});

describe('simulated TISI licences', () => {
  it('serves about 0.3 licences per factory, loading exactly as its ground truth says', async () => {
    const truth = tisiLicencesGroundTruth(OPTIONS);
    expect(truth.total).toBe(licenceCount(OPTIONS.scale));
    expect(truth.total).toBe(120); // 0.3 x 400 factories
    expect(truth.badRows).toBeGreaterThan(0);
    const { records, rejected } = await load<TisLicenceRecord>(parseTisiLicences, '/tisi/licences.csv');
    expect(records).toHaveLength(truth.validRows);
    expect(rejected).toHaveLength(truth.badRows);
    expect(rejected.every((reason) => /TAX_ID has an invalid check digit|FID must be 14 digits/.test(reason))).toBe(true);
    expect(new Set(records.map((r) => r.licenceNo)).size).toBe(records.length);
  });

  it('names the firms and factories of the world, and standards of the standards list', async () => {
    const standards = new Set((await load<TisStandardRecord>(parseTisiStandards, '/tisi/standards.csv?badRowRate=0')).records.map((r) => r.tisNo));
    const { records } = await load<TisLicenceRecord>(parseTisiLicences, '/tisi/licences.csv?badRowRate=0');
    expect(records).toHaveLength(licenceCount(OPTIONS.scale));
    // At the quirk rate, the licensee's tax ID is left out and its name typed as a clerk does.
    expect(records.filter((r) => r.licenseeTaxId === null)).toHaveLength(tisiLicencesGroundTruth({ ...OPTIONS, badRowRate: 0 }).withoutTaxId);
    expect(records.filter((r) => r.licenseeTaxId === null).length).toBeGreaterThan(records.length * 0.2);
    records.forEach((record, i) => {
      const factory = factoryAt(OPTIONS.seed, licenceFactoryIndex(i));
      expect(licenceFactoryIndex(i)).toBeLessThan(factoryCount(OPTIONS.scale));
      if (licenseeTaxIdWritten(OPTIONS, i)) {
        expect(record.licenseeTaxId).toBe(factory.firm.juristicId);
      } else {
        expect(record.licenseeTaxId).toBeNull();
        expect(record.licenseeName).not.toBe(factory.firm.nameTh);
        expect(normaliseCompanyName(record.licenseeName!).slice(0, 1)).toBe(normaliseCompanyName(factory.firm.nameTh).slice(0, 1));
      }
      if (record.fid !== null) expect(record.fid).toBe(factory.fid);
      expect(standards.has(record.tisNo)).toBe(true);
      expect(record.status).not.toBe('UNKNOWN');
    });
    expect(records.filter((r) => r.fid !== null).length).toBeGreaterThan(records.length / 2);
    expect(records.some((r) => r.status === 'CANCELLED' && r.cancelledOn !== null)).toBe(true);
  });

  it('is deterministic per seed and stable across scales', () => {
    expect(licenceAt(7, 42)).toEqual(licenceAt(7, 42));
    expect(licenceAt(7, 42).licenceNo).not.toEqual(licenceAt(8, 42).licenceNo);
    for (const scale of [1, 5, 6, 10, 11, 999, 1000, 1001]) {
      const count = licenceCount(scale);
      if (count > 0) expect(licenceFactoryIndex(count - 1)).toBeLessThan(factoryCount(scale));
    }
  });

  it('serves a prefix of the same licences at a smaller scale', async () => {
    const full = await load<TisLicenceRecord>(parseTisiLicences, '/tisi/licences.csv');
    const small = await load<TisLicenceRecord>(parseTisiLicences, '/tisi/licences.csv?scale=1000');
    expect(small.records.length).toBeLessThan(full.records.length);
    expect(full.records.slice(0, small.records.length)).toEqual(small.records);
  });

  it('fails a missing tax ID column by name', async () => {
    await expect(load(parseTisiLicences, '/tisi/licences.csv?fault=missing-column')).rejects.toThrow('TISI licences feed is missing required column(s): TAX_ID');
  });
});
