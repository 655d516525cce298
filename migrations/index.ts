import { InitialSchema1763740000000 } from './1763740000000-initial-schema';
import { IngestionState1763745000000 } from './1763745000000-ingestion-state';
import { ReferenceData1763750000000 } from './1763750000000-reference-data';
import { Dbd1763760000000 } from './1763760000000-dbd';
import { TisiDipOie1763770000000 } from './1763770000000-tisi-dip-oie';
import { LinkingAndProfiles1763780000000 } from './1763780000000-linking-and-profiles';
import { GraphIndexes1763790000000 } from './1763790000000-graph-indexes';
import { CertificationIndexes1763791000000 } from './1763791000000-certification-indexes';
import { LoanProducts1763794000000 } from './1763794000000-loan-products';
import { Statistics1763793000000 } from './1763793000000-statistics';
import { Eligibility1763795000000 } from './1763795000000-eligibility';
import { Consent1763796000000 } from './1763796000000-consent';
import { LoanOutcomes1763797000000 } from './1763797000000-loan-outcomes';
import { EligibilityResultFillfactor1763798000000 } from './1763798000000-eligibility-result-fillfactor';
import { ApiClientChanges1763799000000 } from './1763799000000-api-client-changes';
import { EligibilityInput1763800000000 } from './1763800000000-eligibility-input';
import { RecordLinks1763801000000 } from './1763801000000-record-links';
import { CompanyRunIndexes1763802000000 } from './1763802000000-company-run-indexes';
import { CompanyRenameRun1763803000000 } from './1763803000000-company-rename-run';
import { I40LevelPrecision1763804000000 } from './1763804000000-i40-level-precision';
import { SourceStateTable1763805500000 } from './1763805500000-source-state-table';
import { ClientLimits1763900000000 } from './1763900000000-client-limits';
import { BankSequences1763901000000 } from './1763901000000-bank-sequences';
import { AlertState1763902000000 } from './1763902000000-alert-state';
import { TokenBuckets1763903000000 } from './1763903000000-token-buckets';
import { AreasAndClientScope1763910100000 } from './1763910100000-areas-and-client-scope';
import { ReadAudit1763910200000 } from './1763910200000-read-audit';
import { RegistryChanges1763930000000 } from './1763930000000-registry-changes';
import { CentresAndGroups1763935100000 } from './1763935100000-centres-and-groups';
import { AdminActions1763935200000 } from './1763935200000-admin-actions';
import { AccessLogIntoAudit1763935300000 } from './1763935300000-access-log-into-audit';
import { RegistryCursorKey1763940000000 } from './1763940000000-registry-cursor-key';
import { RegistryChangesDip1763950000000 } from './1763950000000-registry-changes-dip';
import { RegistryLeftScope1763955000000 } from './1763955000000-registry-left-scope';
import { AdminCheckpoints1763962400000 } from './1763962400000-admin-checkpoints';
import { RegistryRecordJson1763965000000 } from './1763965000000-registry-record-json';
import { RegistryAreaFollows1763970000000 } from './1763970000000-registry-area-follows';
import { FactoryOperatorMasked1763975000000 } from './1763975000000-factory-operator-masked';
import { RegistryMaskedLinks1763980000000 } from './1763980000000-registry-masked-links';

/** Every migration, in order. Listed explicitly so the same list works from src/ (tests) and dist/. */
export const migrations = [
  InitialSchema1763740000000,
  IngestionState1763745000000,
  ReferenceData1763750000000,
  Dbd1763760000000,
  TisiDipOie1763770000000,
  LinkingAndProfiles1763780000000,
  GraphIndexes1763790000000,
  CertificationIndexes1763791000000,
  Statistics1763793000000,
  LoanProducts1763794000000,
  Eligibility1763795000000,
  Consent1763796000000,
  LoanOutcomes1763797000000,
  EligibilityResultFillfactor1763798000000,
  ApiClientChanges1763799000000,
  EligibilityInput1763800000000,
  RecordLinks1763801000000,
  CompanyRunIndexes1763802000000,
  CompanyRenameRun1763803000000,
  I40LevelPrecision1763804000000,
  SourceStateTable1763805500000,
  ClientLimits1763900000000,
  BankSequences1763901000000,
  AlertState1763902000000,
  TokenBuckets1763903000000,
  AreasAndClientScope1763910100000,
  ReadAudit1763910200000,
  RegistryChanges1763930000000,
  CentresAndGroups1763935100000,
  AdminActions1763935200000,
  AccessLogIntoAudit1763935300000,
  RegistryCursorKey1763940000000,
  RegistryChangesDip1763950000000,
  RegistryLeftScope1763955000000,
  AdminCheckpoints1763962400000,
  RegistryRecordJson1763965000000,
  RegistryAreaFollows1763970000000,
  FactoryOperatorMasked1763975000000,
  RegistryMaskedLinks1763980000000,
];
