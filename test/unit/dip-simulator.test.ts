import { loadHubConfig } from '../../src/app/config';
import { fetchJsonDocument } from '../../src/ingestion/feed-fetcher';
import { FeedFormatError, type ParsedRow } from '../../src/ingestion/feed';
import {
  assessmentAt,
  assessmentCount,
  DIP_I40_ASSESSMENTS_RESOURCE_ID,
  DIP_PARTICIPATIONS_RESOURCE_ID,
  dipGroundTruth,
  dipIdWritten,
  participationAt,
  participationCount,
} from '../../src/simulator/dip/dip.feed';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/simulator';
import { isValidJuristicId } from '../../src/simulator/world/juristic-id';
import { firmAt } from '../../src/simulator/world/world';
import { readCkanDatastore, type CkanResourceSpec } from '../../src/sources/dip/ckan-datastore';
import { normaliseCompanyName } from '../../src/sources/dbd/company-name';
import { DIP_I40_SPEC, DIP_PARTICIPATION_SPEC, participantKey } from '../../src/sources/dip/dip.parser';
import type { DipI40AssessmentRecord, DipParticipationRecord } from '../../src/sources/dip/dip.record';

const OPTIONS: SimulatorOptions = { seed: 20191, scale: 3000, quirkRate: 0.3, badRowRate: 0.05 };

let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startSimulator({ ...OPTIONS, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await simulator.close();
});

const searchUrl = (resourceId: string, query = ''): string =>
  `${simulator.url}/dip/api/3/action/datastore_search?resource_id=${resourceId}${query ? `&${query}` : ''}`;

async function load<F extends string, R>(spec: CkanResourceSpec<F, R>, url: string): Promise<{ records: R[]; rejected: string[]; warnings: string[]; pages: number }> {
  let pages = 0;
  const context = {
    warnings: [] as string[],
    fetchJson: <T>(pageUrl: string) => {
      pages++;
      return fetchJsonDocument<T>(pageUrl, { idleTimeoutMs: 10_000 });
    },
  };
  const records: R[] = [];
  const rejected: string[] = [];
  for await (const row of readCkanDatastore(url, context, spec) as AsyncIterable<ParsedRow<R>>) {
    if (row.kind === 'record') records.push(row.record);
    else rejected.push(row.reason);
  }
  return { records, rejected, warnings: context.warnings, pages };
}

