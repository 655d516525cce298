import { DomainError } from '../../platform/errors/domain-error';
import type { IndustrialIndexRepository } from './industrial-index.repository';
import type { IndustrialIndexMonth } from './industrial-index.type';

const MONTH = /^(\d{4})-(\d{2})$/;
/** As the table's CHECK: `C` (all manufacturing) or a TSIC code of 2-5 digits. */
const GROUP = /^(C|[0-9]{2,5})$/;

/** A `YYYY-MM` argument as the first day of its month; BAD_USER_INPUT for anything else. */
export function monthArgument(value: string, argument: string): string {
  const match = MONTH.exec(value.trim());
  const month = Number(match?.[2]);
  // A Buddhist-Era year (2567) would silently ask for the 26th century: refuse it with a hint.
  if (!match || month < 1 || month > 12 || Number(match[1]) > 2400) {
    throw new DomainError('BAD_USER_INPUT', `${argument} must be a month as YYYY-MM in the Common Era (e.g. 2024-03), got "${value}"`, { argument });
  }
  return `${match[1]}-${match[2]}-01`;
}

export function groupArgument(value: string): string {
  const code = value.trim().toUpperCase();
  if (!GROUP.test(code)) throw new DomainError('BAD_USER_INPUT', `group is C (all manufacturing) or a TSIC code of 2-5 digits, got "${value}"`, { argument: 'group' });
  return code;
}

export class IndustrialIndexService {
  constructor(private readonly repository: IndustrialIndexRepository) {}

  /**
   * One group's monthly series, oldest first. An unknown group is NOT_FOUND (a typo should not look
   * like a quiet month); a known group with no month in the range gives an empty list.
   */
  async series(group: string, from: string | null | undefined, to: string | null | undefined): Promise<IndustrialIndexMonth[]> {
    const code = groupArgument(group);
    const fromDay = from === null || from === undefined ? undefined : monthArgument(from, 'from');
    const toDay = to === null || to === undefined ? undefined : monthArgument(to, 'to');
    if (fromDay !== undefined && toDay !== undefined && fromDay > toDay) {
      throw new DomainError('BAD_USER_INPUT', `from (${from}) is after to (${to})`, { argument: 'from' });
    }
    const months = await this.repository.series(code, fromDay, toDay);
    // Only an empty answer needs the second statement that tells "no such group" from "no month in range".
    if (months.length === 0 && (await this.repository.groups([code])).length === 0) {
      throw new DomainError('NOT_FOUND', `OIE publishes no industrial index for group "${code}"; industrialIndexGroups lists the groups`, { argument: 'group' });
    }
    return months;
  }

  /** The repository's `groups`, for the domain's loaders (one statement per batch). */
  groups(...args: Parameters<IndustrialIndexRepository['groups']>): ReturnType<IndustrialIndexRepository['groups']> {
    return this.repository.groups(...args);
  }

  /** The repository's `monthsByKey`, for the domain's loaders (one statement per batch). */
  monthsByKey(...args: Parameters<IndustrialIndexRepository['monthsByKey']>): ReturnType<IndustrialIndexRepository['monthsByKey']> {
    return this.repository.monthsByKey(...args);
  }
}
