/**
 * Wording a bureau may change (可修改的文字): letter requirements, consequences, the "bring" list
 * of a summons, default opinions, bulletin prose, mail subjects and bodies. The defaults live in
 * `templates/wording.yaml`; a plan's `templatesDir` may hold its own `wording.yaml`, and a plan file
 * may override single entries under `wording:`. The plan loader merges the three and validates the
 * result with this schema, so the wording travels with the plan a programme was started with.
 *
 * Mail texts are Handlebars (subject one line; body paragraphs separated by a blank line); they are
 * filled by the `fillText` activity, never in workflow code.
 */
import { z } from 'zod';

const Line = z.string().trim().min(1, '不能为空');
const Lines = z.array(Line).min(1, '至少一条');
/** A mail text: Handlebars subject (one line) and body (paragraphs split by blank lines). */
export const MailTextSchema = z.object({ subject: Line, body: Line });
export type MailText = z.infer<typeof MailTextSchema>;

export const MAIL_TEXT_KINDS = [
  'notice',
  'opinion',
  'reminder',
  'escalation',
  'acceptance',
  'approval',
  'bulletin',
  'digest',
  'receiptReminder',
  'dueDateMoved',
  'todoDigest',
] as const;
export type MailTextKind = (typeof MAIL_TEXT_KINDS)[number];

export const WordingSchema = z.object({
  notice: z.object({ time: Line }),
  opinion: z.object({
    /** Used when a finding has problems but no opinion of its own. */
    defaultOpinion: Line,
    /** Printed when no item has problems. */
    noProblems: z.object({ section: Line, item: Line, problem: Line, opinion: Line }),
    /** A sampled enterprise whose result was not filled in. */
    enterpriseMissing: Line,
  }),
  rectification: z.object({
    /** The only problem a county answers when the letter found none. */
    noProblems: Line,
  }),
  supervise: z.object({ requirements: Lines }),
  warning: z.object({ consequences: Lines }),
  summons: z.object({ summoned: Line, time: Line, room: Line, interviewerTitle: Line, bring: Lines }),
  bulletin: z.object({ recipient: Line, requirements: Lines }),
  mail: z.object(
    Object.fromEntries(MAIL_TEXT_KINDS.map((k) => [k, MailTextSchema])) as Record<MailTextKind, typeof MailTextSchema>,
  ),
});
export type Wording = z.infer<typeof WordingSchema>;

/**
 * The receipt reminder's text for a plan loaded before receipts existed (a running programme's
 * plan travels in its history without it); the same as templates/wording.yaml's.
 */
export const RECEIPT_REMINDER_FALLBACK: MailText = {
  subject: '【签收提醒】{{title}} 尚未签收',
  body: '{{county}}：\n\n我局于 {{date sentAt}} 发出的《{{title}}》{{#if docNumber}}（{{docNumber}}）{{/if}}至今未签收，请登录执法指导平台或点击邮件中的链接签收。',
};

/** The due-date notice's text for plans loaded before it existed; the same as templates/wording.yaml's. */
export const DUE_DATE_MOVED_FALLBACK: MailText = {
  subject: '【整改期限调整】{{opinionNumber}} 整改期限调整为 {{date to}}',
  body: '{{county}}：\n\n根据{{source}}，《安全生产执法指导意见书》（{{opinionNumber}}）的整改期限由 {{date from}} 调整为 {{date to}}（期限届满日为法定节假日的，顺延至节假日后的第一个工作日）。',
};

/** The personal weekly digest's text for plans loaded before it existed; the same as templates/wording.yaml's. */
export const TODO_DIGEST_FALLBACK: MailText = {
  subject: '【待办提醒】{{date asOf}} 您有 {{count}} 项待办',
  body: '{{name}}：\n\n截至 {{date asOf}}，执法指导平台上等待您处理的事项如下（最紧急的在前）：\n\n{{#each items}}\n{{title}}{{#if due}}（期限 {{due}}，{{days}}）{{/if}}\n\n{{/each}}\n请登录执法指导平台办理。',
};
