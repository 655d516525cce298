import { createHash } from 'node:crypto';
import { DomainError } from '../../platform/errors/domain-error';
import type { Logger } from '../../platform/logging/logger';
import type { ApiClient } from '../api-client.repository';
import { lawfulBasisOf, organisationOf } from '../client-scope';
import type { ReadAuditLog } from './read-audit';
import type { ReadRecord } from './read-record';

/** The message a stream ends with when its next page cannot be recorded (503 before the first byte, the `error` line after it). */
export const AUDIT_UNAVAILABLE_MESSAGE = 'The hub cannot record this read in its audit right now, so it does not serve it; try again shortly.';

/**
 * Records one page of a streaming response (an NDJSON feed's page, an export's chunk) in the read
 * audit, and resolves only once the entry is committed: the caller writes the page after this, so
 * no firm data leaves unrecorded (docs/access-and-audit.md, "Feeds and exports"). One entry per
 * page: who (client, role, organisation), which path (`operationName`, e.g. `GET /feeds/registry`),
 * the SHA-256 of the request's path and query, the firms and records the page carries and their
 * field groups (`read`), the client's purpose and lawful basis. A page that carries no firm data
 * (`read.empty`: no events, only loan products) writes nothing.
 *
 * When the entry cannot be written it throws SERVICE_UNAVAILABLE: before the first byte the
 * stream answers 503; after it, the stream ends with its `error` line, without the page.
 * With AUDIT=off (ReadAuditLog `enabled: false`) nothing is written.
 */
export async function auditStreamPage(
  log: ReadAuditLog,
  logger: Logger,
  client: ApiClient,
  request: { id: string; url: string },
  operationName: string,
  read: ReadRecord,
): Promise<void> {
  if (read.empty) return;
  try {
    await log.record({
      at: new Date(),
      requestId: request.id,
      clientId: client.id,
      clientName: client.name,
      role: client.role,
      organisation: organisationOf(client),
      operationName,
      documentHash: createHash('sha256').update(request.url).digest('hex'),
      juristicIds: [...read.juristicIds].sort(),
      entities: [...read.entities].sort(),
      fieldGroups: [...read.groups].sort(),
      purpose: client.purpose,
      lawfulBasis: lawfulBasisOf(client),
      consentIds: [...read.consentIds].sort(),
    });
  } catch (error) {
    logger.error({ err: error, requestId: request.id, operationName }, 'read audit not written: the page is withheld');
    throw new DomainError('SERVICE_UNAVAILABLE', AUDIT_UNAVAILABLE_MESSAGE);
  }
}
