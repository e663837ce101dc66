/**
 * One deadline (issue 22): the receipt paragraph of a letter's email asks by the receipt's 签收期限
 * (`Receipt.dueBy`, computed once by the visit), never by the link's last valid day; the reminder
 * says the deadline passed; a link that is dead by then is not offered. For any plan settings
 * (working days 1–30, link valid 1–180 days) and any sending date.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { receiptParagraph } from '../activities/email';
import { addDays } from '../workflows/shared/clock';
import { formatDateZh } from '../workflows/shared/documents';
import { addWorkingDays } from '../workflows/shared/schedule';
import { chinaCalendar } from '../activities/calendar';

const URL = 'https://zhidao.example.cn/receipt.html#token';
const dates = (text: string) => text.match(/\d{4}年\d{1,2}月\d{1,2}日/g) ?? [];

describe('the receipt paragraph of a letter', () => {
  it('asks by the case due date; names the link end only when it comes first; the reminder says it passed', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 180 }),
        (sent, workingDays, linkValidDays) => {
          const sentAt = sent.toISOString().slice(0, 10);
          const dueBy = addWorkingDays(sentAt, workingDays, chinaCalendar);
          const expires = addDays(sentAt, linkValidDays);
          const link = { caseId: 'visit-2027-heluo-xiangshan', receipt: 'R1', expires, dueBy };

          const letter = receiptParagraph(link, URL);
          expect(letter.startsWith(`请于${formatDateZh(dueBy)}前点击以下链接签收本文书`)).toBe(true);
          expect(letter.endsWith(`：${URL}`)).toBe(true);
          expect(dates(letter)).toEqual(
            expires < dueBy ? [formatDateZh(dueBy), formatDateZh(expires)] : [formatDateZh(dueBy)],
          );

          const reminder = receiptParagraph({ ...link, reminder: true }, URL);
          expect(reminder.startsWith(`本文书应于${formatDateZh(dueBy)}前签收，现已逾期`)).toBe(true);
          expect(dates(reminder)).toEqual([formatDateZh(dueBy)]);
          // Sent the day after the deadline: a link ending by then is no use to the county.
          expect(reminder.includes(URL)).toBe(expires > dueBy);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the old text for a mail step scheduled before the deadline travelled with the link (a retry sends the same copy)', () => {
    expect(receiptParagraph({ caseId: 'c', receipt: 'R1', expires: '2027-04-19' }, URL)).toBe(
      `请于2027年4月19日前点击以下链接签收本文书（链接仅可使用一次）：${URL}`,
    );
  });
});
