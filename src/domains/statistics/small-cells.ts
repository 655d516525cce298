import { may, P, SMALL_CELL_THRESHOLD } from '../../access/permissions';
import type { ApiClient } from '../../access/api-client.repository';

/**
 * Statistical disclosure control: below the ministry (analysts, offices and centres, banks on
 * take-up), a group of fewer than SMALL_CELL_THRESHOLD firms is left out of a statistics answer, and
 * `suppressedGroups` says how many were, so a count of 1 does not name a firm's capital or a loan.
 */
export function withoutSmallCells<S extends { groups: unknown[]; suppressedGroups: number }>(client: ApiClient, stats: S, firmsIn: (group: S['groups'][number]) => number): S {
  if (may(client.role, P.statisticsExact)) return stats;
  const groups = stats.groups.filter((group) => firmsIn(group) >= SMALL_CELL_THRESHOLD);
  // Added to what the service already left out (take-up's groups of few reported firms).
  return { ...stats, groups, suppressedGroups: stats.suppressedGroups + stats.groups.length - groups.length };
}

export const SUPPRESSED_GROUPS_DESCRIPTION = `Groups of fewer than ${SMALL_CELL_THRESHOLD} firms left out of \`groups\` for your role (statistical disclosure control; the ministry and admins see every group).`;
