import { P } from '../../access/permissions';
import { firmScopeSql } from '../firm-scope';
import { childConnections, keyedLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import type { LicenceParent } from './certification.repository';
import { LICENCE_CURSOR, licenceCursorKey, licencePositionOf } from './certification.service';
import type { TisLicense, TisStandard } from './certification.type';


export const standardByTisNo = keyedLoader<TisStandard>('standardByTisNo', (s) => s.tisNo, (ctx, tisNos) => ctx.services.certifications.standardsByTisNos(tisNos));

const licenceByNo = keyedLoader<TisLicense>('licenceByNo', (l) => l.licenceNo, (ctx, licenceNos) => ctx.services.certifications.licencesByNos(licenceNos));

/** Licences below each parent of one kind, newest issue first; `after` is a licence cursor's key, checked by the resolver. */
function licencesBy(name: string, parent: LicenceParent, parentOf: (licence: TisLicense) => string) {
  return childConnections<TisLicense>({
    name,
    kind: LICENCE_CURSOR,
    parentOf,
    cursorOf: licenceCursorKey,
    fetchPages: async (ctx, parents, after, limit) =>
      ctx.services.certifications.licencePagesBy(parent, parents, after === undefined ? undefined : licencePositionOf(after), limit, await firmScopeSql(ctx)),
    countByParent: async (ctx, parents) => ctx.services.certifications.countLicencesBy(parent, parents, await firmScopeSql(ctx)),
    fetchPagesCounted: async (ctx, parents, after, limit) => {
      const page = await ctx.services.certifications.licencePagesByCounted(parent, parents, after === undefined ? undefined : licencePositionOf(after), limit, await firmScopeSql(ctx));
      return { rows: page.licences, counts: page.counts };
    },
  });
}

/** `TisStandard.licences`. */
export const licencesOfStandard = licencesBy('licencesOfStandard', 'tis_no', (l) => l.tisNo);
/** `Company.certifications`: licences linked to the company (by the licensee's tax ID, else by name). */
export const licencesOfCompany = licencesBy('licencesOfCompany', 'company_juristic_id', (l) => l.link?.companyJuristicId ?? '');
/** `Factory.licences`. */
export const licencesOfFactory = licencesBy('licencesOfFactory', 'fid', (l) => l.fid ?? '');

/** The types of this domain `node(id)` fetches. */
export const certificationNodeTypes: readonly DomainNodeType[] = [
  nodeType('TisStandard', { permission: P.referenceRead, load: (ctx, key) => standardByTisNo(ctx).load(key) }),
  nodeType('TisLicense', { permission: P.firmsRead, load: (ctx, key) => licenceByNo(ctx).load(key) }),
];
