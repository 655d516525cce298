/**
 * Which records DBD's listings hold at an epoch, in which order, and what page k of them is, without
 * materialising the listing.
 *
 * Time: at epoch 0 every record was last updated on the base date; each epoch step is one day, in
 * which about CHANGE_RATE of the firms change. A record's `updatedAt` is
 * `DBD_BASE_TIME + step days + firm index ms` (step = the last step it changed at, 0 if never), so it
 * is unique per firm and the listing's order (updatedAt, juristicId[, fiscalYear]) is the order
 * (step, firm index[, fiscal year]). `updatedSince` keeps records with updatedAt > updatedSince.
 *
 * Which firms change at a step, and which firms file no statements, are sparse sets drawn per block
 * of BLOCK firms (geometric gaps: O(members) to draw), independent of the scale. A listing is a run
 * of segments, one per step; a segment's count in a block is cheap (a block size minus a few members,
 * or a few members), so page k is found by counting whole blocks and materialising one or two:
 * O(scale / BLOCK x epoch) per page instead of O(scale). At epoch 0 page k is a direct index range.
 */
import { FIRM_STREAMS, randomOf, type FirmStream } from '../world/firm-random';
import { FISCAL_YEARS } from '../world/firm-profile';

/** The base date: every record's `updatedAt` at epoch 0 is on it (2025-01-01, UTC). */
export const DBD_BASE_TIME = Date.UTC(2025, 0, 1);
export const DAY_MS = 86_400_000;
/** Firms per block of the sparse sets. */
export const BLOCK = 1000;
/** Share of firms whose juristic-person record changes per epoch step (and, separately, whose statements are amended). */
export const CHANGE_RATE = 0.01;
/** Share of firms that file no financial statements. */
export const NON_FILER_RATE = 0.06;
/** Epoch steps the simulator replays at most (ten years of days). */
export const MAX_EPOCH = 3650;

export type DbdListingKind = 'companies' | 'financials';

/** One record of a listing: a firm (companies) or one of its statements (financials). */
export interface ListingEntry {
  index: number;
  /** The epoch step the record last changed at (0: never since the base date). */
  step: number;
  /** Financial statements only. */
  fiscalYear?: number;
}

export function updatedAtMs(step: number, index: number): number {
  return DBD_BASE_TIME + step * DAY_MS + index;
}

/** Sorted offsets in [0, BLOCK) of a sparse set drawn with probability `rate` per offset. */
function sparseOffsets(seed: number, stream: FirmStream, block: number, salt: number, rate: number): number[] {
  if (rate <= 0) return [];
  if (rate >= 1) return Array.from({ length: BLOCK }, (_, i) => i);
  const random = randomOf(seed, stream, block, salt);
  const logMiss = Math.log(1 - rate);
  const offsets: number[] = [];
  for (let at = -1; ; ) {
    at += 1 + Math.floor(Math.log(1 - random.next()) / logMiss);
    if (at >= BLOCK) return offsets;
    offsets.push(at);
  }
}

/**
 * The world of DBD's listings at one epoch, for one request: block-level sets are drawn once and
 * kept for the request (a few entries per block and step).
 */
export class DbdEpoch {
  private readonly changes = new Map<string, Map<number, number[]>>();
  private readonly nonFilerSets = new Map<number, Set<number>>();

  constructor(
    readonly seed: number,
    readonly scale: number,
    readonly epoch: number,
  ) {}

  /** For each firm of the block that changed by this epoch, the steps it changed at (ascending). */
  changesIn(kind: DbdListingKind, block: number): Map<number, number[]> {
    const key = `${kind}:${block}`;
    let map = this.changes.get(key);
    if (!map) {
      map = new Map();
      const stream = kind === 'companies' ? FIRM_STREAMS.dbdCompanyChange : FIRM_STREAMS.dbdFinancialChange;
      for (let step = 1; step <= this.epoch; step++) {
        for (const offset of sparseOffsets(this.seed, stream, block, step, CHANGE_RATE)) {
          const steps = map.get(offset);
          if (steps) steps.push(step);
          else map.set(offset, [step]);
        }
      }
      this.changes.set(key, map);
    }
    return map;
  }

  /** Steps (ascending, up to this epoch) at which firm `index` changed; [] if never. */
  changeSteps(kind: DbdListingKind, index: number): number[] {
    return this.changesIn(kind, Math.floor(index / BLOCK)).get(index % BLOCK) ?? [];
  }

  lastStep(kind: DbdListingKind, index: number): number {
    return this.changeSteps(kind, index).at(-1) ?? 0;
  }

  nonFilersIn(block: number): Set<number> {
    let set = this.nonFilerSets.get(block);
    if (!set) {
      set = new Set(sparseOffsets(this.seed, FIRM_STREAMS.dbdNonFiler, block, 0, NON_FILER_RATE));
      this.nonFilerSets.set(block, set);
    }
    return set;
  }

  files(index: number): boolean {
    return !this.nonFilersIn(Math.floor(index / BLOCK)).has(index % BLOCK);
  }

  /** Firms whose record changed exactly at `step` (ascending), among firms 0..scale-1. */
  changedAt(kind: DbdListingKind, step: number): number[] {
    const firms: number[] = [];
    for (let block = 0; block * BLOCK < this.scale; block++) {
      for (const [offset, steps] of this.changesIn(kind, block)) {
        const index = block * BLOCK + offset;
        if (index < this.scale && steps.includes(step) && (kind === 'companies' || this.files(index))) firms.push(index);
      }
    }
    return firms.sort((a, b) => a - b);
  }
}

