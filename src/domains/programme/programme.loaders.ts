import { groupedLoader, keyedLoader } from '../../platform/graphql/loaders';
import { registerNodeType } from '../../platform/graphql/node';
import { participationKey } from './programme.repository';
import type { Industry40Assessment, ProgrammeParticipation } from './programme.type';

const ALL_ROLES = ['admin', 'ministry', 'analyst', 'bank'] as const;

/** `Company.programmeParticipations`, newest year first. */
export const participationsOfCompany = groupedLoader<ProgrammeParticipation>('participationsOfCompany', (p) => p.juristicId, (ctx, ids) =>
  ctx.services.programmes.repository.participationsOf(ids),
);

/** `Company.industry40Assessments`, newest first. */
export const assessmentsOfCompany = groupedLoader<Industry40Assessment>('assessmentsOfCompany', (a) => a.juristicId, (ctx, ids) =>
  ctx.services.programmes.repository.assessmentsOf(ids),
);

// Global ID keys that do not parse are dropped: node(id) then answers null, as for a missing record.
const participationByKey = keyedLoader<ProgrammeParticipation>('participationByKey', participationKey, (ctx, keys) =>
  ctx.services.programmes.repository.participationsByKey(
    keys.flatMap((key) => {
      const match = /^(\d{13}):(\d{4}):(.+)$/s.exec(key);
      return match ? [{ juristicId: match[1]!, year: Number(match[2]), programmeCode: match[3]! }] : [];
    }),
  ),
);

const assessmentByKey = keyedLoader<Industry40Assessment>('assessmentByKey', (a) => `${a.juristicId}:${a.assessedOn}`, (ctx, keys) =>
  ctx.services.programmes.repository.assessmentsByKey(
    keys.flatMap((key) => {
      const match = /^(\d{13}):(\d{4}-\d{2}-\d{2})$/.exec(key);
      return match && !Number.isNaN(Date.parse(match[2]!)) ? [{ juristicId: match[1]!, assessedOn: match[2]! }] : [];
    }),
  ),
);

registerNodeType('ProgrammeParticipation', { roles: ALL_ROLES, load: (ctx, key) => participationByKey(ctx).load(key) });
registerNodeType('Industry40Assessment', { roles: ALL_ROLES, load: (ctx, key) => assessmentByKey(ctx).load(key) });
