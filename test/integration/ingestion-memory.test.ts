// @node-runtime: a worker process's heap limit (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { startHub } from '../../src/app/hub';
import { type ConfigEnv } from '../../src/config/config';
import { loadHubConfig } from '../../src/app/config';
import { BULK_LOAD_MIN_ROWS } from '../../src/ingestion/ingestion.engine';
import { IngestionQueue, INGESTION_QUEUE } from '../../src/ingestion/ingestion.queue';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { createRootLogger } from '../../src/platform/logging/logger';
import { dbdListingTruth, createSimulatorServer, type SimulatorOptions } from '../../src/simulator/simulator';
import { createMigratedDatabase } from '../support/template-database';

/**
 * The engine's promise of issue 3 that a worker's memory is bounded whatever the feed's size: a
 * worker process with a small heap loads a feed larger than that heap. In a file of its own (it is
 * the suite's longest test) so that jest runs it beside the other guarantees, not after them.
 */

describe('memory bounded whatever the feed size', () => {
  /**
   * V8 old space of the worker process. On this load its live data peaks at about 65 MB (measured):
   * the worker's own ~35 MB, two pages of the listing and the engine's read-ahead of 20,000 encoded
   * rows while a chunk is written (BULK_LOAD_CHUNK_ROWS); at 64 MB it runs out. An engine holding the
   * whole feed runs out at this size too (checked by making it do so).
   */
  const HEAP_MB = 96;
  /** Firms: about 1.4 kB of JSON each, so the feed is well over the heap (and a first load in bulk). */
  const FIRMS = 100_000;

  test(`a worker with a ${HEAP_MB} MB heap loads a DBD register feed of more than ${Math.round(FIRMS * 1.4e-3)} MB in full`, async () => {
    const main = path.resolve(__dirname, '../../dist/src/main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: \`npm test\` builds it first (or run \`npm run build\`)`);
    const options: SimulatorOptions = { seed: 11, scale: FIRMS, quirkRate: 0.02, badRowRate: 0.01 };

    // The simulator in this process, counting every byte it sends to the worker.
    const simulator = createSimulatorServer(options);
    let sent = 0;
    const sockets = new Set<Socket>();
    simulator.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => {
        sent += socket.bytesWritten;
        sockets.delete(socket);
      });
    });
    simulator.listen(0, '127.0.0.1');
    await once(simulator, 'listening');
    const simulatorUrl = `http://127.0.0.1:${(simulator.address() as AddressInfo).port}`;

    const database = await createMigratedDatabase();
    const env: ConfigEnv = {
      DATABASE_URL: database.url,
      REDIS_URL: '',
      QUEUE_PREFIX: `iiht_${randomBytes(4).toString('hex')}`,
      PORT: '0',
      SIMULATOR_URL: simulatorUrl,
      DBD_COMPANIES_FEED_URL: `${simulatorUrl}/dbd/juristic-persons`,
      DBD_PAGE_SIZE: '1000',
      INGEST_ON_START: 'false',
      INGEST_ATTEMPTS: '1',
      CONSENT_REGISTRY_SCHEDULE: '0 0 1 1 *',
      LOG_LEVEL: 'warn',
    };
    const api = await startHub(loadHubConfig(env), 'api', createRootLogger('silent'));
    const queueEvents = api.queueBackend.createQueueEvents(INGESTION_QUEUE);
    let worker: ChildProcess | undefined;
    try {
      await queueEvents.waitUntilReady();
      worker = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, main, '--role=worker'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      worker.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-3000)));
      const died = new Promise<never>((_, reject) => {
        worker!.once('exit', (code, signal) => reject(new Error(`the worker exited (${signal ?? code}) before the run ended:\n${stderr}`)));
      });
      died.catch(() => undefined);
      // What a correct load yields (computed while the worker starts).
      const truth = dbdListingTruth(options, 'companies', { epoch: 0, pageSize: 1000 });
      expect(truth.validRecords).toBeGreaterThan(BULK_LOAD_MIN_ROWS);

      const job = await api.ingestionQueue.enqueue('dbd-companies', 'manual');
      await Promise.race([IngestionQueue.waitFor(job, queueEvents, 240_000), died]);
      const [loaded] = await new IngestionRunRepository(api.database.dataSource).findByJobId(String(job.id));
      expect(loaded).toMatchObject({
        status: 'succeeded',
        rowsRead: truth.items,
        rowsInserted: truth.validRecords,
        rowsRejected: truth.badRecords,
        rowsDuplicate: truth.duplicates,
        cursorAfter: truth.latestUpdatedAt,
      });
      expect((await api.database.dataSource.query('SELECT count(*)::int AS n FROM registry.company'))[0].n).toBe(truth.validRecords);
      for (const socket of sockets) sent += socket.bytesWritten;
      expect(sent).toBeGreaterThan(1.3 * HEAP_MB * 2 ** 20);
    } finally {
      if (worker && worker.exitCode === null && worker.signalCode === null) {
        const exited = once(worker, 'exit');
        worker.kill('SIGTERM');
        await exited;
      }
      await queueEvents.close();
      await api.stop();
      simulator.closeAllConnections();
      await new Promise((resolve) => simulator.close(resolve));
      await database.drop();
    }
  }, 300_000);
});
