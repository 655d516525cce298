import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IsoDateScalar, TisNoScalar } from '../scalars';
import { connectionType, type Connection } from '../../platform/graphql/connection';
import { Node } from '../node/node.type';
import type { LinkMethod } from '../factory/factory.type';
import { SortDirection } from '../../platform/graphql/sort-direction';
import { Provenance } from '../provenance/provenance.type';

export enum TisStandardStatus {
  IN_FORCE = 'IN_FORCE',
  CANCELLED = 'CANCELLED',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(TisStandardStatus, {
  name: 'TisStandardStatus',
  description: 'Status of a Thai Industrial Standard (สถานะ มอก.), decoded from TISI\'s wording (kept in `statusText`).',
  valuesConfig: {
    IN_FORCE: { description: 'In force (ใช้งาน, มีผลใช้บังคับ).' },
    CANCELLED: { description: 'Cancelled or withdrawn by TISI (ยกเลิก).' },
    UNKNOWN: { description: 'TISI\'s wording was missing or not recognised.' },
  },
});

export enum TisLicenseStatus {
  VALID = 'VALID',
  SUSPENDED = 'SUSPENDED',
  CANCELLED = 'CANCELLED',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(TisLicenseStatus, {
  name: 'TisLicenseStatus',
  description: 'Status of a licence to use a standard mark (สถานะใบอนุญาต), decoded from TISI\'s wording (kept in `statusText`).',
  valuesConfig: {
    VALID: { description: 'Valid (ปกติ, ใช้งาน).' },
    SUSPENDED: { description: 'Suspended (พักใช้); see `suspendedOn`.' },
    CANCELLED: { description: 'Revoked or cancelled (เพิกถอน, ยกเลิก); see `cancelledOn`.' },
    UNKNOWN: { description: 'TISI\'s wording was missing or not recognised.' },
  },
});

@ObjectType({ implements: Node, description: 'A Thai Industrial Standard (มาตรฐานผลิตภัณฑ์อุตสาหกรรม, มอก.) published by TISI (สมอ.).' })
export class TisStandard extends Node {
  @Field({ description: 'Standard number with its Buddhist-Era edition year (เลข มอก.), e.g. `2536-2555`: the key.' })
  tisNo!: string;

  @Field(() => Int, { description: 'The number part of `tisNo`, e.g. 2536; editions of one standard share it.' })
  number!: number;

  @Field(() => Int, { description: 'Edition year, Common Era, e.g. 2012.' })
  yearCe!: number;

  @Field(() => Int, { description: 'Edition year, Buddhist Era as TISI writes it (พ.ศ.), e.g. 2555.' })
  yearBe!: number;

  @Field({ description: 'Thai name of the standard (ชื่อมาตรฐาน).' })
  nameTh!: string;

  @Field({ description: 'True for a mandatory standard (มาตรฐานบังคับ, `บ`): products under it must carry the mark; false for a voluntary one (มาตรฐานทั่วไป, `ท`).' })
  mandatory!: boolean;

  @Field(() => TisStandardStatus, { description: 'Whether the standard is in force.' })
  status!: TisStandardStatus;

  @Field(() => String, { nullable: true, description: 'The status as TISI words it, e.g. ใช้งาน.' })
  statusText!: string | null;

  @Field({ description: 'True when the standard was missing from TISI\'s latest complete list; the hub keeps the last version it saw.' })
  withdrawnFromSource!: boolean;

  @Field(() => Provenance, { description: 'Where and when this record came from (TISI gives no per-record update date).' })
  provenance!: Provenance;
}

@ObjectType({ implements: Node, description: 'A TISI licence to use a standard mark on a product (ใบอนุญาต มอก.).' })
export class TisLicense extends Node {
  @Field({ description: 'Licence number (เลขที่ใบอนุญาต), spaces removed, e.g. `ท1234-65/2416`: the key.' })
  licenceNo!: string;

  @Field(() => String, { nullable: true, description: 'Licence type as TISI words it: ทำ (made in Thailand) or นำเข้า (imported).' })
  licenceType!: string | null;

  @Field({ description: 'Issue date (วันที่ออกใบอนุญาต), ISO date.' })
  issuedOn!: string;

  @Field({ description: 'The standard licensed (เลข มอก.), e.g. `2536-2555`; see `standard`.' })
  tisNo!: string;

  @Field(() => TisLicenseStatus, { description: 'Licence status.' })
  status!: TisLicenseStatus;

  @Field(() => String, { nullable: true, description: 'The status as TISI words it, e.g. ปกติ or พักใช้.' })
  statusText!: string | null;

  @Field(() => String, { nullable: true, description: 'Date of suspension (วันที่พักใช้), ISO date.' })
  suspendedOn!: string | null;

