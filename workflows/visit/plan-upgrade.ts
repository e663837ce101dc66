/**
 * Plans recorded before a setting existed, brought up to today's shape once, when the visit's
 * context is created. A programme's plan travels in its history, so a visit started by a programme
 * of last spring gets last spring's plan; everything after `upgradePlan` reads the plan as its
 * type says, with no guesses about what an old plan lacks.
 */
import { RECEIPT_DEFAULTS } from '../contracts/receipts';
import type { VisitInput } from '../contracts/visit';
import { DUE_DATE_MOVED_FALLBACK, RECEIPT_REMINDER_FALLBACK } from '../shared/wording';

type Plan = VisitInput['plan'];

/** What a plan may lack when it was loaded by an earlier version. */
type OlderPlan = Omit<Plan, 'receipts' | 'wording'> & {
  receipts?: Plan['receipts'];
  wording: Omit<Plan['wording'], 'mail'> & {
    mail: Omit<Plan['wording']['mail'], 'receiptReminder' | 'dueDateMoved'> &
      Partial<Pick<Plan['wording']['mail'], 'receiptReminder' | 'dueDateMoved'>>;
  };
};

/**
 * The plan with every setting added since plans were first recorded filled with its default:
 * receipts (签收: 3 working days, a link valid 30 days) and the mail texts of the receipt reminder
 * and the due-date notice (templates/wording.yaml's). A new copy; the input is left as recorded.
 */
export function upgradePlan(recorded: Plan): Plan {
  const plan: OlderPlan = recorded;
  return {
    ...plan,
    receipts: plan.receipts ?? { ...RECEIPT_DEFAULTS },
    wording: {
      ...plan.wording,
      mail: {
        ...plan.wording.mail,
        receiptReminder: plan.wording.mail.receiptReminder ?? RECEIPT_REMINDER_FALLBACK,
        dueDateMoved: plan.wording.mail.dueDateMoved ?? DUE_DATE_MOVED_FALLBACK,
      },
    },
  };
}
