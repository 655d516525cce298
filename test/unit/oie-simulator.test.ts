import http from 'node:http';
import type { ParsedRow } from '../../src/ingestion/feed';
import { indexPointAt, OIE_INDUSTRY_GROUPS, oieMpiGroundTruth } from '../../src/simulator/oie/oie.feed';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/simulator';
import { parseOieMpi } from '../../src/sources/oie/oie.parser';
import type { IndustrialIndexRecord } from '../../src/sources/oie/oie.record';

const OPTIONS: SimulatorOptions = { seed: 20191, scale: 1000, quirkRate: 0.3, badRowRate: 0.03 };

let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startSimulator({ ...OPTIONS, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await simulator.close();
});

async function load(path: string): Promise<{ records: IndustrialIndexRecord[]; rejected: string[] }> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${simulator.url}${path}`, resolve).on('error', reject));
  const records: IndustrialIndexRecord[] = [];
  const rejected: string[] = [];
  for await (const row of parseOieMpi(response, { warnings: [] }) as AsyncIterable<ParsedRow<IndustrialIndexRecord>>) {
    if (row.kind === 'record') records.push(row.record);
    else rejected.push(row.reason);
  }
  return { records, rejected };
}

describe('simulated OIE MPI', () => {
  it('serves 25 industry groups x 36 months that load exactly as its ground truth says', async () => {
    const truth = oieMpiGroundTruth(OPTIONS);
    expect(OIE_INDUSTRY_GROUPS).toHaveLength(25);
    expect(truth.total).toBe(900);
    expect(truth.badRows).toBeGreaterThan(0);
    expect(truth.quirkyRows).toBeGreaterThan(100);
    const { records, rejected } = await load('/oie/mpi.csv');
    expect(records).toHaveLength(truth.validRows);
    expect(rejected).toHaveLength(truth.badRows);
    expect(new Set(records.map((r) => `${r.industryCode}|${r.month}`)).size).toBe(records.length);
    expect(records[0]!.month).toBe('2022-01-01');
    expect(records.at(-1)!.month).toBe('2024-12-01');
    await expect(fetch(`${simulator.url}/oie/mpi.stats.json`).then((r) => r.json())).resolves.toEqual(truth);
  });

  it('does not depend on the scale, and serves the latest months of the same series when asked for fewer', async () => {
    const full = await load('/oie/mpi.csv');
    expect((await load('/oie/mpi.csv?scale=10')).records).toEqual(full.records);
    const latest = await load('/oie/mpi.csv?months=24');
    expect(latest.records[0]!.month).toBe('2023-01-01');
    expect(full.records.filter((r) => r.month >= '2023-01-01')).toEqual(latest.records);
    await expect(fetch(`${simulator.url}/oie/mpi.stats.json?months=24`).then((r) => r.json())).resolves.toMatchObject({ total: 600 });
  });

  it('keeps indices near the 2021 base and capacity utilisation within 0-100', () => {
    for (let group = 0; group < OIE_INDUSTRY_GROUPS.length; group++) {
      for (let back = 0; back < 36; back++) {
        const point = indexPointAt(OPTIONS.seed, group, back);
        expect(point.mpi).toBeGreaterThan(70);
        expect(point.mpi).toBeLessThan(130);
        if (point.capacityUtilisation !== null) expect(point.capacityUtilisation).toBeLessThanOrEqual(100);
      }
    }
  });

  it('fails a missing MPI column by name', async () => {
    await expect(load('/oie/mpi.csv?fault=missing-column')).rejects.toThrow('OIE MPI feed is missing required column(s): MPI');
  });
});