  @Field(() => String, { nullable: true, description: 'Date of revocation or cancellation (วันที่เพิกถอน), ISO date.' })
  cancelledOn!: string | null;

  @Field(() => String, { nullable: true, description: '14-digit DIW factory ID of the licensed plant, when TISI gives one; see `factory`.' })
  fid!: string | null;

  @Field({ description: 'True when the licence was missing from TISI\'s latest complete list; the hub keeps the last version it saw.' })
  withdrawnFromSource!: boolean;

  @Field(() => Provenance, { description: 'Where and when this record came from (TISI gives no per-record update date).' })
  provenance!: Provenance;

  /** Not fields: the licensee, shown or masked by the resolver. */
  licenseeNameData!: string | null;
  licenseeTaxIdData!: string | null;
  /**
   * Whether the licensee is known to be a DBD company: linked by its tax ID, or (TISI gave none) by
   * an exact name; a fuzzy name match is not proof enough to show an individual's name.
   */
  licenseeIsCompany!: boolean;
  /** The company the linker found, shown by the resolver unless the licensee is masked. */
  link!: { companyJuristicId: string; method: LinkMethod; confidence: number } | null;
  /** The standard, when a read plan read it with the licence (null: TISI's list lacks it); else `standard` loads it. */
  standardData?: TisStandard | null;
}

export const TisStandardConnection = connectionType(TisStandard, { name: 'TisStandard', items: 'TISI standards (มอก.)' });
export type TisStandardConnection = Connection<TisStandard>;

export const TisLicenseConnection = connectionType(TisLicense, { name: 'TisLicense', items: 'TISI licences (ใบอนุญาต มอก.), newest issue date first' });
export type TisLicenseConnection = Connection<TisLicense>;

@InputType({ description: 'Filters of TISI standards; every filter given must match (AND).' })
export class TisStandardFilter {
  @Field(() => Boolean, { nullable: true, description: 'true: mandatory standards only (มาตรฐานบังคับ); false: voluntary only (มาตรฐานทั่วไป).' })
  mandatory?: boolean | null;

  @Field(() => TisStandardStatus, { nullable: true, description: 'Standards with this status.' })
  status?: TisStandardStatus | null;

  @Field(() => Int, { nullable: true, description: 'Every edition of this standard number, e.g. 2536.' })
  number?: number | null;

  @Field(() => String, { nullable: true, description: 'Search in the Thai name that tolerates spelling slips: a substring or a trigram word-similarity match, e.g. `เหล็กเส้น`.' })
  nameSearch?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only standards missing from TISI\'s latest list; false: only those still in it. Both when not given.' })
  withdrawnFromSource?: boolean | null;
}

@InputType({ description: 'Filters of TISI licences; every filter given must match (AND).' })
export class TisLicenseFilter {
  @Field(() => TisNoScalar, { nullable: true, description: 'Licences for this standard (เลข มอก.), e.g. `2536-2555`.' })
  tisNo?: string | null;

  @Field(() => [TisLicenseStatus], { nullable: true, description: 'Any of these statuses.' })
  status?: TisLicenseStatus[] | null;

  @Field(() => String, { nullable: true, description: 'Licence type as TISI words it: ทำ (made in Thailand) or นำเข้า (imported).' })
  licenceType?: string | null;

  @Field(() => IsoDateScalar, { nullable: true, description: 'Issued on or after this date.' })
  issuedFrom?: string | null;

  @Field(() => IsoDateScalar, { nullable: true, description: 'Issued on or before this date.' })
  issuedTo?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only licences missing from TISI\'s latest list; false: only those still in it. Both when not given.' })
  withdrawnFromSource?: boolean | null;
}

export enum TisLicenseOrderField {
  ISSUED_ON = 'ISSUED_ON',
  LICENCE_NO = 'LICENCE_NO',
}
registerEnumType(TisLicenseOrderField, {
  name: 'TisLicenseOrderField',
  description: 'What to sort licences by; ties are broken by licence number.',
  valuesConfig: {
    ISSUED_ON: { description: 'Issue date (วันที่ออกใบอนุญาต); the default, newest first.' },
    LICENCE_NO: { description: 'Licence number (เลขที่ใบอนุญาต); ascending by default.' },
  },
});

@InputType({ description: 'Sort order of a licence list.' })
export class TisLicenseOrder {
  @Field(() => TisLicenseOrderField, { description: 'Field to sort by.' })
  field!: TisLicenseOrderField;

  @Field(() => SortDirection, { nullable: true, description: 'Direction (default: descending for ISSUED_ON, ascending for LICENCE_NO).' })
  direction?: SortDirection | null;
}
