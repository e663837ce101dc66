/**
 * Custom search attributes (自定义检索属性) that make every programme and visit findable through
 * Temporal visibility: the board, `guidance list` and the Web UI filter on them, so no side
 * database is needed. Pure: the workflows upsert them, the client queries them, the worker
 * registers them (worker/search-attributes.ts).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { chinaDay, chinaMidnight } from './clock';

/** 年度 — the programme year. */
export const GuidanceYear = defineSearchAttributeKey('GuidanceYear', SearchAttributeType.INT);
/** 市局代码 — `plan.bureau.code`. */
export const GuidanceBureau = defineSearchAttributeKey('GuidanceBureau', SearchAttributeType.KEYWORD);
/** 县区代码 — set on visits only. */
export const GuidanceCounty = defineSearchAttributeKey('GuidanceCounty', SearchAttributeType.KEYWORD);
/** 阶段 — the visit's `Stage` (notice … rectification, closed); on a programme 'running' / 'finished'. */
export const GuidanceStage = defineSearchAttributeKey('GuidanceStage', SearchAttributeType.KEYWORD);
/** 整改期限 — the rectification due date (midnight China time of the due day). */
export const GuidanceDueDate = defineSearchAttributeKey('GuidanceDueDate', SearchAttributeType.DATETIME);
/** 督办层级 — the escalation rung reached ('none', 'urge', 'supervise', 'warning', 'summons', 'bulletin'). */
export const GuidanceRung = defineSearchAttributeKey('GuidanceRung', SearchAttributeType.KEYWORD);
/** 是否逾期 — true while the rectification report is overdue. */
export const GuidanceOverdue = defineSearchAttributeKey('GuidanceOverdue', SearchAttributeType.BOOL);

/** 有待处理故障 — true while an incident waits for an administrator's retry. */
export const GuidanceIncident = defineSearchAttributeKey('GuidanceIncident', SearchAttributeType.BOOL);

/**
 * 待办 — who the case waits on: `role:<role>`, `user:<id>`, `county:<code>` (workflows/shared/todo.ts).
 * The inbox lists a person's cases through it, then asks each case's `todo` Query.
 */
export const GuidanceWaitingOn = defineSearchAttributeKey('GuidanceWaitingOn', SearchAttributeType.KEYWORD_LIST);

/** Every key, for registration on a namespace. */
export const GUIDANCE_SEARCH_ATTRIBUTES = [
  GuidanceYear,
  GuidanceBureau,
  GuidanceCounty,
  GuidanceStage,
  GuidanceDueDate,
  GuidanceRung,
  GuidanceOverdue,
  GuidanceIncident,
  GuidanceWaitingOn,
] as const;

/** A due date `YYYY-MM-DD` as the Datetime value stored in GuidanceDueDate (00:00 China Standard Time). */
export function dueDateValue(isoDate: string): Date {
  return new Date(chinaMidnight(isoDate));
}

/** The `YYYY-MM-DD` (China Standard Time) of a GuidanceDueDate value. */
export function dueDateOf(value: Date): string {
  return chinaDay(value.getTime());
}
