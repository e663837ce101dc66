/**
 * Drives visits on a test Temporal service the way people would: through the same Updates the CLI
 * and HTTP API use. Shared by the visit and rectification tests.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILTIN_TEMPLATES_DIR } from '../../activities/documents/templates';
import { createHash } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect } from 'vitest';
import { CHECKLIST_KEYS } from '../../workflows/shared/checklist';
import { visitWorkflowId, type Actor } from '../../workflows/contracts/common';
import type { Plan } from '../../workflows/shared/plan';
import { visitCaseQuery, type VisitCase, type VisitInput } from '../../workflows/contracts/visit';
import {
  addEvidenceUpdate,
  approveUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitUpdate,
} from '../../workflows/contracts/visit-onsite';
import { examplePlan } from './plans';
import { sleepWatched } from './temporal';

export const supervisor: Actor = { id: 'sun-li', role: 'supervisor' };
export const leader: Actor = { id: 'zheng-yuan', role: 'leader' };
export const FAST_MAIL = { initialIntervalMs: 1000, maximumIntervalMs: 2000, giveUpAfterMs: 60_000 };

export class VisitDriver {
  constructor(
    readonly env: TestWorkflowEnvironment,
    readonly queue: string,
  ) {}

  /** The year after the test server's clock. */
  async nextYear(): Promise<number> {
    return new Date(Number(await this.env.currentTimeMs()) + 8 * 3_600_000).getUTCFullYear() + 1;
  }

  /** A Monday in March of the year after the test server's clock, `weekOffset` weeks on. */
  async visitDate(weekOffset = 0): Promise<{ year: number; date: string }> {
    const year = await this.nextYear();
    const d = new Date(Date.UTC(year, 2, 1 + weekOffset * 7));
    while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
    return { year, date: d.toISOString().slice(0, 10) };
  }

  planFor(year: number, edit: (raw: Record<string, any>) => void = () => {}): Plan {
    return examplePlan((raw) => {
      raw.year = year;
      raw.bureau.code = `v${Math.random().toString(36).slice(2, 8)}`;
      edit(raw);
    });
  }

  /** Starts the visit of county `countyIndex` on `date`; `extra` adds to its input (a compressed clock). */
  async start(plan: Plan, countyIndex: number, date: string, extra: Partial<VisitInput> = {}): Promise<WorkflowHandle> {
    const county = plan.counties[countyIndex]!;
    const input: VisitInput = {
      programmeWorkflowId: 'test',
      plan: { ...plan, counties: [county] },
      county,
      date,
      mailRetry: FAST_MAIL,
      ...extra,
    };
    return this.env.client.workflow.start('countyVisitWorkflow', {
      workflowId: visitWorkflowId(plan.year, plan.bureau.code, county.code),
      taskQueue: this.queue,
      args: [input],
    });
  }

  /** Advances the test server's clock to `hourCst` o'clock China time on `date`. */
  async skipTo(date: string, hourCst = 12): Promise<void> {
    const target = Date.parse(`${date}T${String(hourCst).padStart(2, '0')}:00:00+08:00`);
    await sleepWatched(this.env, Math.max(0, target - Number(await this.env.currentTimeMs())));
  }

  state(h: WorkflowHandle): Promise<VisitCase> {
    return h.query(visitCaseQuery);
  }

  async waitFor(h: WorkflowHandle, ok: (s: VisitCase) => boolean, what: string): Promise<VisitCase> {
    for (let i = 0; i < 600; i++) {
      const s = await this.state(h);
      if (ok(s)) return s;
      if (process.env.DEBUG_DRIVER && i % 40 === 39)
        console.log('waiting for', what, s.stage, JSON.stringify(s.audit.slice(-2)));
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`never reached: ${what} (stage ${(await this.state(h)).stage})`);
  }

  waitForStage(h: WorkflowHandle, stage: VisitCase['stage']): Promise<VisitCase> {
    return this.waitFor(h, (s) => s.stage === stage, stage);
  }

  /** Fills every checklist item (two with problems), the sampled enterprises, and submits. */
  async fillAndSubmit(h: WorkflowHandle): Promise<void> {
    const s = await this.state(h);
    const ev = await h.executeUpdate(addEvidenceUpdate, {
      args: [
        {
          actor: supervisor,
          sha256: createHash('sha256').update(`scan-${s.caseId}`).digest('hex'),
          size: 120_000,
          mediaType: 'application/pdf',
          filename: '行政处罚案卷扫描件.pdf',
          item: 'standard.archive',
        },
      ],
    });
    for (const item of CHECKLIST_KEYS) {
      if (item === 'plan.compile') {
        await h.executeUpdate(setFindingUpdate, {
          args: [
            {
              actor: supervisor,
              item,
              result: '不符合',
              problem: '列入计划的一般生产经营单位不足三分之一。',
              opinion: '调整年度监督检查计划，报县政府批准后重新报备。',
            },
          ],
        });
      } else if (item === 'standard.archive') {
        await h.executeUpdate(setFindingUpdate, {
          args: [
            {
              actor: supervisor,
              item,
              result: '不符合',
              problem: '2卷行政处罚案卷自由裁量依据未载明。',
              opinion: '对照案卷评查标准逐卷整改。',
              evidence: [ev.id],
            },
          ],
        });
      } else {
        await h.executeUpdate(setFindingUpdate, { args: [{ actor: supervisor, item, result: '符合' }] });
      }
    }
    for (const e of s.sample!.enterprises) {
      await h.executeUpdate(setEnterpriseResultUpdate, {
        args: [{ actor: supervisor, enterprise: e.id, findings: ['现场检查记录未载明隐患整改期限。'] }],
      });
    }
    await h.executeUpdate(submitUpdate, { args: [{ actor: supervisor }] });
  }

  /** Waits for the draft of approval round `round` (1-based) and approves it. */
  async approve(h: WorkflowHandle, round = 1, actor: Actor = leader): Promise<void> {
    await this.waitFor(h, (s) => s.approval.rounds.length >= round, `approval round ${round}`);
    await h.executeUpdate(approveUpdate, { args: [{ actor }] });
  }

  /** Start → notice → on-site → findings → approval → letter delivered: returns the case in rectification. */
  async toRectification(plan: Plan, countyIndex: number, date: string): Promise<{ h: WorkflowHandle; s: VisitCase }> {
    return (await this.allToRectification(plan, [countyIndex], date))[0]!;
  }

  /**
   * The same for several counties on one date. The clock is skipped once, before anyone acts: the
   * test server has one clock, and two skips racing each other would let approvals time out.
   */
  async allToRectification(
    plan: Plan,
    countyIndexes: number[],
    date: string,
  ): Promise<{ h: WorkflowHandle; s: VisitCase }[]> {
    const handles = await Promise.all(countyIndexes.map((i) => this.start(plan, i, date)));
    await this.skipTo(date);
    return Promise.all(
      handles.map(async (h) => {
        await this.waitForStage(h, 'onsite');
        await this.fillAndSubmit(h);
        await this.approve(h);
        return { h, s: await this.waitForStage(h, 'rectification') };
      }),
    );
  }
}

/** The refusal an Update got: its failure type and Chinese message. */
export async function refusal(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause as { type?: string; message: string };
    return { type: cause.type, message: cause.message };
  }
  throw new Error('update was accepted');
}

/** A copy of the built-in templates in a temp directory, for a plan's templatesDir a test may break. */
export function templatesCopy(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'guidance-templates-'));
  cpSync(BUILTIN_TEMPLATES_DIR, dir, { recursive: true });
  return dir;
}

/** The first Monday of month `m` (1–12) of `year`. */
export function firstMonday(year: number, m: number): string {
  const x = new Date(Date.UTC(year, m - 1, 1));
  while (x.getUTCDay() !== 1) x.setUTCDate(x.getUTCDate() + 1);
  return x.toISOString().slice(0, 10);
}
