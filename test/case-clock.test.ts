/**
 * The case's clock (issue 22): a practice year's recorded instants shown on its simulated days
 * (client/http/case-clock.ts, Clock.caseInstant), a Query's "now" from its caller (queryNow), and
 * the documents table's dates by the China day.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseDocuments } from '../activities/archive';
import { onCaseClock } from '../client/http/case-clock';
import { Clock, addDays, queryNow } from '../workflows/shared/clock';
import type { RenderResult } from '../workflows/shared/documents';
import type { VisitCase } from '../workflows/contracts/visit';

const chinaDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const chinaTime = (iso: string) =>
  new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const EPOCH = Date.parse('2026-12-07T05:00:00Z');
const practice = { timeScale: { msPerDay: 60_000, startDate: '2027-02-10' }, epochMs: EPOCH };

describe('Clock.caseInstant', () => {
  it('reads in China time as the simulated date, for any compressed clock and instant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 86_400_000 }),
        fc.integer({ min: 0, max: 400 * 86_400_000 }),
        fc.integer({ min: 0, max: 3000 }),
        (msPerDay, raw, startOffset) => {
          const elapsed = raw % (400 * msPerDay); // a year and more of simulated days
          const clock = Clock.compressed({ msPerDay, startDate: addDays('2027-01-01', startOffset - 1500) }, EPOCH);
          expect(chinaDate(clock.caseInstant(EPOCH + elapsed))).toBe(clock.today(EPOCH + elapsed));
        },
      ),
    );
  });

  it("shows a date's scheduled work at 09:00, and leaves real time as it is", () => {
    const clock = Clock.compressed(practice.timeScale, EPOCH);
    expect(chinaTime(new Date(clock.caseInstant(clock.instantOf('2027-03-08'))).toISOString())).toBe(
      '2027-03-08 09:00',
    );
    expect(Clock.real().caseInstant(EPOCH)).toBe(EPOCH);
  });
});

describe('queryNow', () => {
  it("takes the later of the workflow's time and the caller's, ignoring what is not a finite number", () => {
    expect(queryNow(1000, { nowMs: 5000 })).toBe(5000);
    expect(queryNow(5000, { nowMs: 1000 })).toBe(5000);
    for (const bad of [
      undefined,
      null,
      {},
      { nowMs: 'x' },
      { nowMs: Number.NaN },
      { nowMs: Number.POSITIVE_INFINITY },
      'now',
    ])
      expect(queryNow(1000, bad)).toBe(1000);
  });
});

describe('onCaseClock', () => {
  const at = (day: number, fraction = 0.5) => new Date(EPOCH + (day + fraction) * 60_000).toISOString();
  const c = {
    date: '2027-03-08',
    audit: [{ at: at(24), by: 'system', action: 'notice', detail: '生成执法指导通知 2026-12-07T05:30:00.000Z' }],
    notice: {
      docNumber: 'N1',
      delivery: { completedAt: at(24, 0.4), recipients: [{ address: 'a@b.cn', at: at(24, 0.4) }] },
    },
    approval: { rounds: [{ sentAt: at(40, 0.1) }] },
    receipts: [
      { id: 'R1', sentAt: '2027-03-06', dueBy: '2027-03-09', acknowledged: { at: at(26), date: '2027-03-08' } },
    ],
  };

  it("moves every recorded instant onto the practice year's days; dates and people's text stay", () => {
    const moved = onCaseClock(c, practice);
    expect(chinaTime(moved.audit[0]!.at)).toBe('2027-03-06 12:00');
    expect(moved.audit[0]!.detail).toBe(c.audit[0]!.detail);
    expect(chinaTime(moved.notice.delivery.completedAt)).toBe('2027-03-06 09:36');
    expect(chinaTime(moved.notice.delivery.recipients[0]!.at)).toBe('2027-03-06 09:36');
    expect(chinaTime(moved.approval.rounds[0]!.sentAt)).toBe('2027-03-22 02:24');
    expect(moved.receipts[0]).toMatchObject({
      sentAt: '2027-03-06',
      dueBy: '2027-03-09',
      acknowledged: { date: '2027-03-08' },
    });
    expect(moved.date).toBe('2027-03-08');
    expect(onCaseClock(c, undefined)).toBe(c);
  });

  it('so the documents table dates the notice and the draft by their simulated China day', () => {
    const doc = {
      documentId: 'd',
      path: '/x/d.pdf',
      sha256: 'a'.repeat(64),
      pages: 1,
      bytes: 1,
    } as unknown as RenderResult;
    const moved = onCaseClock(
      {
        ...c,
        notice: { ...c.notice, document: doc },
        approval: { rounds: [{ ...c.approval.rounds[0]!, draft: doc }] },
        receipts: [],
      },
      practice,
    );
    // 02:24 China time on the 22nd is still the 21st in UTC: the China day is the one shown.
    expect(caseDocuments(moved as unknown as VisitCase).map((d) => [d.kind, d.date])).toEqual([
      ['notice', '2027-03-06'],
      ['draft', '2027-03-22'],
    ]);
    // With its receipt, the notice is dated the day it went out on the case's clock (its mail may finish a simulated day later).
    const withReceipt = {
      ...moved,
      receipts: [{ id: 'R1', kind: 'notice', sentAt: '2027-03-05', dueBy: '2027-03-08' }],
    };
    expect(caseDocuments(withReceipt as unknown as VisitCase)[0]).toMatchObject({ kind: 'notice', date: '2027-03-05' });
  });
});