/** One step's records, from firm index `from` on (the part of a step after `updatedSince`). */
interface Segment {
  step: number;
  from: number;
}

/** A listing: its kind, the epoch, and which part of it `updatedSince` keeps. */
export class DbdListing {
  private readonly segments: Segment[];

  constructor(
    readonly world: DbdEpoch,
    readonly kind: DbdListingKind,
    updatedSinceMs?: number,
  ) {
    this.segments = segmentsAfter(world, updatedSinceMs);
  }

  /** Records in the listing. */
  count(): number {
    let total = 0;
    for (const segment of this.segments) {
      for (let block = firstBlock(segment); block * BLOCK < this.world.scale; block++) total += this.countIn(segment, block);
    }
    return total;
  }

  /** Records at ranks [start, end) of the listing, in order. */
  range(start: number, end: number): ListingEntry[] {
    const entries: ListingEntry[] = [];
    let rank = 0;
    for (const segment of this.segments) {
      for (let block = firstBlock(segment); block * BLOCK < this.world.scale; block++) {
        if (rank >= end) return entries;
        const count = this.countIn(segment, block);
        if (rank + count > start) {
          const items = this.entriesIn(segment, block);
          entries.push(...items.slice(Math.max(0, start - rank), end - rank));
        }
        rank += count;
      }
    }
    return entries;
  }

  /** Every record, in order, a block at a time (for ground truth). */
  *all(): Generator<ListingEntry> {
    for (const segment of this.segments) {
      for (let block = firstBlock(segment); block * BLOCK < this.world.scale; block++) yield* this.entriesIn(segment, block);
    }
  }

  private window(segment: Segment, block: number): { low: number; high: number } {
    return { low: Math.max(block * BLOCK, segment.from), high: Math.min((block + 1) * BLOCK, this.world.scale) };
  }

  private countIn(segment: Segment, block: number): number {
    const { low, high } = this.window(segment, block);
    if (high <= low) return 0;
    const inWindow = (offset: number): boolean => block * BLOCK + offset >= low && block * BLOCK + offset < high;
    const changes = segment.step === 0 && this.world.epoch === 0 ? undefined : this.world.changesIn(this.kind, block);
    if (this.kind === 'companies') {
      if (segment.step > 0) return countWhere(changes!, (offset, steps) => inWindow(offset) && steps.at(-1) === segment.step);
      return high - low - (changes ? countWhere(changes, (offset) => inWindow(offset)) : 0);
    }
    const nonFilers = this.world.nonFilersIn(block);
    const files = (offset: number): boolean => !nonFilers.has(offset);
    if (segment.step > 0) return countWhere(changes!, (offset, steps) => inWindow(offset) && files(offset) && steps.at(-1) === segment.step);
    let filers = high - low;
    for (const offset of nonFilers) if (inWindow(offset)) filers -= 1;
    const amended = changes ? countWhere(changes, (offset) => inWindow(offset) && files(offset)) : 0;
    return filers * FISCAL_YEARS.length - amended;
  }

  private entriesIn(segment: Segment, block: number): ListingEntry[] {
    const { low, high } = this.window(segment, block);
    const entries: ListingEntry[] = [];
    const changes = segment.step === 0 && this.world.epoch === 0 ? undefined : this.world.changesIn(this.kind, block);
    const latestYear = FISCAL_YEARS[FISCAL_YEARS.length - 1]!;
    if (segment.step > 0) {
      const indexes = [...changes!]
        .filter(([offset, steps]) => steps.at(-1) === segment.step && block * BLOCK + offset >= low && block * BLOCK + offset < high)
        .map(([offset]) => block * BLOCK + offset)
        .sort((a, b) => a - b);
      for (const index of indexes) {
        if (this.kind === 'companies') entries.push({ index, step: segment.step });
        else if (this.world.files(index)) entries.push({ index, step: segment.step, fiscalYear: latestYear });
      }
      return entries;
    }
    for (let index = low; index < high; index++) {
      const changed = changes?.has(index % BLOCK) === true;
      if (this.kind === 'companies') {
        if (!changed) entries.push({ index, step: 0 });
        continue;
      }
      if (!this.world.files(index)) continue;
      for (const fiscalYear of FISCAL_YEARS) {
        // An amended statement (the latest year) moved to the step it was amended at.
        if (!(changed && fiscalYear === latestYear)) entries.push({ index, step: 0, fiscalYear });
      }
    }
    return entries;
  }
}

function countWhere(changes: Map<number, number[]>, keep: (offset: number, steps: number[]) => boolean): number {
  let count = 0;
  for (const [offset, steps] of changes) if (keep(offset, steps)) count += 1;
  return count;
}

function firstBlock(segment: Segment): number {
  return Math.floor(segment.from / BLOCK);
}

/** The steps (and, in the first, the firm index) a listing after `updatedSinceMs` starts at. */
function segmentsAfter(world: DbdEpoch, updatedSinceMs: number | undefined): Segment[] {
  const segments: Segment[] = [];
  const since = updatedSinceMs === undefined ? Number.NEGATIVE_INFINITY : updatedSinceMs - DBD_BASE_TIME;
  for (let step = 0; step <= world.epoch; step++) {
    // updatedAt = base + step days + index ms > since  <=>  index > since - step days.
    const from = since < step * DAY_MS ? 0 : Math.floor(since - step * DAY_MS) + 1;
    if (from < world.scale) segments.push({ step, from });
  }
  return segments;
}
