import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { IsoDateScalar, JuristicIdScalar } from '../scalars';
import { connectionType, type Connection } from '../../platform/graphql/connection';
import { Node } from '../node/node.type';
import { PartnerBank } from '../eligibility/eligibility.type';

export enum ConsentStatus {
  ACTIVE = 'ACTIVE',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(ConsentStatus, {
  name: 'ConsentStatus',
  description: 'Where a consent stands today (Bangkok calendar). Only an ACTIVE consent opens a company to its bank.',
  valuesConfig: {
    ACTIVE: { description: 'Not revoked, and `validUntil` is today or later.' },
    REVOKED: { description: 'Revoked (through the API or in the ministry’s consent registry), whatever its date.' },
    EXPIRED: { description: 'Not revoked, but `validUntil` has passed.' },
  },
});

export enum ConsentOrigin {
  MUTATION = 'MUTATION',
  REGISTRY = 'REGISTRY',
}
registerEnumType(ConsentOrigin, {
  name: 'ConsentOrigin',
  description: 'How the hub learned of a consent.',
  valuesConfig: {
    MUTATION: { description: 'Granted by a ministry or admin client with `grantConsent`.' },
    REGISTRY: { description: 'Loaded from the ministry’s consent registry (source `consent-registry`).' },
  },
});

@ObjectType({
  implements: Node,
  description:
    'A company’s consent (ความยินยอม) that one partner bank may see its detailed profile (financial statements, directors and shareholders unmasked) for a purpose until a date: the lawful basis under the PDPA for disclosing that personal data to the bank.',
})
export class Consent extends Node {
  @Field({ description: 'Juristic ID of the company that consented.' })
  juristicId!: string;

  @Field(() => PartnerBank, { description: 'The bank the company consented to.' })
  bank!: PartnerBank;

  @Field({ description: 'The purpose, as the consent words it.' })
  purpose!: string;

  @Field({ description: 'When the company gave its consent.' })
  grantedAt!: Date;

  @Field({ description: 'Last day the consent is valid, inclusive (Bangkok calendar), `YYYY-MM-DD`.' })
  validUntil!: string;

  @Field(() => ConsentStatus, { description: 'ACTIVE, REVOKED or EXPIRED, today.' })
  status!: ConsentStatus;

  @Field(() => ConsentOrigin, { description: 'Granted through the API or loaded from the ministry’s consent registry.' })
  origin!: ConsentOrigin;

  /** Name of the API client that granted it: a field resolver shows it to whom may see it (ConsentResolver). */
  grantedByClient!: string | null;
  grantedByClientId!: string | null;

  @Field(() => String, { nullable: true, description: 'The consent’s key in the ministry’s consent registry (origin REGISTRY).' })
  registryId!: string | null;

  @Field(() => String, { nullable: true, description: 'The `consent-registry` run that last changed it (origin REGISTRY); see `ingestionRuns`.' })
  loadedByRunId!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was revoked; null unless REVOKED.' })
  revokedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was revoked, as the revoker gave it.' })
  revocationReason!: string | null;

  /** Name of the API client that revoked it, shown as grantedByClient is. */
  revokedByClient!: string | null;
  revokedByClientId!: string | null;

  @Field(() => String, { nullable: true, description: 'The `consent-registry` run that revoked it (revoked, or no longer listed, in the registry).' })
  revokedByRunId!: string | null;

  @Field({ description: 'When the hub recorded it.' })
  recordedAt!: Date;
}

export const ConsentConnection = connectionType(Consent, { name: 'Consent', items: 'consents' });
export type ConsentConnection = Connection<Consent>;

@InputType({ description: 'A company’s consent to a bank, as a ministry application records it.' })
export class GrantConsentInput {
  @Field(() => JuristicIdScalar, { description: 'Juristic ID of the consenting company. NOT_FOUND when the hub does not hold the company.' })
  juristicId!: string;

  @Field(() => PartnerBank, { description: 'The bank the company consents to.' })
  bank!: PartnerBank;

  @Field({ description: 'The purpose, as the consent form words it (1 to 500 characters), e.g. `พิจารณาคำขอสินเชื่อ`.' })
  purpose!: string;

  @Field(() => IsoDateScalar, { description: 'Last valid day (Bangkok calendar): today at the earliest, at most 10 years ahead.' })
  validUntil!: string;
}

@InputType({ description: 'Consent filters; every filter given must match (AND).' })
export class ConsentFilter {
  @Field(() => JuristicIdScalar, { nullable: true, description: 'Consents of this company.' })
  juristicId?: string | null;

  @Field(() => PartnerBank, { nullable: true, description: 'Consents to this bank (a bank client may name only its own).' })
  bank?: PartnerBank | null;

  @Field(() => [ConsentStatus], { nullable: true, description: 'Any of these statuses (today).' })
  status?: ConsentStatus[] | null;

  @Field(() => ConsentOrigin, { nullable: true, description: 'Granted through the API or loaded from the registry.' })
  origin?: ConsentOrigin | null;
}

@ObjectType({ description: 'One logged read of consent-gated fields: who read which fields of which company, on the strength of which consent (PDPA record of disclosure).' })
export class DataAccessLogEntry {
  @Field({ description: 'When the data was read (the response was sent right after its audit entry was committed).' })
  at!: Date;

  @Field({ description: 'The request’s ID (its `x-request-id` header), which the hub’s logs carry too.' })
  requestId!: string;

  @Field({ description: 'Name of the API client that read it (e.g. a bank’s loan application, a provincial office’s app).' })
  clientName!: string;

  @Field({ description: 'Role of that client: admin, ministry, analyst, bank, province, centre or firm.' })
  role!: string;

  @Field({ description: 'The reading organisation: `bank:SMED`, `province:50` (a provincial industry office), `centre:7` (a regional centre), `firm:<juristic ID>`, or the role (`ministry`, `admin`, `analyst`).' })
  organisation!: string;

  @Field(() => PartnerBank, { nullable: true, description: 'The client’s bank, when a bank read it.' })
  bank!: PartnerBank | null;

  @Field({ description: 'Juristic ID of the company read (the one asked for; else the first of `juristicIds`).' })
  juristicId!: string;

  @Field(() => [String], { description: 'Every firm the response carried (ministry and admin clients only; others see the firm asked for).' })
  juristicIds!: string[];

  @Field(() => [String], { description: 'The field groups read: identity, finances, persons, eligibility, consents, lending (since the read audit; earlier entries named fields).' })
  fields!: string[];

  @Field(() => String, { nullable: true, description: 'The purpose the client declared (`client:create --purpose`).' })
  purpose!: string | null;

  @Field(() => String, { nullable: true, description: 'The lawful basis of the read (PDPA): CONSENT, CONTRACT, PUBLIC_TASK, LEGAL_OBLIGATION, LEGITIMATE_INTEREST; null for a firm reading its own data.' })
  lawfulBasis!: string | null;

  @Field(() => String, { nullable: true, description: 'The GraphQL operation’s name, when it had one.' })
  operationName!: string | null;

  @Field(() => String, { description: 'Position of the entry in the read audit’s hash chain (`npm run hub -- audit:verify`).' })
  auditSeq!: string;

  /** Not a field: the `consent` and `consents` resolvers load them. */
  consentIds!: string[];
}

export const DataAccessLogConnection = connectionType(DataAccessLogEntry, { name: 'DataAccessLogEntry', items: 'audited reads of a firm’s data' });
export type DataAccessLogConnection = Connection<DataAccessLogEntry>;
