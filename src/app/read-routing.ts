import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, OperationTypeNode } from 'graphql';
import { Counter, Gauge } from 'prom-client';
import type { GraphQLContext } from '../domains/api-context';
import type { ApiServices } from '../domains/api-services';
import type { ReadTarget, ReplicaMonitor } from '../platform/database/read-replica';
import type { HubMetrics } from '../platform/metrics/metrics';

/** Request header: the request needs every change committed by this time (ISO 8601), e.g. a run's `finishedAt`. */
export const READ_AFTER_HEADER = 'x-hub-read-after';
/** Response header: where the request's registry reads went (`replica` or `primary`). */
export const READ_FROM_HEADER = 'x-hub-read-from';

/**
 * Sends a GraphQL query's registry reads to the read replica when it is fresh enough, and everything
 * else to the primary: mutations (they write, and what they answer must show the write), and
 * queries the replica cannot serve (unreachable, lagging over DATABASE_READ_MAX_LAG_MS, or older
 * than the request's X-Hub-Read-After). The context starts with the primary's services; this
 * plugin swaps in the replica's once the operation is known.
 */
export function readRoutingPlugin(deps: { replica: ApiServices; monitor: ReplicaMonitor; metrics: HubMetrics }): ApolloServerPlugin<GraphQLContext> {
  const requests = new Counter({
    name: 'hub_read_replica_requests_total',
    help: 'GraphQL requests by where their registry reads went (replica, primary) and why a query went to the primary (mutation, replica_unreachable, replica_lagging, fresher_than_replica).',
    labelNames: ['target', 'reason'],
    registers: [deps.metrics.registry],
  });
  const lag: Gauge = new Gauge({
    name: 'hub_read_replica_lag_seconds',
    help: 'How far the read replica is behind the primary (seconds): the age of the newest primary WAL position it has replayed. Absent until first measured.',
    registers: [deps.metrics.registry],
    collect() {
      const { lagMs } = deps.monitor.current();
      if (lagMs === undefined) lag.reset();
      else lag.set(lagMs / 1000);
    },
  });
  const up: Gauge = new Gauge({
    name: 'hub_read_replica_up',
    help: '1 when the last poll reached the read replica (a standby in recovery), else 0.',
    registers: [deps.metrics.registry],
    collect() {
      up.set(deps.monitor.current().reachable ? 1 : 0);
    },
  });

  const fallbacks: Counter = new Counter({
    name: 'hub_read_replica_fallbacks_total',
    help: 'Statements of requests routed to the read replica that ran on the primary instead: the standby was found gone during the request (and each such statement was retried on the primary), or cancelled the statement for a conflict with recovery.',
    registers: [deps.metrics.registry],
    collect() {
      fallbacks.reset();
      fallbacks.inc(deps.monitor.fallbacks);
    },
  });

  return {
    async requestDidStart({ request }) {
      const startedAt = Date.now();
      const given = request.http?.headers.get(READ_AFTER_HEADER);
      let target: ReadTarget = 'primary';
      return {
        async didResolveOperation({ contextValue, operation }) {
          let notBefore: Date | undefined;
          if (given !== undefined) {
            notBefore = new Date(given);
            if (!/^\d{4}-\d\d-\d\dT/.test(given) || Number.isNaN(notBefore.getTime())) {
              throw new GraphQLError(`The ${READ_AFTER_HEADER} header must be an ISO 8601 time such as 2026-01-31T09:00:00Z (a run's finishedAt).`, {
                extensions: { code: 'BAD_USER_INPUT', header: READ_AFTER_HEADER, http: { status: 400 } },
              });
            }
          }
          if (operation?.operation !== OperationTypeNode.QUERY) {
            requests.inc({ target: 'primary', reason: 'mutation' });
            return;
          }
          const routed = deps.monitor.route(notBefore);
          target = routed.target;
          requests.inc({ target, reason: routed.reason ?? '' });
          if (target === 'replica') contextValue.services = deps.replica;
        },
        async willSendResponse({ response }) {
          // Reads the standby could not answer during the request were answered by the primary.
          if (target === 'replica' && deps.monitor.fellBackSince(startedAt)) target = 'primary';
          response.http.headers.set(READ_FROM_HEADER, target);
        },
      };
    },
  };
}
