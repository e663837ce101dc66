/**
 * The document numbers (文号) this case draws: each kind's series, and a log of what was drawn and
 * whether its letter was handed to the mail, so a cancelled case can void (作废) the numbers it
 * never used or sent (archive.ts). The drawing itself is a step (steps.ts `allocateNumber`).
 */

/** Document-number series of each kind: [numbering workflow key, the character in the number]. */
export const SERIES = {
  notice: ['notice', '函'],
  opinion: ['opinion', '指导'],
  acceptance: ['opinion', '指导'],
  urge: ['urge', '催'],
  supervise: ['supervise', '督'],
  summons: ['summons', '约'],
  warning: ['notice', '函'],
} as const;
export type NumberedKind = keyof typeof SERIES;

/** A number drawn by the case; `mail`: the step that sends its letter, once handed to the mail. */
export interface DrawnNumber {
  series: string;
  requestId: string;
  docNumber: string;
  mail?: { step: string; recipients: string[] };
}

export class NumberLog {
  readonly drawn: DrawnNumber[] = [];

  /** A number the numbering workflow gave this case. */
  record(drawn: DrawnNumber): void {
    this.drawn.push(drawn);
  }

  /** The number's letter goes out in mail step `step`: a cancel asks the sent-log before voiding it. */
  mailing(docNumber: unknown, step: string, recipients: string[]): void {
    const numbered = this.drawn.find((a) => a.docNumber === docNumber);
    if (numbered) numbered.mail = { step, recipients };
  }

  /** Numbers drawn whose letters the case never recorded (`used`: the numbers on its letters). */
  unused(used: Set<string | undefined>): DrawnNumber[] {
    return this.drawn.filter((x) => !used.has(x.docNumber));
  }
}
