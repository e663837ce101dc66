/**
 * Definitions of the document-number workflow (发文字号分配) and its register (发文登记). Pure.
 * Every number of a series and year is either on a letter (its request id names the case and the
 * letter) or voided (作废) with its reason; none is given twice and the series never restarts.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';

export interface VoidRecord {
  requestId: string;
  reason: string;
  at: string;
}

export interface DocNumberState {
  year: number;
  bureau: string;
  series: string;
  next: number;
  /** requestId → number given. */
  assigned: Record<string, number>;
  /** number → why it was voided (作废). Absent in runs started before voiding existed. */
  voided?: Record<string, VoidRecord>;
}

export function docNumberWorkflowId(year: number, bureau: string, series: string): string {
  return `docnum-${year}-${bureau}-${series}`;
}

/** The series a bureau numbers on its own, one numbering workflow each. */
export const DOC_NUMBER_SERIES = ['notice', 'opinion', 'urge', 'supervise', 'summons', 'bulletin'] as const;

export const VoidNumberArgs = z.object({
  requestId: z.string().min(1).max(300),
  reason: z.string().trim().min(2, '作废须写明理由').max(300),
});
export type VoidNumberArgs = z.infer<typeof VoidNumberArgs>;

export const allocateNumberUpdate = defineUpdate<number, [{ requestId: string }]>('allocateNumber');
/** Voids the number given to `requestId` (a letter that will never be issued); returns it. */
export const voidNumberUpdate = defineUpdate<number, [VoidNumberArgs]>('voidNumber');
export const numbersQuery = defineQuery<DocNumberState>('numbers');
