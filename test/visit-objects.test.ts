/**
 * The visit's small state objects (workflows/visit/*), outside a workflow: what each Update's
 * method does to the case and that it wakes the waiting loop; the plan upgraded once.
 * Their Temporal side (the timers' commands) is covered by the replay corpus and the timeskip tests.
 */
import { describe, expect, it } from 'vitest';
import type { VisitCase } from '../workflows/contracts/visit';
import type { Rectification, RectificationReport } from '../workflows/contracts/visit-rectification';
import { Clock, addDays } from '../workflows/shared/clock';
import { snapshotCalendar, type CalendarSnapshot } from '../workflows/shared/schedule';
import { upgradePlan } from '../workflows/visit/plan-upgrade';
import { ReceiptBook } from '../workflows/visit/receipt-book';
import { RectificationTracker } from '../workflows/visit/rectification-tracker';
import { WorkingDays } from '../workflows/visit/working-days';
import { examplePlan } from './helpers/plans';

const plan = examplePlan();
const rules = plan.rectification;
/** 2027 with weekends off and one holiday set by the test. */
const snapshot = (holidays: string[] = []): CalendarSnapshot => {
  const off: string[] = [];
  for (let d = new Date(Date.UTC(2027, 0, 1)); d.getUTCFullYear() === 2027; d.setUTCDate(d.getUTCDate() + 1)) {
    const iso = d.toISOString().slice(0, 10);
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6 || holidays.includes(iso)) off.push(iso);
  }
  return { year: 2027, covered: true, nonWorkingDays: off };
};

describe('upgradePlan', () => {
  it('fills what an older plan lacks with the defaults a plan loaded today gets, and leaves the input as recorded', () => {
    const older: Partial<typeof plan> = structuredClone(plan);
    const mail: Partial<typeof plan.wording.mail> = older.wording!.mail;
    delete older.receipts;
    delete mail.receiptReminder;
    delete mail.dueDateMoved;
    const upgraded = upgradePlan(older as typeof plan);
    expect(upgraded).toEqual(plan);
    expect(older.receipts).toBeUndefined();
    expect(mail.receiptReminder).toBeUndefined();
  });

  it('keeps what a plan says', () => {
    const own = examplePlan((raw) => {
      raw.receipts = { workingDays: 5, linkValidDays: 10 };
      raw.wording = { mail: { dueDateMoved: { subject: '期限调整', body: '{{county}}：期限调整为 {{to}}。' } } };
    });
    const upgraded = upgradePlan(own);
    expect(upgraded).toEqual(own);
    expect(upgraded.receipts).toEqual({ workingDays: 5, linkValidDays: 10 });
    expect(upgraded.wording.mail.dueDateMoved.subject).toBe('期限调整');
  });
});

describe('WorkingDays', () => {
  it('refuses to answer before the script has recorded the calendar, then replaces a year when one is applied', () => {
    const days = new WorkingDays();
    expect(days.recorded).toBe(false);
    expect(() => days.current()).toThrow('案件正在初始化，请稍后再试');
    days.record([snapshot(), { year: 2028, covered: false, nonWorkingDays: [] }]);
    expect(days.holds(2027) && days.holds(2028) && !days.holds(2029)).toBe(true);
    expect(days.current().isWorkingDay('2027-05-25')).toBe(true);
    days.apply(snapshot(['2027-05-25']));
    expect(days.current().isWorkingDay('2027-05-25')).toBe(false);
    expect(days.current().covers(2028)).toBe(false);
  });
});

/** A case whose opinion letter went out the plan's period before 2027-05-06 (a Thursday), its due date. */
function issuedCase() {
  let today = '2027-04-01';
  let calendar = snapshotCalendar([snapshot()]);
  const state = {
    caseId: 'visit-test',
    date: '2027-03-10',
    stage: 'issued',
    letter: {
      docNumber: '河洛应急指导〔2027〕1号',
      issueDate: addDays('2027-05-06', -rules.periodDays),
      dueDate: '2027-05-06',
    },
    receipts: [],
  } as unknown as VisitCase;
  const setToday = (d: string) => (today = d);
  const setCalendar = (holidays: string[]) => (calendar = snapshotCalendar([snapshot(holidays)]));
  return { state, setToday, setCalendar, today: () => today, calendar: () => calendar };
}

const record = (dueDate: string): Rectification => ({
  problems: ['问题一'],
  dueDate,
  rungIndex: -1,
  rung: 'none',
  overdue: false,
  reminders: [],
  escalations: [],
  reports: [],
  extensions: [],
  deductions: [],
  listedInBulletin: false,
});

const report = (no: number): RectificationReport => ({
  no,
  at: '2027-05-10T01:00:00.000Z',
  date: '2027-05-10',
  by: 'xiangshan',
  role: 'county',
  late: true,
  daysOverdue: 4,
  files: [],
  items: [{ index: 0, status: '整改完成' }],
});

