/**
 * The case's receipts of letters (签收) as one object: opened when a letter that asks the county to
 * act is mailed (steps.ts), acknowledged by the `acknowledge` Update, moved by an applied official
 * calendar; its timer wakes the receipts loop (receipts.ts) whenever one of these changes what it
 * waits for. State only, no I/O: the loop renders the 送达回证 and mails the reminders. Cases recorded
 * before receipts existed have none (`on` false, patch `receipts-and-inbox`).
 */
import { UpdatableTimer } from '../lib/updatable-timer';
import { addDays, type Clock } from '../shared/clock';
import type { CalendarMove } from '../contracts/calendar-update';
import type { DocumentKind } from '../shared/documents';
import { DOCUMENT_KIND_NAMES } from '../shared/labels';
import type { Receipt, ReceiptLinkRef } from '../contracts/receipts';
import { addWorkingDays, type WorkingDayCalendar } from '../shared/schedule';
import type { VisitCase, VisitInput } from '../contracts/visit';

export class ReceiptBook {
  /** Wakes the receipts loop: a receipt opened, acknowledged or given a new due date. */
  readonly timer: UpdatableTimer;

  constructor(
    private readonly state: VisitCase,
    private readonly settings: VisitInput['plan']['receipts'],
    private readonly today: () => string,
    private readonly calendar: () => WorkingDayCalendar,
    clock: Clock,
    /** Decided once at the start (patch `receipts-and-inbox`). */
    readonly on: boolean,
  ) {
    this.timer = new UpdatableTimer(clock);
  }

  /** Every receipt of the case, in the order the letters went out. */
  get all(): Receipt[] {
    return this.state.receipts ?? [];
  }

  /** Opens the receipt of a letter being mailed; returns what its signed link names. */
  open(kind: DocumentKind, docNumber?: string): ReceiptLinkRef | undefined {
    const receipts = this.state.receipts;
    if (!this.on || !receipts) return undefined;
    const { workingDays, linkValidDays } = this.settings;
    const sentAt = this.today();
    const receipt: Receipt = {
      id: `R${receipts.length + 1}`,
      kind,
      ...(docNumber ? { docNumber } : {}),
      title: DOCUMENT_KIND_NAMES[kind],
      sentAt,
      dueBy: addWorkingDays(sentAt, workingDays, this.calendar()),
      linkExpires: addDays(sentAt, linkValidDays),
    };
    receipts.push(receipt);
    this.timer.wakeup.notify();
    // The mail prints this receipt's own due date: one value, computed here once (issue 22).
    return { caseId: this.state.caseId, receipt: receipt.id, expires: receipt.linkExpires, dueBy: receipt.dueBy };
  }

  /**
   * Takes back receipt `id`, just opened, when its letter could not go out at all (its mail text
   * could not be filled): no reminder for a letter the county never got. A retry opens it again.
   */
  withdraw(id: string): void {
    const receipts = this.state.receipts;
    const last = receipts?.at(-1);
    if (!receipts || last?.id !== id || last.acknowledged) return;
    receipts.pop();
    this.timer.wakeup.notify();
  }

  /** The receipt `id`, if the case has it. */
  find(id: string): Receipt | undefined {
    return this.all.find((r) => r.id === id);
  }

  /** Records the county's acknowledgement of receipt `id` (validated by the Update). */
  acknowledge(id: string, ack: NonNullable<Receipt['acknowledged']>): Receipt {
    const receipt = this.find(id)!;
    receipt.acknowledged = ack;
    this.timer.wakeup.notify();
    return receipt;
  }

  /**
   * An applied official calendar: every open receipt not yet overdue gets its due date counted
   * again on the new calendar, unless that date has passed. Returns the moves.
   */
  recount(today: string): CalendarMove[] {
    const moves: CalendarMove[] = [];
    for (const rc of this.all) {
      if (rc.acknowledged || rc.dueBy < today) continue;
      const dueBy = addWorkingDays(rc.sentAt, this.settings.workingDays, this.calendar());
      if (dueBy === rc.dueBy || dueBy < today) continue;
      moves.push({ what: `签收期限 ${rc.id}`, from: rc.dueBy, to: dueBy });
      rc.dueBy = dueBy;
      this.timer.wakeup.notify();
    }
    return moves;
  }

  /** An acknowledged letter still lacking its 送达回证 (the close waits for it). */
  nextCertificate(): Receipt | undefined {
    return this.all.find((r) => r.acknowledged && !r.certificate);
  }
}
