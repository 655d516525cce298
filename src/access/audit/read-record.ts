/**
 * The field groups a read audit names (docs/access-and-audit.md): what kind of firm data a
 * response carried, coarse enough to read in a firm's access log, fine enough to tell a profile
 * look-up from a read of its finances or of people's names.
 */
export const FIELD_GROUPS = ['identity', 'finances', 'persons', 'eligibility', 'consents', 'lending'] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];

/**
 * What one request read of firm-level data, gathered while it runs and written as one audit entry
 * when its response is ready (src/access/audit/audit-log.ts). Sets, so a firm read in ten places
 * of a response counts once.
 */
export class ReadRecord {
  readonly juristicIds = new Set<string>();
  /** Records without a known firm (an unlinked factory or licence), as `Type:key`. */
  readonly entities = new Set<string>();
  readonly groups = new Set<FieldGroup>();
  readonly consentIds = new Set<string>();

  get empty(): boolean {
    return this.groups.size === 0;
  }

  note(group: FieldGroup, juristicId: string | null | undefined, entity?: string): void {
    this.groups.add(group);
    if (juristicId) this.juristicIds.add(juristicId);
    else if (entity) this.entities.add(entity);
  }

  /** Adds what another record read (a page read by a service, noted into the request's record). */
  merge(other: ReadRecord): void {
    for (const id of other.juristicIds) this.juristicIds.add(id);
    for (const entity of other.entities) this.entities.add(entity);
    for (const group of other.groups) this.groups.add(group);
    for (const id of other.consentIds) this.consentIds.add(id);
  }
}
