import { P } from '../../access/permissions';
import { keyedLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import type { IndustrialIndexGroup, IndustrialIndexMonth } from './industrial-index.type';

const MONTH_KEY = /^(C|[0-9]{2,5}):(\d{4}-(0[1-9]|1[0-2]))$/;

export const industrialIndexGroupByCode = keyedLoader<IndustrialIndexGroup>('industrialIndexGroupByCode', (g) => g.code, (ctx, codes) =>
  ctx.services.industrialIndex.groups(codes),
);

/** Keyed `group:YYYY-MM`, the key of the month's global ID; malformed keys load nothing. */
const industrialIndexMonthByKey = keyedLoader<IndustrialIndexMonth>('industrialIndexMonthByKey', (m) => `${m.groupCode}:${m.month}`, (ctx, keys) =>
  ctx.services.industrialIndex.monthsByKey(
    keys.flatMap((key) => {
      const match = MONTH_KEY.exec(key);
      return match ? [{ groupCode: match[1]!, month: `${match[2]!}-01` }] : [];
    }),
  ),
);

/** The types of this domain `node(id)` fetches. */
export const industrialIndexNodeTypes: readonly DomainNodeType[] = [
  nodeType('IndustrialIndexGroup', { permission: P.referenceRead, load: (ctx, key) => industrialIndexGroupByCode(ctx).load(key) }),
  nodeType('IndustrialIndexMonth', { permission: P.referenceRead, load: (ctx, key) => industrialIndexMonthByKey(ctx).load(key) }),
];
