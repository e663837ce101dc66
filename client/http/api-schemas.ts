/**
 * The HTTP API's contract: the zod schemas of every route's params, querystring, body and answer,
 * and the roles each kind of route lets through. The routes (client/http/routes/*.ts) declare them
 * through fastify-type-provider-zod; the dashboard's typed API client (client/dashboard/) imports
 * them too, so this module imports no fastify and nothing of Node. Bodies of the workflows' own
 * Updates are the contracts' schemas (workflows/contracts) less the `actor`, which the server sets from the
 * session. Answers are declared loosely (`z.looseObject`, `z.unknown()`) where the full shape is
 * the workflows' own state: the declared fields are checked, the rest passes unchanged.
 */
import { z } from 'zod';
import { AddCountyArgs, CancelVisitArgs, RescheduleArgs } from '../../workflows/contracts/programme';
import { RecordStatisticsArgs } from '../../workflows/contracts/statistics';
import { Role } from '../../workflows/contracts/common';
import { RetryArgs } from '../../workflows/contracts/incidents';
import { AcknowledgeArgs } from '../../workflows/contracts/receipts';
import { CorrectRosterArgs } from '../../workflows/contracts/roster';
import { CorrectCountyEmailsArgs } from '../../workflows/contracts/county-emails';
import {
  DecisionArgs,
  ReturnArgs,
  SetEnterpriseResultBody,
  SetFindingArgs,
} from '../../workflows/contracts/visit-onsite';
import { ExtendDueArgs, RecordReinspectionArgs, ReviewReportArgs } from '../../workflows/contracts/visit-rectification';

// The calendar file and the voiding of a number are checked by their client modules' schemas
// (client/calendar.ts, client/void-number.ts), which also read files: only their types here.
export type { CalendarFile as CalendarBody } from '../calendar';
export type { VoidNumberRequest as VoidNumberBody } from '../void-number';

// ---- who may call a route ------------------------------------------------------------------------

/** A route's `config.roles`: the roles it lets through (every other logged-in role gets 403), or 'public' (no login). */
export type RouteRoles = readonly Role[] | 'public';

export const ALL: readonly Role[] = Role.options;
/** The city's own staff (管理员、执法指导人员、分管局领导). */
export const STAFF: readonly Role[] = ['admin', 'supervisor', 'leader'];
/** Who may change the schedule or import statistics: as the programme workflow allows. */
export const SCHEDULERS: readonly Role[] = ['admin', 'supervisor'];
export const ADMIN: readonly Role[] = ['admin'];
export const SUPERVISOR: readonly Role[] = ['supervisor'];
export const LEADER: readonly Role[] = ['leader'];
/** Who may upload a rectification report (整改报告): the county, or a supervisor on its behalf. */
export const REPORTERS: readonly Role[] = ['county', 'supervisor'];
/** Who may sign for a letter (签收): the county in its portal, or staff recording it. */
export const ACKNOWLEDGERS: readonly Role[] = ['county', 'supervisor', 'admin'];

// ---- path and query parameters -------------------------------------------------------------------

export const YearParam = z.coerce
  .number({ error: '年度不正确' })
  .int('年度不正确')
  .min(2000, '年度不正确')
  .max(2100, '年度不正确');
export const CountyParam = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, '县区代码不正确');
export const DocumentIdParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, '文书编号不正确');
export const ShaParam = z.string().regex(/^[0-9a-f]{64}$/, '文件编号应为 64 位十六进制 sha256');

export const YearParams = z.object({ year: YearParam });
export const CaseParams = z.object({ year: YearParam, county: CountyParam });
export const DocumentParams = CaseParams.extend({ documentId: DocumentIdParam });
/** `?format=ofd`: a document's OFD instead of its PDF. */
export const DocumentQuery = z.object({
  format: z.enum(['pdf', 'ofd'], { error: '文书格式只能是 pdf 或 ofd' }).default('pdf'),
});
export const FileParams = CaseParams.extend({ sha256: ShaParam });

/** `GET /api/todo?year=`: one year's inbox, or every year's. */
export const TodoQuery = z.object({ year: YearParam.optional() });
/** The emailed receipt link's token (too long for a path parameter); checked against its key in the route. */
export const ReceiptQuery = z.object({ token: z.string().max(4000, '签收链接无效').optional() });

// ---- bodies --------------------------------------------------------------------------------------

export const LoginBody = z.object({
  id: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(200),
});

/** The visit's Updates as a person sends them: the shared argument schemas without `actor`. */
export const FindingBody = SetFindingArgs.omit({ actor: true });
export const EnterpriseBody = SetEnterpriseResultBody;
export const SubmitBody = z.object({});
export const ApproveBody = DecisionArgs.omit({ actor: true });
export const ReturnBody = ReturnArgs.omit({ actor: true });
export const ReviewBody = ReviewReportArgs.omit({ actor: true });
export const ExtendBody = ExtendDueArgs.omit({ actor: true });
export const RetryBody = RetryArgs.omit({ actor: true });
export const RosterBody = CorrectRosterArgs.omit({ actor: true });
export const CountyEmailsBody = CorrectCountyEmailsArgs.omit({ actor: true });
export const ReinspectionBody = RecordReinspectionArgs.omit({ actor: true });

/** The programme's schedule changes. */
export const RescheduleBody = RescheduleArgs.omit({ actor: true });
export const AddCountyBody = AddCountyArgs.omit({ actor: true });
export const CancelVisitBody = CancelVisitArgs.omit({ actor: true });
/** The statistics import's one field beside its file (multipart). */
export const StatisticsFields = z.object({ period: RecordStatisticsArgs.shape.period });

