/** Definitions of the document-number workflow (发文字号分配). Pure. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export interface DocNumberState {
  year: number;
  bureau: string;
  series: string;
  next: number;
  /** requestId → number given. */
  assigned: Record<string, number>;
}

export function docNumberWorkflowId(year: number, bureau: string, series: string): string {
  return `docnum-${year}-${bureau}-${series}`;
}

export const allocateNumberUpdate = defineUpdate<number, [{ requestId: string }]>('allocateNumber');
export const numbersQuery = defineQuery<DocNumberState>('numbers');
