/**
 * Voiding a number by hand (作废), for `guidance numbers void`, the HTTP API and the 发文登记 page.
 * The numbering workflow only checks that the number was given and is not void yet; it cannot see
 * whether a letter carries it. So before the Update this module checks, from the record of the
 * case (or programme) that drew the number, that no letter went out with it and that its workflow
 * is no longer running (a running one may still issue it, and voids what it will not use itself,
 * e.g. when a visit is cancelled). What cannot be checked is refused: an official number once on
 * a letter must never show 作废 in the register.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { ArchiveLocation } from '../activities/archive-store';
import type { Actor } from '../workflows/contracts/common';
import { scheduleQuery } from '../workflows/contracts/programme';
import { programmeWorkflowId, visitWorkflowId } from '../workflows/contracts/common';
import {
  DOC_NUMBER_SERIES,
  docNumberWorkflowId,
  numbersQuery,
  voidNumberUpdate,
  type DocNumberState,
} from '../workflows/contracts/numbering';
import { formatIssues } from '../workflows/shared/plan';
import { Line } from '../workflows/shared/text';
import type { VisitCase } from '../workflows/contracts/visit';
import { SERIES_LABEL } from './numbers';
import { EXIT, UserError } from './programme';
import { readCase } from './record';

/** What a person gives: the series, the number in it, and why. */
export const VoidNumberRequest = z.object({
  series: z.enum(DOC_NUMBER_SERIES, { error: `文号系列只能是 ${DOC_NUMBER_SERIES.join(' / ')}` }),
  number: z.coerce.number({ error: '序号应为正整数' }).int('序号应为正整数').min(1, '序号应为正整数'),
  // 200, not the workflow's 300: the operator's id is appended (the register keeps no actor).
  reason: Line({ min: 2, max: 200, label: '作废理由', tooShort: '作废须写明理由（至少 2 个字）' }),
});
export type VoidNumberRequest = z.input<typeof VoidNumberRequest>;

export interface VoidedNumber {
  series: (typeof DOC_NUMBER_SERIES)[number];
  number: number;
  requestId: string;
  reason: string;
}

const refused = (message: string, type = 'InvalidState') => new UserError(message, EXIT.refused, type);

/** The docNumber of the letter a visit's request id names, if that letter is on the case; null for a request it cannot read. */
function visitLetter(c: VisitCase, request: string): string | undefined | null {
  const r = c.rectification;
  if (request === 'notice') return c.notice?.docNumber;
  if (request === 'opinion') return c.letter?.docNumber;
  const m = /^(acceptance|urge|supervise|warning|summons):(\d+)$/.exec(request);
  if (!m) return null;
  const k = Number(m[2]) - 1;
  // Request keys are 1-based positions: acceptance:<report no>, <rung>:<escalation count + 1>.
  return m[1] === 'acceptance' ? r?.reports[k]?.review?.letter?.docNumber : r?.escalations[k]?.docNumber;
}

/** Whether the workflow `id` is running; undefined when Temporal no longer has it. */
async function running(client: Client, id: string): Promise<boolean | undefined> {
  try {
    return (await client.workflow.getHandle(id).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Refuses unless the request's owner has ended and its record shows no letter with the number. */
async function checkUnused(
  client: Client,
  year: number,
  bureau: string,
  requestId: string,
  label: string,
  archiveDir: ArchiveLocation | undefined,
): Promise<void> {
  const cut = requestId.indexOf(':');
  const owner = requestId.slice(0, cut);
  const request = requestId.slice(cut + 1);
  const visitPrefix = visitWorkflowId(year, bureau, '');
  const isProgramme = owner === programmeWorkflowId(year, bureau);
  if (cut < 0 || (!isProgramme && !owner.startsWith(visitPrefix)))
    throw refused(`无法核实${label}的用途（${requestId}），不能作废`);
  const state = await running(client, owner);
  if (state)
    throw refused(`${label}属于仍在办理的 ${owner}：由该工作流在不再使用时自行作废（如取消执法指导），不能手工作废`);
  let used: string | undefined | null;
  if (isProgramme) {
    if (state === undefined) throw refused(`无法核实${label}是否已用于文书（${owner} 已不在 Temporal 中），不能作废`);
    const p = await client.workflow.getHandle(owner).query(scheduleQuery);
    const m = /^bulletin:(\d{4}-\d{2})$/.exec(request);
    used = m ? p.bulletins.find((b) => b.month === m[1])?.docNumber : null;
  } else {
    const county = owner.slice(visitPrefix.length);
    const c = await readCase(client, { year, bureau, county }, archiveDir).catch((err: unknown) => {
      if (err instanceof UserError && err.type === 'NotFound')
        throw refused(`无法核实${label}是否已用于文书（${owner} 已不在 Temporal 中，也没有归档），不能作废`);
      throw err;
    });
    used = visitLetter(c.case, request);
  }
  if (used === null) throw refused(`无法核实${label}的用途（${requestId}），不能作废`);
  if (used) throw refused(`${label}已用于已发出的文书（${used}），不能作废`);
}

/**
 * Voids number `number` of `series` (administrators only), after checking it never reached a
 * letter. The reason is kept with the operator's id; the workflow's own refusals pass through.
 */
export async function voidNumber(
  client: Client,
  year: number,
  bureau: string,
  input: VoidNumberRequest,
  actor: Actor,
  archiveDir?: ArchiveLocation,
): Promise<VoidedNumber> {
  if (actor.role !== 'admin') throw new UserError('只有管理员可以作废文号', EXIT.refused, 'Forbidden');
  const parsed = VoidNumberRequest.safeParse(input);
  if (!parsed.success) throw new UserError(formatIssues(parsed.error).join('；'), EXIT.badInput, 'InvalidInput');
  const req = parsed.data;
  const label = `${SERIES_LABEL[req.series]}系列第 ${req.number} 号`;
  const handle = client.workflow.getHandle(docNumberWorkflowId(year, bureau, req.series));
  let state: DocNumberState;
  try {
    state = await handle.query(numbersQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new UserError(`${year} 年度${SERIES_LABEL[req.series]}系列尚未分配文号`, EXIT.notFound, 'NotFound');
    throw err;
  }
  const requestId = Object.entries(state.assigned).find(([, n]) => n === req.number)?.[0];
  if (!requestId) throw refused(`${label}尚未分配（本系列已分配至第 ${state.next - 1} 号）`, 'InvalidInput');
  // An already void number goes straight to the workflow, which says so.
  if (!state.voided?.[req.number]) await checkUnused(client, year, bureau, requestId, label, archiveDir);
  const reason = `${req.reason}（经办：${actor.id}）`;
  try {
    await handle.executeUpdate(voidNumberUpdate, { args: [{ requestId, reason }] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
      throw new UserError(err.cause.message, EXIT.refused, err.cause.type ?? undefined);
    if (err instanceof WorkflowNotFoundError)
      throw refused(`${SERIES_LABEL[req.series]}系列的编号工作流已经结束，不能再作废文号`);
    throw err;
  }
  return { series: req.series, number: req.number, requestId, reason };
}
