/**
 * The programme's statistics import (执法统计导入): the `recordStatistics` Update, its argument schema
 * and the row of the bulletin's table it stores. Pure: safe inside the workflow sandbox.
 */
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ChecklistItemKey } from '../shared/checklist';
import { BulletinRow } from '../shared/document-data';
import { List } from '../shared/lists';
import { Line, Text } from '../shared/text';
import { tolerating } from '../shared/tolerance';
import { ActorSchema } from './common';

// ---------------------------------------------------------------------------------------------
// Statistics and progress the programme keeps for its bulletin (通报) and digest (周交办).

/**
 * One county's figures for the bulletin's table, from an imported statistics table: the bulletin's
 * own row schema (document-data.ts BulletinRow), with the county's name normalised and the bulletin's
 * cross-check, so figures the Update accepts never fail the monthly bulletin's render.
 */
export const StatisticsRowSchema = BulletinRow.extend({
  /** The county's name as the bulletin's table prints it. */
  county: Line({ min: 1, max: 50, label: '县区' }),
}).refine((r) => r.hazardsFixed <= r.hazardsFound, {
  path: ['hazardsFixed'],
  error: (i) => `${(i.input as { county: string }).county}：整改隐患数大于排查隐患数`,
});
export type StatisticsRow = z.infer<typeof StatisticsRowSchema>;

/** Units (rows) one statistics import may hold: far above a city's counties, a ceiling on the argument. */
export const STATISTICS_MAX_ROWS = 300;
/**
 * Drafts per county: the finding rules (stats.ts, 7) give at most one each; a county's drafts are
 * pre-filled into its case, so they count against the case's size (case-limits.ts).
 */
export const STATISTICS_MAX_DRAFTS = 20;

export const RecordStatisticsArgs = z.object({
  actor: ActorSchema,
  /** e.g. 2027年1—6月. */
  period: Line({ min: 1, max: 50, label: '统计期', tooShort: '必须写明统计期' }),
  /** sha256 of the imported file, for the record. */
  sourceSha256: z.string().regex(/^[0-9a-f]{64}$/),
  rows: List(StatisticsRowSchema, {
    min: 1,
    tooFew: '统计表至少一个县区',
    max: STATISTICS_MAX_ROWS,
    label: '统计表',
    key: (r) => r.county,
    conflict: (county) => `统计表中县区“${county}”出现两次且数字不同`,
  }),
  /** Draft findings per county code, pre-filled into that county's visit. */
  drafts: z
    .record(
      z.string().max(64),
      List(
        z.object({
          item: ChecklistItemKey,
          problem: Text({ max: 2000, label: '问题草稿' }),
          opinion: Text({ max: 2000, label: '意见草稿' }),
        }),
        { max: STATISTICS_MAX_DRAFTS, label: '问题草稿' },
      ),
    )
    .refine(
      (d) => tolerating() || Object.keys(d).length <= STATISTICS_MAX_ROWS,
      `问题草稿涉及的县区不能超过 ${STATISTICS_MAX_ROWS} 个`,
    )
    .default({}),
});
export type RecordStatisticsArgs = z.input<typeof RecordStatisticsArgs>;

export const recordStatisticsUpdate = defineUpdate<{ period: string; rows: number }, [RecordStatisticsArgs]>(
  'recordStatistics',
);
