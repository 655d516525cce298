import { P } from '../../access/permissions';
import { groupedLoader, keyedLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import { DIP_KEY_PATTERN } from './dip-record-key';
import type { Industry40Assessment, ProgrammeParticipation } from './programme.type';

/** `Company.programmeParticipations`, newest year first. */
export const participationsOfCompany = groupedLoader<ProgrammeParticipation>('participationsOfCompany', (p) => p.link?.companyJuristicId ?? '', (ctx, ids) =>
  ctx.services.programmes.participationsOf(ids),
);

/** `Company.industry40Assessments`, newest first. */
export const assessmentsOfCompany = groupedLoader<Industry40Assessment>('assessmentsOfCompany', (a) => a.link?.companyJuristicId ?? '', (ctx, ids) =>
  ctx.services.programmes.assessmentsOf(ids),
);

// A DIP record's global ID holds its key (`dip-...`), never DIP's own key (which may name a person).
// Keys that are not one are dropped: node(id) then answers null, as for a missing record.
const dipKeys = (keys: readonly string[]): string[] => keys.filter((key) => DIP_KEY_PATTERN.test(key));

const participationByKey = keyedLoader<ProgrammeParticipation>('participationByKey', (p) => p.recordKey, (ctx, keys) =>
  ctx.services.programmes.participationsByKey(dipKeys(keys)),
);

const assessmentByKey = keyedLoader<Industry40Assessment>('assessmentByKey', (a) => a.recordKey, (ctx, keys) =>
  ctx.services.programmes.assessmentsByKey(dipKeys(keys)),
);

/** The types of this domain `node(id)` fetches. */
export const programmeNodeTypes: readonly DomainNodeType[] = [
  nodeType('ProgrammeParticipation', { permission: P.firmsRead, load: (ctx, key) => participationByKey(ctx).load(key) }),
  nodeType('Industry40Assessment', { permission: P.firmsRead, load: (ctx, key) => assessmentByKey(ctx).load(key) }),
];
