/**
 * One writer of the registers and what is derived from them at a time.
 *
 * A run links its records to companies, recomputes profiles and eligibility, all in the transaction
 * that writes its rows; under READ COMMITTED each of those statements sees what other transactions
 * had committed when it started. Two runs overlapping there each miss the other's rows: a TISI
 * licence run links its licences before the DBD run commits the companies they name, and the DBD
 * run relinks the records waiting for companies before the TISI run commits its licences. Both
 * commit; nothing links; and a later run sees unchanged rows and relinks nothing. (On a busy
 * machine a fresh `npm start` lost that race every time: every licence unlinked.) Worse, the
 * linker's own statements can straddle another run's commit: its tax-ID rule saw no companies and
 * its fuzzy rule, a moment later, saw them all.
 *
 * So a run takes this lock before it writes anything to its target table, once its feed is staged
 * (reading feeds still overlaps), and holds it to its commit: from the upsert through the links,
 * profiles, statistics and eligibility, every statement sees every earlier run committed and no
 * other run half-done. The outcome is that of the runs one after another in commit order, and
 * each run's derivations bring the picture up to date for its own changes: the same picture
 * whatever the order. Every other writer of links or derived facts (relink, the eligibility
 * recompute) takes it too. Lock order, to rule out deadlocks: the writers' lock (shared, bulk-load.ts)
 * from a transaction's start, then this one, then the eligibility event writers' lock.
 */
import type { Queryable } from './ingestion-run.repository';

/** Two-key advisory lock, transaction-scoped; see bulk-load.ts and eligibility.repository.ts for the others. */
const REGISTER_WRITER_LOCK = '1763798, 2';

export async function lockRegisterWriters(client: Queryable): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(${REGISTER_WRITER_LOCK})`);
}
