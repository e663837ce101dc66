/**
 * What each template sees besides its data: derived values (the bulletin's table with totals,
 * rates and ranks). Pure: no Node built-ins.
 */
import { z } from 'zod';
import {
  AcceptanceBase,
  BulletinBase,
  BulletinRow,
  NoticeBase,
  OpinionBase,
  ReceiptBase,
  ReminderBase,
  SummonsBase,
  SuperviseBase,
  UrgeBase,
  WarningBase,
} from './document-data';
import { type DocumentData } from './render-document';
import { chinaDateTime } from './clock';
import { formatDateZh, type DocumentKind } from './documents';

/** A county's row with the derived indicators the bulletin prints. */
const BulletinTableRow = BulletinRow.extend({
  /** 检查处罚率 = 立案 / 检查家次, percent with one decimal; `—` when nothing was inspected. */
  penaltyRate: z.string(),
  /** 隐患整改率 = 整改 / 排查, percent with one decimal. */
  fixRate: z.string(),
  /** Rank by penalty rate, 1 = highest; equal rates share a rank. */
  rank: z.number().int(),
  fines: z.string(),
});

/** What the bulletin template sees besides its data: the table with totals and ranks. */
const BulletinView = BulletinBase.extend({
  table: z.object({
    rows: z.array(BulletinTableRow),
    total: BulletinTableRow.omit({ rank: true, county: true }),
  }),
});

/** What the 送达回证 template sees besides its data: the time of signing and the note's lines. */
const ReceiptView = ReceiptBase.extend({
  /** 签收时间 as printed: 2027年5月19日10时32分, or the date alone (see `signedAtZh`). */
  signedAt: z.string(),
  /** The note's lines (a table cell prints each on its own line); empty without a note. */
  noteLines: z.array(z.string()),
});

/**
 * Schema of the object each template is rendered with (the data, plus derived values for the
 * bulletin). The template checker resolves every variable a template names against it.
 */
export const DocumentViewSchemas = {
  notice: NoticeBase,
  opinion: OpinionBase,
  reminder: ReminderBase,
  urge: UrgeBase,
  supervise: SuperviseBase,
  warning: WarningBase,
  summons: SummonsBase,
  acceptance: AcceptanceBase,
  bulletin: BulletinView,
  receipt: ReceiptView,
} as const satisfies Record<DocumentKind, z.ZodType>;

const percent = (num: number, den: number): string => (den === 0 ? '—' : `${((num / den) * 100).toFixed(1)}`);

/** The bulletin's statistics table: per-county indicators, ranks by 检查处罚率 and the 合计 row. */
export function bulletinTable(rows: BulletinRow[]): z.infer<typeof BulletinView>['table'] {
  const rate = (r: BulletinRow) => (r.inspections === 0 ? -1 : r.cases / r.inspections);
  const rates = rows.map(rate);
  const sum = (f: (r: BulletinRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  const total = {
    inspections: sum((r) => r.inspections),
    inspectors: sum((r) => r.inspectors),
    documents: sum((r) => r.documents),
    cases: sum((r) => r.cases),
    hazardsFound: sum((r) => r.hazardsFound),
    hazardsFixed: sum((r) => r.hazardsFixed),
  };
  return {
    rows: rows.map((r, i) => ({
      ...r,
      fines: r.fines.toFixed(2),
      penaltyRate: percent(r.cases, r.inspections),
      fixRate: percent(r.hazardsFixed, r.hazardsFound),
      // Standard competition ranking (1, 2, 2, 4): equal rates share a rank.
      rank: 1 + rates.filter((x) => x > rates[i]!).length,
    })),
    total: {
      ...total,
      fines: sum((r) => r.fines).toFixed(2),
      penaltyRate: percent(total.cases, total.inspections),
      fixRate: percent(total.hazardsFixed, total.hazardsFound),
    },
  };
}

/**
 * 签收时间 in China time (UTC+8): the signing date with the clock time of `at`
 * (`2027年5月19日10时32分`). The date is the case clock's, which a compressed demo clock moves apart
 * from the instant recorded; then the time of day would belong to another day, and only the date
 * is printed.
 */
export function signedAtZh(date: string, at: string): string {
  const ms = Date.parse(at);
  const local = Number.isNaN(ms) ? undefined : chinaDateTime(ms);
  if (!local || local.slice(0, 10) !== date) return formatDateZh(date);
  return `${formatDateZh(date)}${Number(local.slice(11, 13))}时${local.slice(14, 16)}分`;
}

/** The object a kind's template is rendered with, from validated data. */
export function documentView(kind: DocumentKind, data: unknown): Record<string, unknown> {
  if (kind === 'bulletin') {
    const d = data as DocumentData['bulletin'];
    return { ...d, table: bulletinTable(d.rows) };
  }
  if (kind === 'receipt') {
    const d = data as DocumentData['receipt'];
    return {
      ...d,
      signedAt: signedAtZh(d.acknowledged.date, d.acknowledged.at),
      noteLines: d.note ? d.note.split('\n') : [],
    };
  }
  return data as Record<string, unknown>;
}
