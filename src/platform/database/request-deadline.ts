import { AsyncLocalStorage } from 'node:async_hooks';
import { Client, Pool, type PoolClient, Query, type QueryConfig } from 'pg';

/**
 * Deadlines of API requests (issue 14): every SQL statement an API request issues runs under the
 * role's statement timeout, and the request under an overall deadline. When either passes, the
 * statement is cancelled on the server (PostgreSQL's cancel request, sent on its own socket, so it
 * works when the pool is exhausted), and the query fails with QueryTimeoutError, which the API
 * answers as QUERY_TIMEOUT. The connection is released at once but not reused: the cancel request
 * names the backend, not the statement, and may land on whatever runs there next, so the pool
 * closes it (DeadlineAwareClient.cancelSent). After the request's deadline its further statements
 * fail at once without reaching the database.
 *
 * Statements outside a request (the worker, the CLI, migrations) run as before: the pool's clients
 * are `DeadlineAwareClient`s, which only act inside `withRequestDeadline`.
 */

export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError';
  readonly code = 'QUERY_TIMEOUT';

  constructor(
    readonly which: 'statement' | 'request' | 'client-gone' | 'pool' | 'queue',
    readonly limitMs: number,
  ) {
    super(
      which === 'statement'
        ? `A database statement of this request ran longer than ${limitMs} ms and was cancelled.`
        : which === 'request'
          ? `The request ran longer than its deadline of ${limitMs} ms; what was left was cancelled.`
          : which === 'pool'
            ? `No database connection came free within ${limitMs} ms (the hub is busy); retry later.`
            : which === 'queue'
              ? `The request waited ${limitMs} ms, its deadline, for its turn (the hub is busy); it did not run. Retry later.`
            : 'The client closed its connection before the answer; what was left was cancelled.',
    );
  }
}

interface RunningStatement {
  client: DeadlineAwareClient;
  query: Query;
  cancelledBy: QueryTimeoutError | undefined;
}

/** Statement timeout and overall deadline of one request. */
export class RequestDeadline {
  expired: QueryTimeoutError | undefined;
  readonly running = new Set<RunningStatement>();
  private readonly timer: NodeJS.Timeout | undefined;

  private readonly startedAt: number;

  constructor(
    readonly statementTimeoutMs: number,
    readonly requestTimeoutMs: number | undefined,
    /** Time the request already spent before its deadline was set up (waiting for admission): it counts. */
    spentMs = 0,
  ) {
    this.startedAt = performance.now() - spentMs;
    if (requestTimeoutMs !== undefined) {
      this.timer = setTimeout(() => this.expire(), Math.max(0, requestTimeoutMs - spentMs));
      this.timer.unref();
    }
  }

  /**
   * How long a wait for a pooled connection may last: what is left of the request's deadline, and
   * at most the statement timeout (a wait for a connection is part of the statement's time).
   */
  connectionWaitMs(): { ms: number; which: 'request' | 'pool' } {
    const left = this.requestTimeoutMs === undefined ? Infinity : this.requestTimeoutMs - (performance.now() - this.startedAt);
    return left <= this.statementTimeoutMs ? { ms: Math.max(0, left), which: 'request' } : { ms: this.statementTimeoutMs, which: 'pool' };
  }

  /** Called when the request is over: its timer stops. */
  finish(): void {
    clearTimeout(this.timer);
  }

  /**
   * Called when the client went away before its answer: nobody will read what is left, so its
   * running statements are cancelled and later ones fail at once (otherwise a client could close
   * its sockets, get its concurrency slots back, and leave the work holding the pool).
   */
  abandon(): void {
    clearTimeout(this.timer);
    this.stop(new QueryTimeoutError('client-gone', 0));
  }

  private expire(): void {
    this.stop(new QueryTimeoutError('request', this.requestTimeoutMs!));
  }

  private stop(reason: QueryTimeoutError): void {
    this.expired ??= reason;
    for (const statement of this.running) cancel(statement, this.expired);
  }
}

const scope = new AsyncLocalStorage<RequestDeadline>();

/** Runs `fn` under the deadline: every statement issued in its async continuation is bounded. */
export function withRequestDeadline<T>(deadline: RequestDeadline, fn: () => T): T {
  return scope.run(deadline, fn);
}

/** The deadline of the request being served here, if any. */
export function currentDeadline(): RequestDeadline | undefined {
  return scope.getStore();
}

function cancel(statement: RunningStatement, reason: QueryTimeoutError): void {
  if (statement.cancelledBy) return;
  statement.cancelledBy = reason;
  const target = statement.client;
  // The cancel request names the backend, not the statement, and arrives when it arrives: the
  // statement may finish first, and the cancel then kills whatever runs next on that backend. So
  // the connection runs nothing more of anyone's (see DeadlineAwareClient.cancelSent).
  target.cancelSent ??= reason;
  // pg's cancel: a fresh connection that sends CancelRequest with the target's process ID and
  // secret; it does nothing if the statement has already finished.
  const canceller = new Client({ host: target.host, port: target.port });
  (canceller as unknown as { connection: NodeJS.EventEmitter }).connection.on('error', () => undefined);
  (canceller as unknown as { cancel(client: Client, query: Query): void }).cancel(target, statement.query);
}

/** Statements that must run even after the deadline: they end a transaction the request opened. */
const ENDS_TRANSACTION = /^\s*(ROLLBACK|COMMIT|RELEASE)\b/i;
/** The one statement a connection runs after a cancel was sent on it: it can only undo. */
const UNDOES = /^\s*ROLLBACK\b/i;

