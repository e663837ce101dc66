/**
 * `checkPlanServable`: can this worker serve the plan a programme was started with? The programme
 * calls it first, so a worker without the plan's template directory or its SMTP password variable
 * refuses at once, with a clear PlanNotServable, instead of when the first letter falls due; so
 * does one that cannot draw OFD for a plan that asks for it.
 * Configuration only: it never connects to the mail server (an unreachable server is transient).
 */
import { assertFormatsServable, assertTemplatesServable } from './documents';
import { createMailTransports, senderOf, type EmailDeps } from './email';
import type { MailAddress } from '../workflows/shared/email';
import type { PlanSmtp } from './email/settings';

export interface CheckPlanServableInput {
  /** The plan's `templatesDir` (absolute); undefined = built-in templates. */
  templatesDir?: string;
  /** The plan's `smtp` block; undefined = the outbox. */
  smtp?: PlanSmtp;
  /** The plan's bureau as sender. */
  sender: MailAddress;
  /** The plan's formats when they include OFD (`renderFormats(plan)`); undefined = PDF only. */
  formats?: string[];
}

export function createPlanCheckActivities(email: Pick<EmailDeps, 'smtpOverride' | 'secret' | 'tls' | 'timeouts'>) {
  const transports = createMailTransports(email);
  return {
    /** Throws a non-retryable PlanNotServable when this worker cannot render or mail for the plan. */
    async checkPlanServable(input: CheckPlanServableInput): Promise<void> {
      senderOf(input.sender);
      assertTemplatesServable(input.templatesDir);
      assertFormatsServable(input.formats);
      transports.resolve(input.smtp);
    },
  };
}
