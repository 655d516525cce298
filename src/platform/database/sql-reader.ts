import type { DataSource } from 'typeorm';

/**
 * What a read-only repository needs of a database: one statement at a time. A data source is one;
 * so is the read replica's reader, which falls back to the primary (read-replica.ts).
 */
export type SqlReader = Pick<DataSource, 'query'>;
