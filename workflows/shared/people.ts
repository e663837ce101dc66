/**
 * People of the plan by name (人员姓名): what the audit log and the refusals say instead of the ids
 * the plan keys them by. Pure: safe inside the workflow sandbox.
 */
import type { Plan } from './plan';

/** Every person the plan names (指导组, 审批人, 代审批人, 管理员), by id. */
export function planPeople(plan: Pick<Plan, 'supervisors' | 'approval' | 'admins'>): Map<string, string> {
  const people = [
    ...plan.supervisors,
    plan.approval.approver,
    ...(plan.approval.deputy ? [plan.approval.deputy] : []),
    ...(plan.admins ?? []),
  ];
  return new Map(people.map((p) => [p.id, p.name]));
}

/** A person's name; the id itself for someone the plan does not name (never undefined in a sentence). */
export function personName(plan: Pick<Plan, 'supervisors' | 'approval' | 'admins'>, id: string): string {
  return planPeople(plan).get(id) ?? id;
}
