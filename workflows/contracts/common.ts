/**
 * What every workflow contract shares: the task queue, the workflow ids, who acts (roles and the
 * actor every Update names), an audit entry and the compressed time scale. Imported by the visit,
 * programme and numbering contracts, never the reverse. Pure: safe inside the workflow sandbox.
 */
import { z } from 'zod';
import { IsoDate } from '../shared/plan';

export const DEFAULT_TASK_QUEUE = 'guidance';

/** `guidance-<year>-<bureau>`: one programme per bureau and year, so a second start is refused. */
export function programmeWorkflowId(year: number, bureau: string): string {
  return `guidance-${year}-${bureau}`;
}

/** `visit-<year>-<bureau>-<county>`. */
export function visitWorkflowId(year: number, bureau: string, county: string): string {
  return `visit-${year}-${bureau}-${county}`;
}

// ---------------------------------------------------------------------------------------------
// Who acts. The HTTP API authenticates people and passes their actor; the CLI is an operator's
// tool run with the bureau's Temporal credentials and names the actor explicitly.

export const Role = z.enum(['admin', 'supervisor', 'leader', 'county']);
export type Role = z.infer<typeof Role>;

/** 管理员 / 执法指导人员 / 分管局领导 / 县区. */
export const ROLE_LABEL: Record<Role, string> = {
  admin: '管理员',
  supervisor: '执法指导人员',
  leader: '分管局领导',
  county: '县区应急管理局',
};

export const ActorSchema = z.object({
  id: z.string().trim().min(1, '操作人不能为空'),
  role: Role,
  /** For role `county`: the only county this actor may see or act for. */
  county: z.string().optional(),
});
export type Actor = z.infer<typeof ActorSchema>;

/** Compressed time for demos and tests: one simulated day lasts `msPerDay` real milliseconds. */
export const TimeScaleSchema = z.object({
  msPerDay: z.number().int().min(10).max(86_400_000),
  /** Simulated date at the moment the programme starts. */
  startDate: IsoDate,
});
export type TimeScale = z.infer<typeof TimeScaleSchema>;

export interface AuditEntry {
  at: string;
  by: string;
  role: Role | 'system';
  action: string;
  detail: string;
}
