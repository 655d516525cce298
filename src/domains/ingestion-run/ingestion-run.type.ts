import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType, type Connection } from '../../platform/graphql/connection';
import { Node } from '../node/node.type';

export enum IngestionRunStatus {
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
}
registerEnumType(IngestionRunStatus, { name: 'IngestionRunStatus', description: 'State of an ingestion run.' });

export enum IngestionTrigger {
  SCHEDULE = 'schedule',
  STARTUP = 'startup',
  MANUAL = 'manual',
  CLI = 'cli',
  RETRY = 'retry',
}
registerEnumType(IngestionTrigger, {
  name: 'IngestionTrigger',
  description:
    'What started a run: its schedule, the first start of the hub, an admin through GraphQL, an operator through the CLI, or a retry of quarantined rows.',
});

@ObjectType({ implements: Node, description: 'One run of an agency source: what it read, what it changed, and how it ended.' })
export class IngestionRun extends Node {
  @Field(() => String, { description: 'The run\'s own number, as `Provenance.runId` and `DataSource.lastSuccessRunId` name it.' })
  runId!: string;

  @Field({ description: 'Source identifier, e.g. `diw`.' })
  source!: string;

  @Field(() => IngestionTrigger, { description: 'What started the run: its schedule, a person (CLI or API), or start-up.' })
  trigger!: IngestionTrigger;

  @Field(() => Int, { description: 'Attempt number of the queue job (transient failures are retried).' })
  attempt!: number;

  @Field(() => IngestionRunStatus, { description: 'Where the run stands.' })
  status!: IngestionRunStatus;

  @Field({ description: 'When the run started.' })
  startedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the run finished; null while it runs.' })
  finishedAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Duration in milliseconds, once finished.' })
  durationMs!: number | null;

  @Field(() => Int, { description: 'Rows read from the feed (good and rejected).' })
  rowsRead!: number;

  @Field(() => Int, { description: 'Records new to the hub.' })
  rowsInserted!: number;

  @Field(() => Int, { description: 'Records whose content changed.' })
  rowsUpdated!: number;

  @Field(() => Int, { description: 'Records identical to what the hub had (not rewritten).' })
  rowsUnchanged!: number;

  @Field(() => Int, { description: 'Rows quarantined with a reason.' })
  rowsRejected!: number;

  @Field(() => Int, { description: 'Rows repeating a key seen earlier in the same feed (the last one wins).' })
  rowsDuplicate!: number;

  @Field(() => Int, { description: 'Records of a complete snapshot that the feed no longer has, marked absent (never deleted).' })
  rowsMarkedAbsent!: number;

  @Field({ description: 'True when the run read the whole feed (snapshot sources always; incremental ones on a first or forced run).' })
  fullRefresh!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of an incremental source when the run started.' })
  cursorBefore!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor saved when the run committed.' })
  cursorAfter!: string | null;

  @Field(() => [String], { description: 'Things noticed about the feed as a whole, e.g. unknown columns.' })
  warnings!: string[];

  @Field(() => String, { nullable: true, description: 'Why the run failed; the data loaded before it is kept.' })
  errorMessage!: string | null;
}

export const IngestionRunConnection = connectionType(IngestionRun, { name: 'IngestionRun', items: 'ingestion runs, newest first' });
export type IngestionRunConnection = Connection<IngestionRun>;

@ObjectType({ implements: Node, description: 'A feed row an ingestion run rejected, kept with its raw form and the reason, until a retry loads it (admins only).' })
export class QuarantinedRow extends Node {
  @Field(() => String, { description: 'The quarantined row\'s own number in the hub.' })
  quarantineId!: string;

  @Field({ description: 'Source identifier.' })
  source!: string;

  @Field({ description: 'The run that rejected it.' })
  runId!: string;

  @Field(() => Int, { description: 'Line (CSV) or item number (JSON) in the feed.' })
  lineNo!: number;

  @Field({ description: 'Why it was rejected.' })
  reason!: string;

  @Field({ description: 'The row as the feed had it, as JSON text, with personal data (directors, individual shareholders, operators and licensees who are persons, personal IDs) replaced by `***` for every role.' })
  raw!: string;

  @Field({ description: 'When the row was quarantined.' })
  createdAt!: Date;
}

export const QuarantinedRowConnection = connectionType(QuarantinedRow, { name: 'QuarantinedRow', items: 'open quarantined rows, newest first' });
export type QuarantinedRowConnection = Connection<QuarantinedRow>;

@ObjectType({ description: 'A queued ingestion job.' })
export class IngestionJob {
  @Field({ description: 'Source queued.' })
  source!: string;

  @Field(() => ID, { description: 'Queue job ID; the run records it (IngestionRun has it once the job starts).' })
  jobId!: string;

  @Field({ description: 'When the job was queued.' })
  queuedAt!: Date;
}