describe('simulated DIP CKAN datastore', () => {
  it('serves the resources at the hub’s default feed URLs', () => {
    const config = loadHubConfig({});
    expect(new URL(config.feeds['dip-participations']!.url).searchParams.get('resource_id')).toBe(DIP_PARTICIPATIONS_RESOURCE_ID);
    expect(new URL(config.feeds['dip-i40-assessments']!.url).searchParams.get('resource_id')).toBe(DIP_I40_ASSESSMENTS_RESOURCE_ID);
    expect(new URL(config.feeds['dip-participations']!.url).pathname).toBe('/dip/api/3/action/datastore_search');
  });

  it('answers in CKAN’s shape', async () => {
    const body = (await fetch(searchUrl(DIP_PARTICIPATIONS_RESOURCE_ID, 'limit=2&offset=4')).then((r) => r.json())) as {
      success: boolean;
      result: { fields: { id: string }[]; records: { _id: number }[]; total: number; limit: number; offset: number; _links: { next: string } };
    };
    expect(body.success).toBe(true);
    expect(body.result.fields.map((f) => f.id)).toEqual(['_id', 'juristic_id', 'programme_code', 'programme_name', 'fiscal_year', 'province', 'company_name']);
    expect(body.result.records.map((r) => r._id)).toEqual([5, 6]);
    expect(body.result).toMatchObject({ total: participationCount(OPTIONS.scale), limit: 2, offset: 4 });
    expect(body.result._links.next).toMatch(/offset=6/);
  });

  it('serves participations (0.2 per firm) that load exactly as its ground truth says, over several pages', async () => {
    const truth = dipGroundTruth({ ...OPTIONS, resource: 'participations' });
    expect(truth.total).toBe(600);
    expect(truth.badRows).toBeGreaterThan(0);
    expect(truth.quirkyRows).toBeGreaterThan(100);
    const { records, rejected, warnings, pages } = await load(DIP_PARTICIPATION_SPEC, searchUrl(DIP_PARTICIPATIONS_RESOURCE_ID, 'limit=250'));
    expect(pages).toBe(3);
    expect(warnings).toEqual([]);
    expect(records).toHaveLength(truth.validRows);
    expect(rejected).toHaveLength(truth.badRows);
    expect(rejected.every((reason) => reason.startsWith('juristic_id has an invalid check digit'))).toBe(true);
    const keys = new Set(records.map((r: DipParticipationRecord) => `${participantKey(r)}|${r.programmeCode}|${r.year}`));
    expect(keys.size).toBe(records.length);
    // Some firms take part more than once.
    expect(new Set(records.map((r) => r.juristicId)).size).toBeLessThan(records.length);
    await expect(fetch(`${simulator.url}/dip/participations.stats.json`).then((r) => r.json())).resolves.toEqual(truth);
  });

  it('serves assessments (0.1 per firm) that load exactly as its ground truth says, following a capped page size', async () => {
    const truth = dipGroundTruth({ ...OPTIONS, resource: 'i40-assessments' });
    expect(truth.total).toBe(300);
    expect(truth.badRows).toBeGreaterThan(0);
    const { records, rejected, pages } = await load(DIP_I40_SPEC, searchUrl(DIP_I40_ASSESSMENTS_RESOURCE_ID, 'rowsMax=100'));
    expect(pages).toBe(3);
    expect(records).toHaveLength(truth.validRows);
    expect(rejected).toHaveLength(truth.badRows);
    expect(new Set(records.map((r: DipI40AssessmentRecord) => `${participantKey(r)}|${r.assessedOn}`)).size).toBe(records.length);
    for (const record of records) {
      expect(record.overallLevel).toBeGreaterThanOrEqual(1);
      expect(record.overallLevel).toBeLessThanOrEqual(4);
    }
  });

  it('writes some records without the juristic ID, naming the firm as a clerk types it, as its ground truth says', async () => {
    for (const [resource, spec, id] of [
      ['participations', DIP_PARTICIPATION_SPEC, DIP_PARTICIPATIONS_RESOURCE_ID],
      ['i40-assessments', DIP_I40_SPEC, DIP_I40_ASSESSMENTS_RESOURCE_ID],
    ] as const) {
      const options = { ...OPTIONS, badRowRate: 0 };
      const truth = dipGroundTruth({ ...options, resource });
      const { records } = await load<string, DipParticipationRecord | DipI40AssessmentRecord>(spec, searchUrl(id, 'badRowRate=0'));
      expect(records).toHaveLength(truth.total);
      expect(truth.withoutId).toBeGreaterThan(truth.total * 0.2);
      expect(records.filter((r) => r.juristicId === null)).toHaveLength(truth.withoutId);
      records.forEach((record, i) => {
        const firm = resource === 'participations' ? participationAt(OPTIONS.seed, i).firm : assessmentAt(OPTIONS.seed, i).firm;
        if (dipIdWritten(options, resource, i)) {
          expect(record).toMatchObject({ juristicId: firm.juristicId, companyName: firm.nameTh });
        } else {
          expect(record.juristicId).toBeNull();
          expect(record.companyName).not.toBe(firm.nameTh);
          expect(normaliseCompanyName(record.companyName!).slice(0, 1)).toBe(normaliseCompanyName(firm.nameTh).slice(0, 1));
        }
      });
    }
  });

  it('names firms of the world below the scale, at every scale', () => {
    for (const scale of [10, 20, 1000, 3000]) {
      for (let i = 0; i < participationCount(scale); i++) {
        const { firm } = participationAt(OPTIONS.seed, i);
        expect(firm.index).toBeLessThan(scale);
        expect(isValidJuristicId(firm.juristicId)).toBe(true);
        expect(firm).toEqual(firmAt(OPTIONS.seed, firm.index));
      }
      for (let i = 0; i < assessmentCount(scale); i++) expect(assessmentAt(OPTIONS.seed, i).firm.index).toBeLessThan(scale);
    }
  });

  it('serves a prefix of the same records at a smaller scale', async () => {
    const full = await load(DIP_PARTICIPATION_SPEC, searchUrl(DIP_PARTICIPATIONS_RESOURCE_ID));
    const small = await load(DIP_PARTICIPATION_SPEC, searchUrl(DIP_PARTICIPATIONS_RESOURCE_ID, 'scale=1000'));
    expect(small.records.length).toBeLessThan(full.records.length);
    expect(full.records.slice(0, small.records.length)).toEqual(small.records);
  });

  it('answers an unknown resource with 404 and success: false, as CKAN does', async () => {
    const response = await fetch(searchUrl('no-such-resource'));
    expect(response.status).toBe(404);
    await expect(response.json()).resolves.toMatchObject({ success: false, error: { __type: 'Not Found Error' } });
  });

  it.each([
    ['ckan-error', 'DIP participations resource: CKAN answered success: false (Search Error: simulated fault: datastore search failed)'],
    ['missing-column', 'DIP participations resource is missing required field(s): programme_code'],
    ['renamed-column', 'DIP participations resource is missing required field(s): juristic_id'],
  ])('fault=%s fails the read with FeedFormatError', async (fault, message) => {
    const failure = load(DIP_PARTICIPATION_SPEC, searchUrl(DIP_PARTICIPATIONS_RESOURCE_ID, `fault=${fault}`));
    await expect(failure).rejects.toThrow(FeedFormatError);
    await expect(failure).rejects.toThrow(message);
  });

  it('fault=html and fault=http500 answer as a portal does', async () => {
    const html = await fetch(searchUrl(DIP_PARTICIPATIONS_RESOURCE_ID, 'fault=html'));
    expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const error = await fetch(searchUrl(DIP_PARTICIPATIONS_RESOURCE_ID, 'fault=http500'));
    expect(error.status).toBe(500);
    await expect(error.json()).resolves.toMatchObject({ success: false });
  });
});