type Release = (error?: Error | boolean) => void;

/**
 * The pool's client class. Inside a request it sends each plain statement (text and values, the
 * form TypeORM uses) with the request's timers; anything else (COPY streams, callbacks, statements
 * outside a request) goes straight to pg.
 */
export class DeadlineAwareClient extends Client {
  /**
   * Set when a cancel request was (or may have been) sent for a statement on this connection. A
   * cancel request names the backend, not the statement, and may arrive after the statement has
   * finished: then it would cancel the next statement on this backend, another request's once the
   * connection is back in the pool. So from then on the connection runs nothing but a ROLLBACK
   * (further statements of the request fail at once with this error), and when it is released the
   * pool discards it instead of handing it out again.
   */
  cancelSent: QueryTimeoutError | undefined;

  private poolRelease: Release | undefined;

  /**
   * pg-pool sets `release` on a client each time it hands it out (and passes the same function to
   * connect's callback); every release of a connection on which a cancel was sent is made a
   * release with an error, which makes the pool close the connection and open a new one.
   */
  get release(): Release | undefined {
    return this.poolRelease;
  }

  set release(release: Release | undefined) {
    this.poolRelease =
      release &&
      ((error?: Error | boolean) =>
        release(error || (this.cancelSent ? new Error('A cancel request was sent on this connection; the pool discards it rather than reuse it.') : undefined)));
  }

  // pg's overloads are many; this one forwards every form it does not handle to them unchanged.
  override query(...args: unknown[]): never {
    const deadline = scope.getStore();
    const [config, values, callback] = args;
    const plain = typeof config === 'string' || (typeof config === 'object' && config !== null && typeof (config as { submit?: unknown }).submit !== 'function');
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with this client as `this`
    const superQuery = super.query as (...forwarded: unknown[]) => never;
    if (!plain || typeof values === 'function' || callback !== undefined) return superQuery.apply(this, args);
    const configText = (config as { text?: unknown }).text;
    const text = typeof config === 'string' ? config : typeof configText === 'string' ? configText : '';
    if (this.cancelSent && !UNDOES.test(text)) return Promise.reject(this.cancelSent) as never;
    if (!deadline || ENDS_TRANSACTION.test(text)) return superQuery.apply(this, args);
    if (deadline.expired) return Promise.reject(deadline.expired) as never;
    return new Promise((resolve, reject) => {
      const query: Query = new Query(config as QueryConfig, values as unknown[] | undefined, ((error: Error | null, result: unknown) => {
        clearTimeout(timer);
        deadline.running.delete(statement);
        if (error) reject(statement.cancelledBy ?? error);
        else resolve(result);
      }) as never);
      const statement: RunningStatement = { client: this, query, cancelledBy: undefined };
      deadline.running.add(statement);
      const timer = setTimeout(() => cancel(statement, new QueryTimeoutError('statement', deadline.statementTimeoutMs)), deadline.statementTimeoutMs);
      superQuery.call(this, query);
    }) as never;
  }
}

/** True for a database error that is a timeout of ours or PostgreSQL's statement_timeout (57014). */
export function isQueryTimeout(error: unknown): error is { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof QueryTimeoutError || code === '57014';
}

type ConnectCallback = (error: Error | undefined, client: PoolClient | undefined, release: (error?: Error | boolean) => void) => void;

/**
 * The pool's class (given to TypeORM as the pg driver's Pool). Inside a request a wait for a free
 * connection counts toward the request's deadline (and lasts at most its statement timeout): when
 * the pool is exhausted, a request fails with QUERY_TIMEOUT (`which: "pool"`, or `"request"` when
 * its deadline came first) instead of waiting past its deadline. A connection that comes free after
 * the waiter gave up goes straight back to the pool, for the next one.
 */
export class DeadlinePool extends Pool {
  // pg-pool's connect: with a callback (TypeORM's form) or returning a promise.
  override connect(...args: unknown[]): never {
    const deadline = scope.getStore();
    const callback = args[0] as ConnectCallback | undefined;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with this pool as `this`
    const superConnect = super.connect as (...forwarded: unknown[]) => never;
    if (!deadline) return superConnect.apply(this, args);
    const waited = new Promise<{ client: PoolClient; release: (error?: Error | boolean) => void }>((resolve, reject) => {
      if (deadline.expired) return reject(deadline.expired);
      const { ms, which } = deadline.connectionWaitMs();
      let gaveUp = false;
      const timer = setTimeout(() => {
        gaveUp = true;
        reject(which === 'request' ? (deadline.expired ?? new QueryTimeoutError('request', deadline.requestTimeoutMs!)) : new QueryTimeoutError('pool', ms));
      }, ms);
      const onClient: ConnectCallback = (error, client, release) => {
        clearTimeout(timer);
        if (gaveUp) {
          if (client) release();
          return;
        }
        if (error || !client) reject(error ?? new Error('the pool gave no client'));
        else resolve({ client, release });
      };
      superConnect.call(this, onClient);
    });
    if (callback) {
      // On the next tick, as pg-pool calls back: an exception in the callback is not a rejection here.
      waited.then(
        ({ client, release }) => process.nextTick(() => callback(undefined, client, release)),
        (error: Error) => process.nextTick(() => callback(error, undefined, () => undefined)),
      );
      return undefined as never;
    }
    return waited.then(({ client }) => client) as never;
  }
}
