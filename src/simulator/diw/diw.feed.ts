/**
 * The simulated DIW factory CSV: the world's factories in the layout of DIW's open-data
 * Factory_Data file (plus FFLAG and TRADE from its web service), with the quirks of the real file
 * injected at `quirkRate` and malformed factory IDs at `badRowRate`, both decided per row from the
 * seed so that the hub's results can be predicted exactly (see diwGroundTruth).
 */
import type { SimulatorOptions } from '../simulator-options';
import { randomFor, STREAMS, type Random } from '../random';
import { operatorNameVariant } from '../world/feed-text';
import { factoryAt, factoryCount, type Factory } from '../world/world';

/** The header of the real open-data file. Kept here, apart from the hub's parser, on purpose. */
export const DIW_OPEN_DATA_COLUMNS = [
  'FACREG', 'DISPFACREG', 'FID', 'FACTYPE', 'FNAME', 'ONAME', 'OBJECT', 'FADDR', 'FMOO', 'FSOI', 'FROAD', 'FTUMNAME',
  'FAMPNAME', 'FPROVNAME', 'TOTAL_CAP', 'TOTAL_WORKER', 'HP', 'LAT', 'LNG', 'ISIC_CODE', 'ESTATE', 'ESTATE_NAME_TH', 'LAST_UPDATE',
] as const;

export const DIW_FEED_COLUMNS = [...DIW_OPEN_DATA_COLUMNS, 'FFLAG', 'TRADE'] as const;

type DiwColumn = (typeof DIW_FEED_COLUMNS)[number];
type DiwRow = Record<DiwColumn, string>;

export type DiwColumnFault = 'missing-column' | 'renamed-column';

export interface DiwFeedOptions extends SimulatorOptions {
  /** `opendata`: only the 23 open-data columns. */
  columns: 'all' | 'opendata';
  columnFault?: DiwColumnFault;
  /** Stop in the middle of the row after half of the rows (the sender then drops the connection). */
  truncate?: boolean;
}

export interface DiwGroundTruth {
  /** Data rows in the feed. */
  total: number;
  /** Rows with a malformed FID, which the hub must quarantine. */
  badRows: number;
  /** Rows the hub must load. */
  validRows: number;
  /** Rows carrying at least one quirk (all of them loadable unless also bad). */
  quirkyRows: number;
}

const ROWS_PER_CHUNK = 200;