/** 签收 in the portal or by staff: which receipt, who signed. */
export const AcknowledgeBody = AcknowledgeArgs.pick({ receipt: true, signer: true });
/** 签收 through the emailed link: the token is the credential. */
export const ReceiptLinkBody = AcknowledgeArgs.pick({ signer: true }).extend({
  token: z.string({ error: '缺少签收链接' }),
});

// ---- answers -------------------------------------------------------------------------------------

/** Every refusal: `{ error: { type, message } }`, the message in Chinese (client/http/errors.ts). */
export const ErrorResponse = z.object({ error: z.object({ type: z.string(), message: z.string() }) });
/** An action's answer: what the workflow returned (a visit Update's short answer, a receipt, …). */
export const ResultResponse = z.object({ result: z.unknown() });
/** An evidence upload's answer: also whether the store had the same file already. */
export const EvidenceResponse = z.object({ result: z.unknown(), deduplicated: z.boolean() });
export const OkResponse = z.object({ ok: z.literal(true) });

export const PublicUser = z.object({
  id: z.string(),
  name: z.string(),
  label: z.string(),
  role: Role,
  roleLabel: z.string(),
  county: z.string().optional(),
});
export const LoginResponse = z.object({ user: PublicUser });
export const MeResponse = z.object({
  user: PublicUser,
  bureau: z.string(),
  year: z.number(),
  refreshSeconds: z.number(),
  maxUploadMb: z.number(),
  temporalUi: z.string().optional(),
});
export const MetaResponse = z.object({
  checklist: z.array(z.object({ title: z.string(), items: z.array(z.object({ key: z.string(), label: z.string() })) })),
  stages: z.record(z.string(), z.string()),
  rungs: z.record(z.string(), z.string()),
  itemStatuses: z.array(z.string()),
  findingResults: z.array(z.string()),
});
/** `/api/mode`: practice mode (演练模式) or not (client/http/practice.ts). */
export const ModeResponse = z.union([
  z.object({ practice: z.literal(false) }),
  z.object({
    practice: z.literal(true),
    label: z.string(),
    notice: z.string(),
    today: z.string(),
    msPerDay: z.number(),
    startDate: z.string(),
    nextDayInMs: z.number(),
  }),
]);

const Source = z.enum(['archive', 'temporal']);
/** One county's line on the board (client/http/views-board.ts `BoardRow`). */
export const BoardRowSchema = z.looseObject({
  county: z.string(),
  countyName: z.string(),
  date: z.string(),
  month: z.number(),
  status: z.string(),
  statusLabel: z.string(),
  stage: z.string().optional(),
  stageLabel: z.string().optional(),
  overdue: z.boolean(),
  visitWorkflowId: z.string(),
  source: Source.optional(),
  /** The case's last answer, read at this instant: its query missed the read budget (client/case-reads.ts). */
  asOf: z.string().optional(),
  temporalUi: z.string().optional(),
});
export const BoardResponse = z.looseObject({
  year: z.number(),
  bureau: z.string(),
  bureauName: z.string(),
  today: z.string(),
  finished: z.boolean(),
  bends: z.array(z.string()),
  rows: z.array(BoardRowSchema),
  counts: z.record(z.string(), z.number()),
  source: Source.optional(),
});
export const OverdueResponse = z.object({ year: z.number(), today: z.string(), rows: z.array(BoardRowSchema) });
/** A county's own cases (its start page); staff get the board's rows. */
export const CasesResponse = z.object({ rows: z.array(z.looseObject({ county: z.string(), countyName: z.string() })) });
/** One case: everything for the city's staff (`kind: 'staff'`), the county's narrower view otherwise (views.ts). */
export const CaseViewResponse = z.looseObject({
  kind: z.enum(['staff', 'county']),
  /** The workflow's case record (staff), or the county's part of it. */
  case: z.unknown(),
  stageLabel: z.string(),
  documents: z.array(z.unknown()),
  files: z.array(z.unknown()),
  emails: z.array(z.unknown()),
  receipts: z.array(z.unknown()),
  timeline: z.array(z.unknown()),
  names: z.record(z.string(), z.string()),
  source: Source,
  /** The case's last answer, read at this instant: its query missed the read budget (client/case-reads.ts). */
  asOf: z.string().optional(),
});
/** The number register (发文登记). */
export const NumbersResponse = z.looseObject({
  rows: z.array(z.unknown()),
  series: z.record(z.string(), z.string()),
  source: z.literal('archive').optional(),
});
/** The programme's schedule and record (client/http/views-programme.ts); loose: the workflow's own state. */
export const ProgrammeResponse = z.looseObject({
  year: z.number(),
  entries: z.array(z.unknown()),
  audit: z.array(z.unknown()),
  source: z.literal('archive').optional(),
});
export const TodoResponse = z.object({
  items: z.array(z.looseObject({ kind: z.string(), kindLabel: z.string(), caseId: z.string(), title: z.string() })),
});
/** What an emailed receipt link shows before it is signed. */
export const ReceiptLinkView = z.object({
  caseId: z.string(),
  county: z.string(),
  receipt: z.string(),
  title: z.string(),
  docNumber: z.string().optional(),
  sentAt: z.string(),
  dueBy: z.string(),
  expires: z.string(),
  acknowledged: z.object({ signer: z.string(), date: z.string(), via: z.string() }).optional(),
});
/** A PDF or an evidence file: bytes, not JSON. */
export const FileResponse = z.unknown();
