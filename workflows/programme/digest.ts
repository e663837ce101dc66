/**
 * The programme's weekly digest: each person's inbox (待办提醒) where visibility is on, else the open
 * problems to the supervisors (周交办). Runs beside the bulletin until the programme stops it.
 */
import { deliverLetter, mailSettings } from '../lib/delivery';
import { bookkeeping } from '../lib/proxies';
import { addDays, dayOfWeek, daysBetween } from '../shared/clock';
import { daysText, type InboxPerson } from '../shared/todo';
import { TODO_DIGEST_FALLBACK, type MailText, type MailTextKind } from '../shared/wording';
import type { VisitProgress } from '../contracts/programme';
import { RUNG_LETTER } from '../shared/labels';
import type { ProgrammeContext } from './context';

/** The escalation letter a visit's rung stands for (催办 has none). */
export const rungName = (rung: VisitProgress['rung']) => (rung && rung !== 'none' ? RUNG_LETTER[rung] : '');

/** The supervisors with an address, as mail recipients (the digest's and the bulletin's). */
export const supervisorsMail = (ctx: ProgrammeContext) =>
  ctx.plan.supervisors.filter((p) => p.email).map((p) => ({ name: p.name, address: p.email! }));

export async function digestLoop(
  ctx: ProgrammeContext,
  stopped: () => boolean,
  until: (date: string) => Promise<boolean>,
): Promise<void> {
  const { plan, state } = ctx;
  const weekday = plan.reporting.digestWeekday;
  if (!weekday) return;
  let date = ctx.lastDigestDate ?? ctx.today();
  while (!stopped()) {
    do date = addDays(date, 1);
    while (dayOfWeek(date) !== weekday % 7);
    if (!(await until(date))) return;
    // Counted by hand, not wrapped: an extra turn here would reorder the commands recorded histories hold.
    ctx.busy++;
    try {
      // Where visibility is on, each person gets their own inbox (待办) instead (ctx.inboxDigest).
      if (ctx.inboxDigest) {
        await inboxDigest(ctx, date);
        continue;
      }
      const open = Object.values(state.progress).filter((p) => p.stage === 'rectification');
      if (open.length === 0) continue;
      const to = supervisorsMail(ctx);
      if (to.length === 0) {
        // Nobody to send it to: recorded, and the year goes on.
        state.digests.push({
          week: date,
          open: open.length,
          at: new Date().toISOString(),
          skipped: '指导组成员均无邮箱地址',
        });
        ctx.audit('system', 'digestSkipped', `${date} 周交办未发送：指导组成员均无邮箱地址`);
        continue;
      }
      state.digests.push({ week: date, open: open.length, at: new Date().toISOString() });
      const text = {
        template: plan.wording.mail.digest,
        data: {
          week: date,
          openProblems: open.reduce((n, p) => n + (p.openProblems?.length ?? 0), 0),
          open: open.map((p) => ({
            countyName: state.entries.find((e) => e.county === p.county)?.countyName ?? p.county,
            docNumber: p.docNumber ?? '',
            dueDate: p.dueDate ?? '—',
            overdue: p.overdue,
            // Counted to the digest's date, as the bulletin counts: a visit no longer sends a
            // note for each day it is late (patch lean-progress-notes, visit/publisher.ts).
            daysOverdue: p.dueDate && p.dueDate < date ? daysBetween(p.dueDate, date) : (p.daysOverdue ?? 0),
            rungName: rungName(p.rung),
            problems: (p.openProblems ?? []).join('；'),
          })),
        },
      };
      // From patch `text-in-mail` the mail activity fills the text (context.ts); awaited inline.
      const what = `${date} 周交办邮件正文`;
      const filled = ctx.textInMail
        ? undefined
        : await ctx.steps.run(`digest-${date}:text`, what, () => ctx.text.fillText(text));
      const send = () =>
        deliverLetter({
          step: `digest-${date}`,
          to,
          content: { ...(filled ?? { text }), signature: [plan.bureau.name] },
          supervisors: [],
          retry: ctx.input.mailRetry,
          mail: mailSettings(plan),
        });
      await (filled ? send() : ctx.steps.run(`digest-${date}:text`, what, send));
    } finally {
      ctx.busy--;
      ctx.lastDigestDate = date;
    }
  }
}

/** The people whose inbox is mailed weekly: the plan's staff and the counties, each with an address. */
function inboxPeople(plan: ProgrammeContext['plan']): InboxPerson[] {
  const staff = [
    ...plan.supervisors.map((p) => ({ ...p, role: 'supervisor' as const })),
    { ...plan.approval.approver, role: 'leader' as const },
    ...(plan.approval.deputy ? [{ ...plan.approval.deputy, role: 'leader' as const }] : []),
    ...plan.admins.map((p) => ({ ...p, role: 'admin' as const })),
  ].flatMap((p) => (p.email ? [{ id: p.id, name: p.name, role: p.role, email: p.email }] : []));
  const counties = plan.counties.flatMap((c) =>
    c.emails[0]
      ? [{ id: c.code, name: c.bureauName, role: 'county' as const, county: c.code, email: c.emails[0] }]
      : [],
  );
  return [...staff, ...counties];
}

/** 待办提醒: each person's inbox as of `date`, one mail per person with anything waiting on them. */
async function inboxDigest(ctx: ProgrammeContext, date: string): Promise<void> {
  const { plan, state } = ctx;
  const inboxes = await ctx.steps.run(`todo-digest-${date}:collect`, `${date} 汇总各人待办`, () =>
    bookkeeping.collectTodos({ bureau: plan.bureau.code, year: plan.year, people: inboxPeople(plan) }),
  );
  const due = inboxes.filter((x) => x.items.length > 0);
  state.digests.push({
    week: date,
    open: due.reduce((n, x) => n + x.items.length, 0),
    at: new Date().toISOString(),
    ...(due.length ? {} : { skipped: '无人有待办事项' }),
  });
  const template = (plan.wording.mail as Partial<Record<MailTextKind, MailText>>).todoDigest ?? TODO_DIGEST_FALLBACK;
  for (const { person, items } of due) {
    const text = {
      template,
      data: {
        asOf: date,
        name: person.name,
        count: items.length,
        items: items.map((i) => ({ title: i.title, due: i.due, days: daysText(i.daysLeft) })),
      },
    };
    const textStep = `todo-digest-${date}-${person.id}:text`;
    const what = `${date} ${person.name}的待办提醒正文`;
    const filled = ctx.textInMail ? undefined : await ctx.steps.run(textStep, what, () => ctx.text.fillText(text));
    const send = () =>
      deliverLetter({
        step: `todo-digest-${date}-${person.id}`,
        to: [{ name: person.name, address: person.email }],
        content: { ...(filled ?? { text }), signature: [plan.bureau.name] },
        supervisors: [],
        retry: ctx.input.mailRetry,
        mail: mailSettings(plan),
      });
    await (filled ? send() : ctx.steps.run(textStep, what, send));
  }
  ctx.audit(
    'system',
    'todoDigest',
    `${date} 待办提醒：${due.length} 人，共 ${due.reduce((n, x) => n + x.items.length, 0)} 项`,
  );
}
