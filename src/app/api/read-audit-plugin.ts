import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { lawfulBasisOf, organisationOf } from '../../access/client-scope';
import type { GraphQLContext } from '../../domains/api-context';

/**
 * The read audit at the edge of the API: a response that carries firm-level data (the records the
 * guard noted, src/domains/firm-data.ts) leaves only once its audit entry is committed; when the
 * audit cannot be written, the client gets SERVICE_UNAVAILABLE (HTTP 503) and no data. A response
 * without firm data costs nothing here. One entry, one INSERT (shared with concurrent requests).
 */
export function readAuditPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue: ctx, response, operationName, source }) {
          // Executed: the rest (the audit's commit, writing the answer) uses no pooled connection,
          // so the next waiting request may execute meanwhile (docs/limits.md#fair-admission).
          ctx.releaseTurn?.();
          const read = ctx.readRecord;
          if (!read || read.empty) return;
          try {
            await ctx.services.readAudit.record({
              at: new Date(),
              requestId: ctx.requestId,
              clientId: ctx.client.id,
              clientName: ctx.client.name,
              role: ctx.client.role,
              organisation: organisationOf(ctx.client),
              operationName: operationName ?? null,
              documentHash: source === undefined ? null : createHash('sha256').update(source).digest('hex'),
              juristicIds: [...read.juristicIds].sort(),
              entities: [...read.entities].sort(),
              fieldGroups: [...read.groups].sort(),
              purpose: ctx.client.purpose,
              lawfulBasis: lawfulBasisOf(ctx.client),
              consentIds: [...read.consentIds].sort(),
            });
          } catch (error) {
            ctx.logger.error({ err: error }, 'read audit not written: the response is withheld');
            if (response.body.kind === 'single') {
              response.body.singleResult.data = null;
              response.body.singleResult.errors = [
                { message: 'The hub cannot record this read in its audit right now, so it does not serve it; try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } },
              ];
            }
            response.http.status = 503;
          }
        },
      };
    },
  };
}