describe('RectificationTracker', () => {
  it('opens the rectification, stands still while a report awaits review, and after a return resumes the ladder from its rung', () => {
    const c = issuedCase();
    const rect = new RectificationTracker(c.state, rules, c.today, c.calendar, Clock.real());
    let woken = rect.timer.wakeup.since();
    rect.start(record('2027-05-06'));
    expect(woken()).toBe(true);
    expect(c.state.stage).toBe('rectification');
    expect(rect.next('2027-04-01')).toEqual({ kind: 'reminder', daysBefore: 7, date: '2027-04-29' });

    // Two rungs climbed (the script's escalate step), then the county reports: no event until reviewed.
    Object.assign(rect.record, { rungIndex: 1, rung: 'supervise' });
    c.setToday('2027-05-13');
    woken = rect.timer.wakeup.since();
    rect.submit(report(1));
    expect(woken()).toBe(true);
    expect(rect.next('2027-05-13')).toBeUndefined();

    // Returned: due again in 15 days on a working day; the next rung the day after that date.
    const resubmitBy = rect.resubmitBy();
    expect(resubmitBy).toBe('2027-05-28');
    rect.record.reports[0]!.review = { decision: 'return', by: 'sun-li', at: '', reasons: ['不全'], resubmitBy };
    expect(rect.reviewedUnsent()?.no).toBe(1);
    woken = rect.timer.wakeup.since();
    rect.reviewed(resubmitBy);
    expect(woken()).toBe(true);
    expect(rect.record.dueDate).toBe('2027-05-28');
    expect(rect.record.overdue).toBe(false);
    const reminded = rules.reminderDaysBefore.map((d) => ({ daysBefore: d, dueDate: '2027-05-28' }));
    rect.record.reminders.push(...(reminded as Rectification['reminders']));
    expect(rect.next('2027-05-13')).toMatchObject({ kind: 'rung', index: 2, date: '2027-05-29' });
  });

  it('an extension moves the due date; a date an older version accepted unchecked is kept as its real day', () => {
    const c = issuedCase();
    const rect = new RectificationTracker(c.state, rules, c.today, c.calendar, Clock.real());
    rect.start(record('2027-05-06'));
    const woken = rect.timer.wakeup.since();
    rect.extendTo('2027-06-31');
    expect(woken()).toBe(true);
    expect(rect.record.dueDate).toBe('2027-07-01');
  });

  it('an applied calendar moves a due date not yet passed and queues the county notice once', () => {
    const c = issuedCase();
    const rect = new RectificationTracker(c.state, rules, c.today, c.calendar, Clock.real());
    rect.start(record('2027-05-06'));
    c.setToday('2027-04-20');
    expect(rect.recount('2027-04-20', '国务院办公厅通知')).toEqual([]);
    c.setCalendar(['2027-05-06']);
    const woken = rect.timer.wakeup.since();
    expect(rect.recount('2027-04-20', '国务院办公厅通知')).toEqual([
      { what: '整改期限', from: '2027-05-06', to: '2027-05-07' },
    ]);
    expect(woken()).toBe(true);
    expect(rect.record.dueDate).toBe('2027-05-07');
    expect(rect.takeDueMove()).toEqual({
      what: '整改期限',
      from: '2027-05-06',
      to: '2027-05-07',
      source: '国务院办公厅通知',
    });
    expect(rect.takeDueMove()).toBeUndefined();
    // Passed: nothing moves any more.
    expect(rect.recount('2027-05-08', '又一通知')).toEqual([]);
  });
});

describe('ReceiptBook', () => {
  it('opens a receipt per letter with its due date, records the acknowledgement, recounts open ones on a new calendar', () => {
    const c = issuedCase();
    const book = new ReceiptBook(c.state, plan.receipts, c.today, c.calendar, Clock.real(), true);
    let woken = book.timer.wakeup.since();
    const link = book.open('opinion', '河洛应急指导〔2027〕1号');
    expect(woken()).toBe(true);
    expect(link).toEqual({ caseId: 'visit-test', receipt: 'R1', expires: '2027-05-01', dueBy: '2027-04-06' });
    book.open('urge', '河洛应急催〔2027〕1号');
    expect(book.all.map((r) => r.id)).toEqual(['R1', 'R2']);

    woken = book.timer.wakeup.since();
    const ack = { by: 'xiangshan', signer: '李明', at: '', date: '2027-04-02', via: 'portal' as const };
    expect(book.acknowledge('R1', ack).acknowledged).toEqual(ack);
    expect(woken()).toBe(true);
    expect(book.nextCertificate()?.id).toBe('R1');

    // R2 (sent 04-01, due 04-06) is still open: a holiday on 04-05 moves it to 04-07; R1 is signed and stays.
    c.setCalendar(['2027-04-05']);
    woken = book.timer.wakeup.since();
    expect(book.recount('2027-04-02')).toEqual([{ what: '签收期限 R2', from: '2027-04-06', to: '2027-04-07' }]);
    expect(woken()).toBe(true);
    expect(book.find('R1')!.dueBy).toBe('2027-04-06');
  });

  it('opens nothing in a case recorded before receipts existed', () => {
    const c = issuedCase();
    const book = new ReceiptBook(c.state, plan.receipts, c.today, c.calendar, Clock.real(), false);
    expect(book.open('opinion', 'x')).toBeUndefined();
    expect(book.all).toEqual([]);
  });
});
