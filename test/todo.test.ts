/**
 * The inbox's pure rules (workflows/shared/todo.ts): who a case waits on, the items of each role,
 * their dates on the case's own clock, and the order people see.
 */
import { describe, expect, it } from 'vitest';
import { caseTodos, todosFor, waitingOn } from '../workflows/shared/todo';
import type { VisitCase } from '../workflows/contracts/visit';

function visit(edit: (c: VisitCase) => void = () => {}): VisitCase {
  const c = {
    caseId: 'visit-2027-heluo-xiangshan',
    year: 2027,
    bureau: 'heluo',
    county: 'xiangshan',
    countyName: '香山县',
    date: '2027-03-15',
    stage: 'approval',
    evidence: [],
    findings: [],
    enterprises: [],
    approval: { approver: 'zheng-yuan', rounds: [] },
    incidents: [],
    audit: [],
    receipts: [],
  } as unknown as VisitCase;
  edit(c);
  return c;
}

describe('the inbox rules', () => {
  it('names the approver from submission on, and only then with the option (the draft is not rendered yet)', () => {
    const c = visit();
    expect(waitingOn(c)).toEqual([]);
    expect(waitingOn(c, { approverFromStage: true })).toEqual(['user:zheng-yuan']);
    c.approval.passedTo = 'feng-qing';
    expect(waitingOn(c, { approverFromStage: true })).toEqual(['user:feng-qing']);
  });

  it('dates a draft and an incident on the case clock, not by the UTC day of the instant', () => {
    // 20:00 UTC on 17 March is 18 March in China.
    const c = visit((x) => {
      x.approval.rounds.push({ sentAt: '2027-03-17T20:00:00.000Z', reminders: [] } as never);
      x.incidents.push({
        id: 'I1',
        step: 'render:opinion',
        what: '生成意见书',
        error: { message: 'x' },
        at: '2027-03-17T20:00:00.000Z',
        attempts: 1,
      });
    });
    const items = caseTodos(c, '2027-03-18');
    expect(items.find((i) => i.kind === 'approve')).toMatchObject({
      due: '2027-03-18',
      daysLeft: 0,
      user: 'zheng-yuan',
    });
    expect(items.filter((i) => i.kind === 'incident').map((i) => i.due)).toEqual(['2027-03-18', '2027-03-18']);
    // A compressed clock maps the instant to its own simulated day.
    expect(caseTodos(c, '2027-06-01', () => '2027-05-30').find((i) => i.kind === 'approve')).toMatchObject({
      due: '2027-05-30',
      daysLeft: -2,
    });
  });

  it('words an overdue case by its rung in Chinese, and keeps each role to its own items, most urgent first', () => {
    const c = visit((x) => {
      x.stage = 'rectification';
      x.rectification = {
        problems: ['台账不全'],
        dueDate: '2027-04-14',
        rungIndex: 1,
        rung: 'supervise',
        overdue: true,
        reminders: [],
        escalations: [],
        reports: [],
        extensions: [],
        deductions: [],
        listedInBulletin: false,
      };
      x.receipts = [
        {
          id: 'R1',
          kind: 'notice',
          title: '执法指导通知',
          sentAt: '2027-03-08',
          dueBy: '2027-03-11',
          linkExpires: '2027-04-07',
        },
      ];
    });
    const all = caseTodos(c, '2027-04-20');
    expect(all.find((i) => i.kind === 'overdue')!.title).toBe('香山县：整改逾期（已督办）');
    const county = todosFor({ id: 'xiangshan', role: 'county', county: 'xiangshan' }, all);
    expect(county.map((i) => [i.kind, i.daysLeft])).toEqual([
      ['acknowledge', -40],
      ['report', -6],
    ]);
    expect(todosFor({ id: 'qinghe', role: 'county', county: 'qinghe' }, all)).toEqual([]);
    expect(todosFor({ id: 'sun-li', role: 'supervisor' }, all).map((i) => i.kind)).toEqual(['receiptOverdue']);
    expect(waitingOn(c)).toEqual(['county:xiangshan', 'role:admin', 'role:supervisor']);
  });
});