/** Header and rows as text chunks; nothing is held beyond one chunk. */
export function* diwFeedChunks(options: DiwFeedOptions): Generator<string> {
  const columns = feedColumns(options);
  const header = columns.map((column) => (options.columnFault === 'renamed-column' && column === 'FPROVNAME' ? 'PROVINCE' : column));
  const factories = factoryCount(options.scale);
  const rows = options.truncate ? Math.floor(factories / 2) : factories;
  let chunk = `${header.join(',')}\r\n`;
  for (let i = 0; i < rows; i++) {
    chunk += csvLine(diwRow(options, i), columns);
    if ((i + 1) % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (options.truncate && rows < factories) {
    const line = csvLine(diwRow(options, rows), columns);
    chunk += line.slice(0, Math.floor(line.length / 2));
  }
  if (chunk) yield chunk;
}

/** What a correct loader must end up with for these options; O(factories) but builds no rows. */
export function diwGroundTruth(options: SimulatorOptions): DiwGroundTruth {
  const factories = factoryCount(options.scale);
  let badRows = 0;
  let quirkyRows = 0;
  for (let i = 0; i < factories; i++) {
    if (badRowRandom(options, i)) badRows++;
    if (quirksOf(options, i).quirks.length > 0) quirkyRows++;
  }
  return { total: factories, badRows, validRows: factories - badRows, quirkyRows };
}

function feedColumns(options: DiwFeedOptions): DiwColumn[] {
  const columns: DiwColumn[] = options.columns === 'opendata' ? [...DIW_OPEN_DATA_COLUMNS] : [...DIW_FEED_COLUMNS];
  return options.columnFault === 'missing-column' ? columns.filter((column) => column !== 'FNAME') : columns;
}

/** For a bad row, the generator that shapes its defect; null for a good row. */
function badRowRandom(options: SimulatorOptions, index: number): Random | null {
  if (options.badRowRate <= 0) return null;
  const random = randomFor(options.seed, STREAMS.diwBadRow, index);
  return random.chance(options.badRowRate) ? random : null;
}

export function diwRow(options: SimulatorOptions, index: number): DiwRow {
  const factory = factoryAt(options.seed, index);
  const row = cleanRow(factory);
  const { quirks, random } = quirksOf(options, index);
  for (const quirk of quirks) QUIRKS[quirk](row, factory, random);
  const bad = badRowRandom(options, index);
  if (bad) row.FID = malformedId(factory.fid, bad);
  return row;
}

function cleanRow(factory: Factory): DiwRow {
  return {
    FACREG: factory.legacyRegNo,
    DISPFACREG: factory.displayRegNo,
    FID: factory.fid,
    FACTYPE: factory.factoryType,
    FNAME: factory.nameTh,
    ONAME: factory.firm.nameTh,
    OBJECT: factory.objective,
    FADDR: factory.houseNo,
    FMOO: factory.moo ?? '',
    FSOI: factory.soi ?? '',
    FROAD: factory.road ?? '',
    FTUMNAME: factory.subdistrict,
    FAMPNAME: factory.district.nameTh,
    FPROVNAME: factory.province.nameTh,
    TOTAL_CAP: factory.capitalBaht.toFixed(2),
    TOTAL_WORKER: String(factory.workers),
    HP: String(factory.horsepower),
    LAT: factory.lat.toFixed(6),
    LNG: factory.lng.toFixed(6),
    ISIC_CODE: factory.tsic,
    ESTATE: factory.estate?.code ?? '',
    ESTATE_NAME_TH: factory.estate?.nameTh ?? '',
    LAST_UPDATE: factory.lastUpdate,
    FFLAG: factory.status,
    TRADE: factory.operatorTaxId ?? '',
  };
}

/** 12 digits, or a letter typed for a digit (O for 0, I for 1, ...). */
function malformedId(fid: string, random: Random): string {
  if (random.chance(0.5)) return fid.slice(0, 12);
  const at = random.int(2, 13);
  return `${fid.slice(0, at)}${random.pick(['O', 'I', 'S', 'B'])}${fid.slice(at + 1)}`;
}

const THAI_DIGIT_ZERO = 0x0e50;
const capitalFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Each quirk is one a real DIW file shows, and each must survive the hub's parser. */
const QUIRKS = {
  excelQuotedIds(row: DiwRow) {
    row.FID = `="  ${row.FID}"`;
    if (row.TRADE) row.TRADE = `="${row.TRADE}"`;
  },
  spacedDisplayNumber(row: DiwRow) {
    row.DISPFACREG = row.DISPFACREG.replace(/([-/])/g, ' $1 ');
  },
  dashForEmpty(row: DiwRow) {
    for (const column of DIW_FEED_COLUMNS) if (row[column] === '') row[column] = '-';
  },
  unknownCoordinates(row: DiwRow, _factory: Factory, random: Random) {
    const unknown = random.pick(['0', '1']);
    row.LAT = unknown;
    row.LNG = unknown;
  },
  decomposedThai(row: DiwRow) {
    for (const column of ['FNAME', 'ONAME', 'OBJECT', 'ESTATE_NAME_TH'] as const) {
      row[column] = row[column]
        .normalize('NFD')
        .replace(/\u0E33/g, '\u0E4D\u0E32') // sara am typed as nikhahit + sara aa
        .replace(/([\u0E38\u0E39])([\u0E48-\u0E4B])/g, '$2$1'); // tone mark typed before the vowel below
    }
  },
  buddhistEraDate(row: DiwRow, factory: Factory, random: Random) {
    const [year, month, day] = factory.lastUpdate.split('-');
    const date = `${day}/${month}/${Number(year) + 543}`;
    row.LAST_UPDATE = random.chance(0.7) ? date.replace(/\d/g, (digit) => String.fromCharCode(THAI_DIGIT_ZERO + Number(digit))) : date;
  },
  thousandsSeparators(row: DiwRow, factory: Factory) {
    row.TOTAL_CAP = capitalFormat.format(factory.capitalBaht);
  },
  operatorNameVariant(row: DiwRow, factory: Factory, random: Random) {
    row.ONAME = operatorNameVariant(factory.firm.nameTh, random);
  },
} satisfies Record<string, (row: DiwRow, factory: Factory, random: Random) => void>;

type Quirk = keyof typeof QUIRKS;
const QUIRK_NAMES = Object.keys(QUIRKS) as Quirk[];

/** One to three distinct quirks for a quirky row (none otherwise), and the generator they draw from. */
function quirksOf(options: SimulatorOptions, index: number): { quirks: Quirk[]; random: Random } {
  const random = randomFor(options.seed, STREAMS.diwQuirk, index);
  if (options.quirkRate <= 0 || !random.chance(options.quirkRate)) return { quirks: [], random };
  const count = random.int(1, 3);
  const chosen = new Set<Quirk>();
  while (chosen.size < count) chosen.add(random.pick(QUIRK_NAMES));
  return { quirks: [...chosen], random };
}

function csvField(value: string): string {
  // Excel writes formula-quoted IDs (="0123") unquoted, and real files carry them that way.
  if (/^="[^",]*"$/.test(value)) return value;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvLine(row: DiwRow, columns: readonly DiwColumn[]): string {
  return `${columns.map((column) => csvField(row[column])).join(',')}\r\n`;
}
