import { P } from '../../access/permissions';
import { groupedLoader, keyedLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import { assessmentKey, participationKey } from './programme.repository';
import type { Industry40Assessment, ProgrammeParticipation } from './programme.type';


/** `Company.programmeParticipations`, newest year first. */
export const participationsOfCompany = groupedLoader<ProgrammeParticipation>('participationsOfCompany', (p) => p.companyJuristicId ?? '', (ctx, ids) =>
  ctx.services.programmes.participationsOf(ids),
);

/** `Company.industry40Assessments`, newest first. */
export const assessmentsOfCompany = groupedLoader<Industry40Assessment>('assessmentsOfCompany', (a) => a.companyJuristicId ?? '', (ctx, ids) =>
  ctx.services.programmes.assessmentsOf(ids),
);

/** A participant key: a juristic ID, or `name:` and a normalised name (see participationKey). */
const PARTICIPANT = String.raw`\d{13}|name:.+?`;

// Global ID keys that do not parse are dropped: node(id) then answers null, as for a missing record.
const participationByKey = keyedLoader<ProgrammeParticipation>('participationByKey', participationKey, (ctx, keys) =>
  ctx.services.programmes.participationsByKey(
    keys.flatMap((key) => {
      const match = new RegExp(`^(${PARTICIPANT}):(\\d{4}):(.+)$`, 's').exec(key);
      return match ? [{ participantKey: match[1]!, year: Number(match[2]), programmeCode: match[3]! }] : [];
    }),
  ),
);

const assessmentByKey = keyedLoader<Industry40Assessment>('assessmentByKey', assessmentKey, (ctx, keys) =>
  ctx.services.programmes.assessmentsByKey(
    keys.flatMap((key) => {
      const match = new RegExp(`^(${PARTICIPANT}):(\\d{4}-\\d{2}-\\d{2})$`, 's').exec(key);
      return match && !Number.isNaN(Date.parse(match[2]!)) ? [{ participantKey: match[1]!, assessedOn: match[2]! }] : [];
    }),
  ),
);

/** The types of this domain `node(id)` fetches. */
export const programmeNodeTypes: readonly DomainNodeType[] = [
  nodeType('ProgrammeParticipation', { permission: P.firmsRead, load: (ctx, key) => participationByKey(ctx).load(key) }),
  nodeType('Industry40Assessment', { permission: P.firmsRead, load: (ctx, key) => assessmentByKey(ctx).load(key) }),
];
