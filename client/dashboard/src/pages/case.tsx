/**
 * One case: its facts, incidents, documents, receipts, rectification, files, emails and timeline,
 * then the forms of 办理 the logged-in person may use now (`allowedForms`). Every form stays
 * mounted in its place, so its message stays there after the action changed the case (and, with
 * it, which forms are offered).
 */
import { useEffect } from 'preact/hooks';
import { caseApi } from '../api';
import { useLoad } from '../hooks';
import { useSession } from '../session';
import type { CaseView, Me } from '../types';
import { AcknowledgeForm } from '../forms/acknowledge';
import { ApproveForm, ReturnForm } from '../forms/approval';
import type { CaseFormProps } from '../forms/case-form';
import { CountyEmailsForm, RosterForm } from '../forms/corrections';
import { EnterpriseForm, EvidenceForm, FindingForm, SubmitForm } from '../forms/onsite';
import { ExtendForm, ReportForm, ReviewForm } from '../forms/rectification';
import { ReinspectionForm } from '../forms/reinspection';
import { CaseRetryForm } from '../forms/retry';
import { Documents, Emails, Files, Incidents, Receipts, Rectification, Timeline } from './case-tables';

/** Which of the case's forms this person may use now (the routes and the workflow check again). */
export function allowedForms(v: CaseView, me: Me) {
  const role = me.user.role;
  const c = v.case;
  const stage = c.stage;
  const open = stage !== 'closed' && stage !== 'cancelled';
  const staffCase = v.kind === 'staff' ? v.case : undefined;
  const corrector = role === 'admin' || role === 'supervisor';
  const r = c.rectification;
  const awaitingReview = Boolean(r && r.reports.length > 0 && !r.reports[r.reports.length - 1]!.review);
  const onsite = role === 'supervisor' && stage === 'onsite';
  // Only the approver of now: the plan's, or the deputy the approval passed to.
  const approver = staffCase && (staffCase.approval.passedTo ?? staffCase.approval.approver);
  const approving = role === 'leader' && stage === 'approval' && approver === me.user.id;
  const rectifying = Boolean(r) && stage === 'rectification';
  return {
    roster: corrector && open && !staffCase?.sample,
    emails: corrector && open,
    onsite,
    approving,
    report: rectifying && !awaitingReview && (role === 'county' || role === 'supervisor'),
    review: rectifying && awaitingReview && role === 'supervisor',
    extend: rectifying && role === 'supervisor',
    reinspection: Boolean(r) && stage === 'reinspection' && role === 'supervisor',
  };
}

function Facts({ v }: { v: CaseView }) {
  const { meta } = useSession();
  const c = v.case;
  const r = c.rectification;
  const due = r?.dueDate ?? c.letter?.dueDate;
  const link = v.kind === 'staff' ? v.links.temporalUi : undefined;
  return (
    <dl class="facts">
      <dt>阶段</dt>
      <dd id="case-stage">
        <span class={`badge stage stage-${c.stage}`}>{v.stageLabel}</span>
        {r?.overdue && <span class="badge overdue">逾期</span>}
        {r && meta.rungs[r.rung] && <span class="badge rung">{meta.rungs[r.rung]}</span>}
      </dd>
      <dt>指导日期</dt>
      <dd>{c.date}</dd>
      {c.letter && (
        <>
          <dt>意见书</dt>
          <dd>{`${c.letter.docNumber}（${c.letter.issueDate}）`}</dd>
        </>
      )}
      {due && (
        <>
          <dt>整改期限</dt>
          <dd id="due-date">{due}</dd>
        </>
      )}
      {link && (
        <>
          <dt class="no-print">工作流</dt>
          <dd class="no-print">
            <a href={link} target="_blank" rel="noopener">
              {c.caseId}
            </a>
          </dd>
        </>
      )}
    </dl>
  );
}

/**
 * The engine was busy and the page is the case's last answer (client/case-reads.ts): said with its
 * time, and looked at again 3 s after each load until a load is current (a look may get the same
 * last answer again while the query is still on its way).
 */
function StaleNote({ asOf, loadedAt, reload }: { asOf: string; loadedAt?: Date; reload: () => Promise<void> }) {
  useEffect(() => {
    const t = window.setTimeout(() => void reload(), 3000);
    return () => window.clearTimeout(t);
  }, [asOf, loadedAt]);
  const at = new Date(asOf).toLocaleTimeString('zh-CN', { hour12: false });
  return (
    <p id="case-as-of" class="stale-note no-print" role="status">
      系统繁忙，此页为 {at} 读取的记录，稍后自动刷新。
    </p>
  );
}

export function CasePage({ year, county }: { year: number; county: string }) {
  const { me } = useSession();
  const api = caseApi(year, county);
  const loaded = useLoad(() => api.read(), `case/${year}/${county}`);
  const v = loaded.data;
  if (!v) return <p class="muted">{loaded.error ?? '正在加载……'}</p>;
  const c = v.case;
  const may = allowedForms(v, me);
  const props = (shown: boolean): CaseFormProps => ({ v, api, onDone: loaded.reload, shown });
  const anyForm = Object.values(may).some(Boolean);
  return (
    <>
      <h1>
        {c.countyName} {c.year} 年度执法指导
      </h1>
      {loaded.refreshError && <p class="refresh-error">刷新失败：{loaded.refreshError}</p>}
      {v.asOf && <StaleNote asOf={v.asOf} loadedAt={loaded.at} reload={loaded.reload} />}
      <Facts v={v} />
      {v.kind === 'staff' && <Incidents v={v} incidents={v.case.incidents} />}
      {v.kind === 'staff' && (
        <CaseRetryForm api={api} incidents={v.case.incidents} admin={me.user.role === 'admin'} onDone={loaded.reload} />
      )}
      <Documents v={v} api={api} />
      <Receipts v={v} api={api} />
      <AcknowledgeForm v={v} api={api} onDone={loaded.reload} />
      <Rectification v={v} />
      <Files v={v} api={api} />
      <Emails v={v} />
      <Timeline v={v} />
      <section id="case-forms" class="no-print">
        {anyForm && <h2>办理</h2>}
        <RosterForm key="roster" {...props(may.roster)} />
        <CountyEmailsForm key="emails" {...props(may.emails)} />
        <EvidenceForm key="evidence" {...props(may.onsite)} />
        <FindingForm key="finding" {...props(may.onsite)} />
        <EnterpriseForm key="enterprise" {...props(may.onsite)} />
        <SubmitForm key="submit" {...props(may.onsite)} />
        <ApproveForm key="approve" {...props(may.approving)} />
        <ReturnForm key="return" {...props(may.approving)} />
        <ReportForm key="report" {...props(may.report)} />
        <ReviewForm key="review" {...props(may.review)} />
        <ExtendForm key="extend" {...props(may.extend)} />
        <ReinspectionForm key="reinspection" {...props(may.reinspection)} />
      </section>
      <footer class="print-only">{`${c.caseId} · 打印时间 ${new Date().toLocaleString('zh-CN', { hour12: false })}`}</footer>
    </>
  );
}
