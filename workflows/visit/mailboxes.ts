/**
 * Who the case's mail goes to: the county's mailboxes (the plan's, or as corrected on this case by
 * `correctCountyEmails`, read by every letter mailed afterwards) and the supervisors, who hear of
 * failed deliveries.
 */
import type { MailAddress } from '../shared/email';
import type { VisitInput } from '../contracts/visit';

export class Mailboxes {
  #county: MailAddress[];
  readonly supervisors: MailAddress[];

  constructor(
    private readonly county: VisitInput['county'],
    plan: VisitInput['plan'],
  ) {
    this.#county = county.emails.map((address) => ({ name: county.bureauName, address }));
    this.supervisors = plan.supervisors.filter((s) => s.email).map((s) => ({ name: s.name, address: s.email! }));
  }

  /** The county bureau's addresses in force. */
  get countyMail(): MailAddress[] {
    return this.#county;
  }

  /** A person corrected the county's addresses; returns those they replace. */
  correct(emails: string[]): string[] {
    const before = this.#county.map((a) => a.address);
    this.#county = emails.map((address) => ({ name: this.county.bureauName, address }));
    return before;
  }
}
