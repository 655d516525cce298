import type { IngestionRunRecord } from '../ingestion/ingestion-run.repository';
import type { SourceStatus } from '../ingestion/source-status.service';
import { count, duration, localTime, table, zoneLabel } from './format';

/** One run in full (after `ingest --wait`, a retry, a recompute): counts, cursors, warnings, error. */
export function runSummary(run: IngestionRunRecord, timeZone: string): string {
  const took = run.finishedAt ? duration(run.finishedAt.getTime() - run.startedAt.getTime()) : 'running';
  const lines = [
    `run ${run.id}  source=${run.source}  trigger=${run.trigger}  attempt=${run.attempt}  status=${run.status}  (${took})`,
    `  started ${localTime(run.startedAt, timeZone)}${run.finishedAt ? `  finished ${localTime(run.finishedAt, timeZone)}` : ''}  (${zoneLabel(timeZone, run.startedAt)})`,
    `  read ${run.rowsRead}  inserted ${run.rowsInserted}  updated ${run.rowsUpdated}  unchanged ${run.rowsUnchanged}  rejected ${run.rowsRejected}  duplicate ${run.rowsDuplicate}  marked absent ${run.rowsMarkedAbsent}`,
  ];
  if (run.fullRefresh || run.cursorBefore || run.cursorAfter) {
    lines.push(`  ${run.fullRefresh ? 'full refresh' : 'incremental'}${run.cursorBefore ? `  cursor before ${run.cursorBefore}` : ''}${run.cursorAfter ? `  after ${run.cursorAfter}` : ''}`);
  }
  for (const warning of run.warnings) lines.push(`  warning: ${warning}`);
  if (run.errorMessage) lines.push(`  error: ${run.errorMessage}`);
  return `${lines.join('\n')}\n`;
}

/** Recent runs as one table, newest first; each run's warnings and error follow, by run id. */
export function runsTable(runs: readonly IngestionRunRecord[], timeZone: string): string {
  if (runs.length === 0) return 'no runs yet\n';
  const n = (pick: (run: IngestionRunRecord) => number) => (run: IngestionRunRecord) => count(pick(run));
  let text = `times in ${zoneLabel(timeZone)}\n`;
  text += table(runs, [
    { header: 'RUN', value: (r) => r.id, align: 'right' },
    { header: 'SOURCE', value: (r) => r.source },
    { header: 'TRIGGER', value: (r) => r.trigger },
    { header: 'TRY', value: (r) => String(r.attempt), align: 'right' },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'STARTED', value: (r) => localTime(r.startedAt, timeZone) },
    { header: 'TOOK', value: (r) => (r.finishedAt ? duration(r.finishedAt.getTime() - r.startedAt.getTime()) : '-'), align: 'right' },
    { header: 'MODE', value: (r) => (r.fullRefresh ? 'full' : 'incremental') },
    { header: 'READ', value: n((r) => r.rowsRead), align: 'right' },
    { header: 'INSERTED', value: n((r) => r.rowsInserted), align: 'right' },
    { header: 'UPDATED', value: n((r) => r.rowsUpdated), align: 'right' },
    { header: 'UNCHANGED', value: n((r) => r.rowsUnchanged), align: 'right' },
    { header: 'REJECTED', value: n((r) => r.rowsRejected), align: 'right' },
    { header: 'DUPLICATE', value: n((r) => r.rowsDuplicate), align: 'right' },
    { header: 'ABSENT', value: n((r) => r.rowsMarkedAbsent), align: 'right' },
  ]);
  for (const run of runs) {
    for (const warning of run.warnings) text += `run ${run.id} warning: ${warning}\n`;
    if (run.errorMessage) text += `run ${run.id} error: ${run.errorMessage}\n`;
  }
  return text;
}

/** Every source's freshness as one table; the feeds and cursors with `verbose`. */
export function sourcesTable(sources: readonly SourceStatus[], timeZone: string, options: { verbose?: boolean } = {}): string {
  let text = `times and schedules in ${zoneLabel(timeZone)}\n`;
  text += table(sources, [
    { header: 'SOURCE', value: (s) => s.id },
    { header: 'STATE', value: (s) => (s.stale ? 'STALE' : 'fresh') },
    { header: 'LAST LOADED', value: (s) => (s.lastSuccessAt ? localTime(s.lastSuccessAt, timeZone) : 'never') },
    { header: 'RUN', value: (s) => s.lastSuccessRunId ?? '-', align: 'right' },
    { header: 'MAY AGE', value: (s) => `${s.staleAfterHours} h`, align: 'right' },
    { header: 'MODE', value: (s) => s.mode },
    { header: 'SCHEDULE', value: (s) => s.schedule },
    { header: 'QUARANTINED', value: (s) => count(s.openQuarantinedRows), align: 'right' },
    { header: 'AGENCY', value: (s) => s.agency },
  ]);
  if (options.verbose) {
    for (const s of sources) text += `\n${s.id}: ${s.title}\n  feed ${s.feedUrl}\n${s.cursor ? `  cursor ${s.cursor}\n` : ''}`;
  }
  const quarantined = sources.filter((s) => s.openQuarantinedRows > 0);
  if (quarantined.length > 0) {
    text += `\nquarantined rows: npm run hub -- quarantine --source <source> (e.g. --source ${quarantined[0]!.id})\n`;
  }
  if (!options.verbose) text += 'feed URLs and cursors: npm run hub -- sources --verbose\n';
  return text;
}
