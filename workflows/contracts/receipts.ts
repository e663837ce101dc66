/**
 * Receipt of letters (签收): every letter that asks something of the county is acknowledged by it —
 * in its portal or through the signed single-use link in the
 * letter's email, or recorded for it by staff (`guidance visit acknowledge`) — and the acknowledgement (who, when, how) goes on the case; a 送达回证 (delivery
 * receipt) PDF joins the archive. A letter still unacknowledged after the plan's working days gets
 * one reminder and then shows on the supervisors' inbox. The escalation ladder does not depend on it.
 * Pure: safe inside the workflow sandbox.
 */
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ActorSchema } from './common';
import type { DocumentKind, RenderResult } from '../shared/documents';
import { Line } from '../shared/text';

/** The letters that need a receipt: those that ask the county to act. */
export const RECEIPT_KINDS = [
  'notice',
  'opinion',
  'urge',
  'supervise',
  'warning',
  'summons',
  'bulletin',
  'acceptance',
] as const satisfies readonly DocumentKind[];

/** How a receipt was given. */
export const ReceiptVia = z.enum(['portal', 'link', 'staff'], {
  error: '签收方式只能是 portal（县区门户）、link（邮件链接）或 staff（代为登记）',
});
export type ReceiptVia = z.infer<typeof ReceiptVia>;
/** staff: a supervisor or administrator records a receipt the county gave otherwise (paper, phone). */
export const RECEIPT_VIA_LABEL: Record<ReceiptVia, string> = {
  portal: '县区门户签收',
  link: '邮件链接签收',
  staff: '市局代为登记',
};

/** Defaults for plans (and recorded histories) that say nothing. */
export const RECEIPT_DEFAULTS = { workingDays: 3, linkValidDays: 30 } as const;

export interface Receipt {
  /** R1, R2, … in the order the letters went out. */
  id: string;
  kind: DocumentKind;
  docNumber?: string;
  /** The letter's title, e.g. 执法指导意见书. */
  title: string;
  /** Date the letter went out (case clock). */
  sentAt: string;
  /** Date by which the receipt is expected (the plan's working days after `sentAt`). */
  dueBy: string;
  /** Last date the emailed link is good for. */
  linkExpires: string;
  acknowledged?: { by: string; signer: string; at: string; date: string; via: ReceiptVia };
  /** Date the one reminder went out. */
  reminded?: string;
  /** 送达回证, rendered once acknowledged. */
  certificate?: RenderResult;
}

export const AcknowledgeArgs = z.object({
  actor: ActorSchema,
  receipt: z.string().regex(/^R\d{1,4}$/, '回执编号应为 R 加数字，例如 R1'),
  /** 签收人: the person at the county who received the letter. */
  signer: Line({ min: 1, max: 50, label: '签收人' }),
  via: ReceiptVia,
});
export type AcknowledgeArgs = z.infer<typeof AcknowledgeArgs>;
export const acknowledgeUpdate = defineUpdate<Receipt, [AcknowledgeArgs]>('acknowledge');

/** What the signed link in an email names; the HMAC over it is made and checked outside workflows. */
export interface ReceiptLinkRef {
  caseId: string;
  receipt: string;
  /** Last valid date, `YYYY-MM-DD` (China time). */
  expires: string;
  /**
   * The receipt's 签收期限 (`Receipt.dueBy`), the one date the mail asks for; not signed (only the
   * mail prints it). Absent in a mail step scheduled before it travelled with the link.
   */
  dueBy?: string;
  /** The mail is the reminder sent after `dueBy` passed: it says so instead of asking by a date. */
  reminder?: boolean;
}

/** The receipts still waiting for the county. */
export function openReceipts(receipts: readonly Receipt[] | undefined): Receipt[] {
  return (receipts ?? []).filter((r) => !r.acknowledged);
}
