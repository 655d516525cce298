import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import express from 'express';
import { EXPORTS } from '../../docs/examples/registry-sync';
import { eligibilityFeedRouter } from '../../src/domains/eligibility/eligibility-feed.http';
import { exportsRouter, registryFeedRouter } from '../../src/domains/registry-changes/registry-ndjson.http';
import { QueryTimeoutError } from '../../src/platform/database/request-deadline';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * The line that ends an NDJSON stream which failed after its first byte (issue 14): every stream
 * (the registry feed, the eligibility feed with `trailer=1`, each export) ends with an error line of
 * the hub's one error shape, `{"errors":[{"message","extensions":{"code","requestId"}}]}`, which
 * still carries the deprecated `"error":{code,message,requestId}` of the first format, and which
 * validates against the stream's published line schema (docs/schemas). The failure is real: the
 * routes run on the hub's services and database, and the service's second read fails.
 */
jest.setTimeout(120_000);

const DOCS = join(__dirname, '..', '..', 'docs');
const REQUEST_ID = 'req-ndjson-error-line';

type Line = Record<string, unknown> & {
  errors?: { message: string; extensions: { code: string; requestId: string } }[];
  error?: { code: string; message: string; requestId: string };
  end?: unknown;
};

describe('NDJSON error lines', () => {
  let t: TestHub;
  let admin: string;
  let ajv: Ajv2020;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 200 });
    admin = await t.createApiKey('admin');
    ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    for (const file of (await readdir(join(DOCS, 'schemas'))).filter((f) => f.endsWith('.schema.json'))) {
      ajv.addSchema(JSON.parse(await readFile(join(DOCS, 'schemas', file), 'utf8')) as object);
    }
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
  });

  /** The hub's services, with the second read of a stream failing with `fault`. */
  function failingServices(fault: Error): typeof t.hub.services {
    const services = t.hub.services;
    const secondFails = <A extends unknown[], R>(fn: (...args: A) => R, fail: () => R): ((...args: A) => R) => {
      let calls = 0;
      return (...args: A) => (++calls === 1 ? fn(...args) : fail());
    };
    const registryChanges = Object.create(services.registryChanges) as typeof services.registryChanges;
    registryChanges.read = secondFails(services.registryChanges.read.bind(services.registryChanges), () => Promise.reject(fault));
    registryChanges.openSnapshot = async (bounds) => {
      const snapshot = await services.registryChanges.openSnapshot(bounds);
      const wrapped = Object.create(snapshot) as typeof snapshot;
      wrapped.copyPage = secondFails(snapshot.copyPage.bind(snapshot), () =>
        (new Readable({
          read() {
            this.destroy(fault);
          },
        }) as NodeJS.ReadableStream),
      );
      return wrapped;
    };
    const eligibility = Object.create(services.eligibility) as typeof services.eligibility;
    eligibility.eventsAfter = secondFails(services.eligibility.eventsAfter.bind(services.eligibility), () => Promise.reject(fault));
    return { ...services, registryChanges, eligibility };
  }

  async function stream(fault: Error, path: string): Promise<{ status: number; lines: Line[] }> {
    const services = failingServices(fault);
    const logger = createRootLogger('silent');
    const app = express()
      .use((_req, res, next) => {
        res.locals['requestId'] = REQUEST_ID;
        next();
      })
      .use('/feeds/registry', registryFeedRouter(services, logger, { batchSize: 1 }))
      .use('/feeds/eligibility', eligibilityFeedRouter(services, logger, { batchSize: 1 }))
      .use('/exports', exportsRouter(services, logger, { batchSize: 1 }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { headers: { authorization: `Bearer ${admin}` } });
      const body = await response.text();
      return { status: response.status, lines: body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) };
    } finally {
      server.close();
    }
  }

  const streams: [string, string][] = [
    ['registry-feed-line.schema.json', '/feeds/registry?limit=100'],
    ['eligibility-feed-line.schema.json', '/feeds/eligibility?limit=100&trailer=1'],
    ...Object.values(EXPORTS).map(({ name }): [string, string] => [`export-${name}-line.schema.json`, `/exports/${name}.ndjson`]),
  ];
  const faults: [string, () => Error][] = [
    ['INTERNAL_SERVER_ERROR', () => new Error('the connection broke (secret detail: host db-7)')],
    ['QUERY_TIMEOUT', () => new QueryTimeoutError('statement', 50)],
  ];

  test.each(streams)('%s: a failure after the first byte ends %s with an error line that validates', async (schema, path) => {
    const validate = ajv.getSchema(`https://github.com/i-industry-hub/schemas/${schema}`)!;
    for (const [code, fault] of faults) {
      const { status, lines } = await stream(fault(), path);
      expect(status).toBe(200);
      // The first batch went out, then the error line; no end line.
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.some((l) => l.end !== undefined)).toBe(false);
      const last = lines.at(-1)!;
      // The eligibility feed knows only its own refusals: any other failure is INTERNAL_SERVER_ERROR there.
      const expected = path.startsWith('/feeds/eligibility') ? 'INTERNAL_SERVER_ERROR' : code;
      expect(last.errors).toEqual([{ message: expect.any(String) as string, extensions: { code: expected, requestId: REQUEST_ID } }]);
      expect(last.errors![0]!.message).not.toMatch(/db-7|secret/);
      // The first format's member, deprecated, says the same.
      expect(last.error).toEqual({ code: expected, message: last.errors![0]!.message, requestId: REQUEST_ID });
      for (const line of lines) {
        if (!validate(line)) throw new Error(`${path}: ${JSON.stringify(line).slice(0, 300)}: ${ajv.errorsText(validate.errors)}`);
      }
    }
  });

  test('the schemas tell an error line from a record: a line with neither shape is refused', () => {
    const validate = ajv.getSchema('https://github.com/i-industry-hub/schemas/registry-feed-line.schema.json')!;
    expect(validate({ errors: [{ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r' } }] })).toBe(true);
    expect(validate({ errors: [] })).toBe(false);
    expect(validate({ errors: [{ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r' } }], stack: 'at x' })).toBe(false);
  });
});
