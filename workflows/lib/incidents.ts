/**
 * The incident guard (故障处理): `steps.run(step, what, fn)` runs an activity step; when its
 * retries run out or its failure is permanent, the case records an incident, tells the
 * supervisors and administrators, and waits for an administrator's `retry` Update, then runs the
 * step again. Only a cancellation passes through: no activity failure ends a workflow.
 * Steps must be safe to run again (numbers keyed by request id, letters by key, mail by step).
 */
import { ActivityFailure, ApplicationFailure, condition, isCancellation, log } from '@temporalio/workflow';
import { FailureType } from '../shared/errors';
import type { Actor } from '../contracts/common';
import type { MailAddress } from '../shared/email';
import { RetryArgs, openIncident, retryUpdate, type Incident } from '../contracts/incidents';
import { deliverLetter, type MailSettings } from './delivery';
import { onUpdate, refuse } from './updates';

export interface IncidentHost {
  /** Where incidents are kept on the case (or programme) record. */
  incidents: Incident[];
  audit(by: Actor | 'system', action: string, detail: string): void;
  /** Who is told: the plan's supervisors and administrators with an email address. */
  notify: {
    to: MailAddress[];
    mail: MailSettings;
    retry?: Parameters<typeof deliverLetter>[0]['retry'];
    title: string;
    bureau: string;
  };
}

export interface StepRunner {
  run<T>(step: string, what: string, fn: () => Promise<T>): Promise<T>;
}

/** Registers the `retry` Update and returns the guard for the host's activity steps. */
export function incidentGuard(host: IncidentHost): StepRunner {
  onUpdate(
    retryUpdate,
    RetryArgs,
    (args) => {
      if (args.actor.role !== 'admin') throw refuse(FailureType.Forbidden, '只有管理员可以在排除故障后重试');
      const open = openIncident(host.incidents);
      if (!open) throw refuse(FailureType.InvalidState, '没有待处理的故障');
      if (args.incident && args.incident !== open.id)
        throw refuse(FailureType.InvalidInput, `待处理的故障是 ${open.id}，不是 ${args.incident}`);
    },
    (args) => {
      const open = openIncident(host.incidents)!;
      Object.assign(open, {
        retriedAt: new Date().toISOString(),
        retriedBy: args.actor.id,
        ...(args.note ? { note: args.note } : {}),
      });
      host.audit(
        args.actor,
        'retry',
        `故障 ${open.id} 已排除，重试：${open.what}${args.note ? `（${args.note}）` : ''}`,
      );
      return { ...open };
    },
  );

  return {
    async run<T>(step: string, what: string, fn: () => Promise<T>): Promise<T> {
      for (let attempts = 1; ; attempts++) {
        try {
          return await fn();
        } catch (err) {
          if (isCancellation(err)) throw err;
          const incident: Incident = {
            id: `I${host.incidents.length + 1}`,
            step,
            what,
            error: describe(err),
            at: new Date().toISOString(),
            attempts,
          };
          host.incidents.push(incident);
          host.audit(
            'system',
            'incident',
            `故障 ${incident.id}：${what}失败（${incident.error.type ?? '错误'}：${incident.error.message}），等待管理员排除后重试`,
          );
          log.warn('step failed; waiting for an administrator', { step, error: incident.error });
          incident.notice = await tell(host, incident);
          await condition(() => incident.retriedAt !== undefined);
        }
      }
    },
  };
}

/** The failure's type and message, from the innermost ApplicationFailure when there is one. */
function describe(err: unknown): Incident['error'] {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? undefined, message: cause.message };
  return { message: cause instanceof Error ? cause.message : String(cause) };
}

/** Emails the supervisors and administrators; a notice that cannot go out is only logged. */
async function tell(host: IncidentHost, incident: Incident): Promise<Incident['notice']> {
  const n = host.notify;
  if (n.to.length === 0) return 'none';
  try {
    const record = await deliverLetter({
      step: `incident-${incident.id}`,
      to: n.to,
      content: {
        subject: `【故障待处理】${n.title}：${incident.what}失败`,
        paragraphs: [
          '指导组、管理员：',
          `${n.title}在“${incident.what}”一步失败，已停在当前阶段等待处理（故障 ${incident.id}）。`,
          `错误：${incident.error.type ?? '错误'}：${incident.error.message}`,
          '请排除原因（如修正模板、腾出磁盘空间、恢复服务）后，由管理员在看板或命令行执行“重试”。',
        ],
        signature: [n.bureau],
      },
      supervisors: [],
      retry: n.retry,
      mail: n.mail,
    });
    return record.status;
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('incident notice could not be sent', { incident: incident.id, error: String(err) });
    return 'failed';
  }
}
