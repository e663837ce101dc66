/**
 * The receipts (签收) of a case as the dashboard shows them, to the county and the city's staff
 * alike: each letter's deadline, who signed it, when and how, and its 送达回证 as a document id
 * (downloaded through the case's documents like any letter, never by a path).
 */
import { DOCUMENT_KIND_NAMES } from '../../workflows/shared/labels';
import { RECEIPT_VIA_LABEL } from '../../workflows/contracts/receipts';
import type { VisitCase } from '../../workflows/contracts/visit';

export interface ReceiptRef {
  id: string;
  kind: string;
  title: string;
  docNumber?: string;
  sentAt: string;
  dueBy: string;
  linkExpires: string;
  acknowledged?: { signer: string; date: string; at: string; via: string; viaLabel: string };
  reminded?: string;
  /** Still unsigned past its last day. */
  overdue: boolean;
  certificate?: { documentId: string; pages: number; bytes: number };
}

const titleOf = (r: NonNullable<VisitCase['receipts']>[number]) =>
  r.title || (DOCUMENT_KIND_NAMES as Record<string, string>)[r.kind] || r.kind;

/**
 * The case's receipts. The case keeps no "today" in its state, so overdue is read from the
 * reminder, which the case sends on the first day past the deadline by its own clock (a practice
 * year's simulated date included) — the browser's date would be wrong there.
 */
export function receiptsOf(c: VisitCase): ReceiptRef[] {
  return (c.receipts ?? []).map((r) => ({
    id: r.id,
    kind: r.kind,
    title: titleOf(r),
    docNumber: r.docNumber,
    sentAt: r.sentAt,
    dueBy: r.dueBy,
    linkExpires: r.linkExpires,
    acknowledged: r.acknowledged
      ? {
          signer: r.acknowledged.signer,
          date: r.acknowledged.date,
          at: r.acknowledged.at,
          via: r.acknowledged.via,
          viaLabel: RECEIPT_VIA_LABEL[r.acknowledged.via],
        }
      : undefined,
    reminded: r.reminded,
    overdue: !r.acknowledged && Boolean(r.reminded),
    certificate: r.certificate
      ? { documentId: r.certificate.documentId, pages: r.certificate.pages, bytes: r.certificate.bytes }
      : undefined,
  }));
}

/** The county's own timeline entries for its receipts (the staff read the audit log instead). */
export function receiptEvents(
  c: VisitCase,
): { at: string; by: string; role: string; action: string; detail: string }[] {
  return (c.receipts ?? []).flatMap((r) =>
    r.acknowledged
      ? [
          {
            at: r.acknowledged.at,
            by: r.acknowledged.signer,
            role: 'county',
            action: 'acknowledge',
            detail: `签收${titleOf(r)}${r.docNumber ? ` ${r.docNumber}` : ''}（${RECEIPT_VIA_LABEL[r.acknowledged.via]}）`,
          },
        ]
      : [],
  );
}
