import { GraphQLJSON } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../platform/graphql/connection';

export enum RegistryRecordType {
  COMPANY = 'COMPANY',
  FACTORY = 'FACTORY',
  TIS_LICENSE = 'TIS_LICENSE',
  DIP_PARTICIPATION = 'DIP_PARTICIPATION',
  I40_ASSESSMENT = 'I40_ASSESSMENT',
  LOAN_PRODUCT = 'LOAN_PRODUCT',
}
registerEnumType(RegistryRecordType, {
  name: 'RegistryRecordType',
  description: 'A kind of record the registry change feed and the bulk exports carry.',
  valuesConfig: {
    COMPANY: { description: 'A DBD juristic person (key: juristic ID); export `companies.ndjson`.' },
    FACTORY: { description: 'A DIW factory (key: FID); export `factories.ndjson`.' },
    TIS_LICENSE: { description: 'A TISI licence (key: licence number); export `tis-licences.ndjson`.' },
    DIP_PARTICIPATION: {
      description: 'A firm’s participation in a DIP support programme (key: an opaque `dip-...`, since DIP’s own key may name a person); a participant not known to be a company is masked; export `dip-participations.ndjson`.',
    },
    I40_ASSESSMENT: { description: 'A firm’s Industry 4.0 assessment with DIP (key: an opaque `dip-...`); masked as DIP participations; export `i40-assessments.ndjson`.' },
    LOAN_PRODUCT: { description: 'A partner bank’s loan product (key: `BANK:CODE`); a bank reads its own only; export `loan-products.ndjson`.' },
  },
});

export enum RegistryChangeKind {
  CREATED = 'CREATED',
  CHANGED = 'CHANGED',
  MARKED_ABSENT = 'MARKED_ABSENT',
  RETURNED = 'RETURNED',
  LINKED = 'LINKED',
  RELINKED = 'RELINKED',
  UNLINKED = 'UNLINKED',
  LEFT_SCOPE = 'LEFT_SCOPE',
  ENTERED_SCOPE = 'ENTERED_SCOPE',
}
registerEnumType(RegistryChangeKind, {
  name: 'RegistryChangeKind',
  description: 'What happened to a record.',
  valuesConfig: {
    CREATED: { description: 'The record was loaded for the first time.' },
    CHANGED: { description: 'Values of the record changed (`changedFields` names them).' },
    MARKED_ABSENT: { description: 'A complete snapshot of its source no longer lists it (kept, with `absent: true`).' },
    RETURNED: { description: 'A record marked absent is listed again (and may have changed: `changedFields`).' },
    LINKED: { description: 'The record was linked to a DBD company (`companyJuristicId`, `linkMethod`).' },
    RELINKED: { description: 'The record’s link changed: another company, method or confidence.' },
    UNLINKED: { description: 'The record’s link to a company was removed.' },
    LEFT_SCOPE: {
      description:
        'For area roles only: the record left your area (e.g. a factory’s province changed, a record was relinked to a company elsewhere, or its company’s head office or a licence’s plant moved elsewhere and it followed): drop your copy of `key`. `record` is null and `changedFields` empty; should it come back, a later change brings it whole.',
    },
    ENTERED_SCOPE: {
      description:
        'For area roles only: the record came into your area without a change of its own (its company’s head office, or a licence’s plant, moved into your area and it followed; or, once at the upgrade that placed masked records by their own data, a masked participation DIP places in your area): upsert `record` by `key`, as for any change. `changedFields` is empty. The company’s own move is a CHANGED of the company.',
    },
  },
});

@ObjectType({ description: 'One change of a register record, in the order the hub committed it.' })
export class RegistryChange {
  @Field(() => String, {
    nullable: true,
    description:
      'Position in the hub-wide change log (dense, in commit order), for the roles that see the whole log (admin, ministry, analyst); null for area roles and banks, whose cursors are sealed so that they do not count the changes left out. Resume with the cursor, never with this.',
  })
  position!: string | null;

  @Field(() => RegistryRecordType, { description: 'The kind of record.' })
  type!: RegistryRecordType;

  @Field({ description: 'The record’s key: juristic ID, FID, licence number, `BANK:CODE`, or for a DIP record an opaque `dip-...` (DIP’s own key names the participant).' })
  key!: string;

  @Field(() => RegistryChangeKind, { description: 'What happened.' })
  kind!: RegistryChangeKind;

  @Field(() => [String], { description: 'Fields of `record` whose values changed: empty for CREATED, LEFT_SCOPE and ENTERED_SCOPE; `absent` among them for MARKED_ABSENT and RETURNED; the link fields for LINKED, RELINKED and UNLINKED.' })
  changedFields!: string[];

  @Field(() => String, { nullable: true, description: 'The ingestion run that wrote the change (the run that marked it absent for MARKED_ABSENT; the record’s last loading run for link changes).' })
  runId!: string | null;

  @Field({ description: 'When the change was committed.' })
  occurredAt!: Date;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'The record as it is now (not as it was at this change), masked like the graph: the same object as a line of its export. Apply it as an upsert by key; null for LEFT_SCOPE (delete by key).',
  })
  record!: unknown;
}

@ObjectType({ description: 'One change, with its cursor.' })
export class RegistryChangeEdge {
  @Field({ description: 'Opaque cursor of this change; pass it as `after` to continue after it.' })
  cursor!: string;

  @Field(() => RegistryChange, { description: 'The change.' })
  node!: RegistryChange;
}

@ObjectType({ description: 'A page of the registry change feed: the changes of records the caller may see (the others are left out before `first` counts).' })
export class RegistryChangeConnection {
  @Field(() => [RegistryChangeEdge], { description: 'The changes of this page the caller may see (up to `first`).' })
  edges!: RegistryChangeEdge[];

  @Field(() => PageInfo, { description: '`endCursor` is where the next page starts, also when this one is empty: always resume from it.' })
  pageInfo!: PageInfo;
}
