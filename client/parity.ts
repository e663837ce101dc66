/**
 * Every door to every Update and Query of the workflows, as data: the `guidance` command, the HTTP
 * route, and the dashboard forms with the roles they are shown to. Who may call a route is not
 * listed here: each route declares it in its own options (client/http/routes/*.ts, `config.roles`),
 * and test/parity.test.ts reads it from Fastify's route table. That test finds every Update, Query
 * and Signal definition the workflow contracts export and checks each has its entry here (or is
 * listed as internal), and that each door really exists: the command in `buildProgram()`, the
 * route in the route table (roles not declared get 403, declared ones do not), a form for exactly
 * the route's roles, the form id in the dashboard. Every other route of the API is in `NOT_DOORS`
 * with why. A definition or route added without its doors fails that test.
 *
 * To wire a new Update: add its CLI command, route and form, then one entry below keyed by the
 * definition's `.name` (e.g. `[acknowledgeUpdate.name]: [{ workflow: 'visit', cli: 'visit acknowledge',
 * http: { method: 'POST', path: `${CASE}/acknowledge` }, forms: [{ id: 'form-acknowledge', roles:
 * ['county'] }] }]`). An Update registered on two workflows (retry) has one door per workflow.
 */
import {
  addCountyUpdate,
  cancelVisitUpdate,
  rescheduleUpdate,
  scheduleQuery,
  visitProgressSignal,
} from '../workflows/contracts/programme';
import { recordStatisticsUpdate } from '../workflows/contracts/statistics';
import { type Role } from '../workflows/contracts/common';
import { allocateNumberUpdate, numbersQuery, voidNumberUpdate } from '../workflows/contracts/numbering';
import { retryUpdate } from '../workflows/contracts/incidents';
import { todoQuery } from '../workflows/shared/todo';
import { acknowledgeUpdate } from '../workflows/contracts/receipts';
import { applyCalendarUpdate } from '../workflows/contracts/calendar-update';
import { correctRosterUpdate } from '../workflows/contracts/roster';
import { correctCountyEmailsUpdate } from '../workflows/contracts/county-emails';
import { archiveChunkQuery } from '../workflows/shared/archive-snapshot';
import { visitCaseQuery } from '../workflows/contracts/visit';
import {
  addEvidenceUpdate,
  approveUpdate,
  returnUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitUpdate,
} from '../workflows/contracts/visit-onsite';
import {
  extendDueUpdate,
  recordReinspectionUpdate,
  reviewReportUpdate,
  submitReportUpdate,
} from '../workflows/contracts/visit-rectification';

export interface HttpDoor {
  method: 'GET' | 'POST';
  /** Fastify's route pattern, e.g. `/api/years/:year/cases/:county/findings`; its roles are the route's own. */
  path: string;
}

export interface FormDoor {
  /** The `id` of the form element the dashboard builds (client/dashboard/src, a component per form). */
  id: string;
  /** The roles it is shown to. */
  roles: Role[];
}

export interface Door {
  workflow: 'programme' | 'visit' | 'docnumber';
  /** The `guidance` command path, words separated by spaces, e.g. `visit report`. */
  cli: string;
  http: HttpDoor;
  /** For Updates: a form for each role the route lets through. Queries are read by the pages. */
  forms?: FormDoor[];
}

const YEAR = '/api/years/:year';
const CASE = `${YEAR}/cases/:county`;
const PROGRAMME = `${YEAR}/programme`;
/** The programme workflow lets these change the schedule (workflows/programme/handlers.ts). */
const SCHEDULERS: Role[] = ['admin', 'supervisor'];
const SUPERVISOR: Role[] = ['supervisor'];
const LEADER: Role[] = ['leader'];
const ADMIN: Role[] = ['admin'];

/** A visit Update's door; `roles`: those its dashboard form is shown to. */
const visitAction = (cli: string, route: string, roles: Role[], form: string): Door[] => [
  { workflow: 'visit', cli, http: { method: 'POST', path: `${CASE}/${route}` }, forms: [{ id: form, roles }] },
];
const programmeAction = (cli: string, route: string, form: string, roles = SCHEDULERS): Door[] => [
  { workflow: 'programme', cli, http: { method: 'POST', path: `${PROGRAMME}/${route}` }, forms: [{ id: form, roles }] },
];

/** Definitions only workflows use among themselves, with why they have no door for people. */
export const INTERNAL: Record<string, string> = {
  [allocateNumberUpdate.name]: '由执法指导和计划工作流在出具文书前取号；人工取号会留下无文书的文号',
  [visitProgressSignal.name]: '执法指导工作流向计划报告进度，供通报和周交办使用',
  [archiveChunkQuery.name]: '归档活动分段读取案卷快照（避免整个案卷作为一个载荷）；案卷本身由 visitCase 查询',
};

/** Definition name → its doors. */
export const DOORS: Record<string, Door[]> = {
  // ---- programme (年度计划) -----------------------------------------------------------------------
  [scheduleQuery.name]: [{ workflow: 'programme', cli: 'programme status', http: { method: 'GET', path: PROGRAMME } }],
  [rescheduleUpdate.name]: programmeAction('programme reschedule', 'reschedule', 'form-reschedule'),
  [addCountyUpdate.name]: programmeAction('programme add', 'counties', 'form-add-county'),
  [cancelVisitUpdate.name]: programmeAction('programme cancel', 'cancel', 'form-cancel-visit'),
  [recordStatisticsUpdate.name]: programmeAction('programme stats', 'statistics', 'form-statistics'),

  // ---- visit (执法指导) ---------------------------------------------------------------------------
  [visitCaseQuery.name]: [{ workflow: 'visit', cli: 'visit status', http: { method: 'GET', path: CASE } }],
  [addEvidenceUpdate.name]: visitAction('visit evidence', 'evidence', SUPERVISOR, 'form-evidence'),
  [setFindingUpdate.name]: visitAction('visit finding', 'findings', SUPERVISOR, 'form-finding'),
  [setEnterpriseResultUpdate.name]: visitAction('visit enterprise', 'enterprises', SUPERVISOR, 'form-enterprise'),
  [submitUpdate.name]: visitAction('visit submit', 'submit', SUPERVISOR, 'form-submit'),
  [approveUpdate.name]: visitAction('visit approve', 'approve', LEADER, 'form-approve'),
  [returnUpdate.name]: visitAction('visit return', 'return', LEADER, 'form-return'),
  [submitReportUpdate.name]: visitAction('visit report', 'report', ['county', 'supervisor'], 'form-report'),
  [reviewReportUpdate.name]: visitAction('visit review', 'review', SUPERVISOR, 'form-review'),
  [extendDueUpdate.name]: visitAction('visit extend', 'extend', SUPERVISOR, 'form-extend'),
  [recordReinspectionUpdate.name]: visitAction('visit reinspect', 'reinspection', SUPERVISOR, 'form-reinspection'),

  // Each case's open tasks, gathered across cases into the caller's inbox (待办, client/todo.ts).
  [todoQuery.name]: [{ workflow: 'visit', cli: 'todo', http: { method: 'GET', path: '/api/todo' } }],

  // ---- both: an incident's retry after its cause is fixed (administrators) ----------------------
  // Input that caused an incident, corrected by a person before the retry (issue 21, point 3).
  [correctRosterUpdate.name]: visitAction('visit roster', 'roster', SCHEDULERS, 'form-roster'),
  [correctCountyEmailsUpdate.name]: visitAction('visit emails', 'emails', SCHEDULERS, 'form-county-emails'),

  [retryUpdate.name]: [
    ...visitAction('visit retry', 'retry', ADMIN, 'form-retry'),
    ...programmeAction('programme retry', 'retry', 'form-programme-retry', ADMIN),
  ],

  // ---- receipts (签收) and the official calendar -------------------------------------------------
  [acknowledgeUpdate.name]: visitAction(
    'visit acknowledge',
    'acknowledge',
    ['county', 'supervisor', 'admin'],
    'form-acknowledge',
  ),
  [applyCalendarUpdate.name]: [
    {
      workflow: 'programme',
      cli: 'calendar apply',
      http: { method: 'POST', path: `${YEAR}/calendar` },
      forms: [{ id: 'form-calendar', roles: ADMIN }],
    },
    {
      workflow: 'visit',
      cli: 'calendar apply',
      http: { method: 'POST', path: `${YEAR}/calendar` },
      forms: [{ id: 'form-calendar', roles: ADMIN }],
    },
  ],

  // ---- number register (发文登记) ----------------------------------------------------------------
  [numbersQuery.name]: [{ workflow: 'docnumber', cli: 'numbers', http: { method: 'GET', path: `${YEAR}/numbers` } }],
  [voidNumberUpdate.name]: [
    {
      workflow: 'docnumber',
      cli: 'numbers void',
      http: { method: 'POST', path: `${YEAR}/numbers/void` },
      forms: [{ id: 'form-void-number', roles: ADMIN }],
    },
  ],
};

/**
 * The API's routes that are no door to a workflow's Update or Query, keyed `METHOD path`, with why;
 * every route of the route table is a door above or listed here.
 */
export const NOT_DOORS: Record<string, string> = {
  'POST /api/login': '登录',
  'POST /api/logout': '退出',
  'GET /api/me': '当前用户与页面设置',
  'GET /api/meta': '检查表、阶段等词汇（来自共享模块）',
  'GET /api/mode': '是否演练模式（登录前也显示）',
  'POST /api/admin/users/reload': '重新加载用户文件（用户不在工作流中）',
  [`GET ${YEAR}/board`]: '执法指导进度：由 schedule 与 visitCase 查询合成',
  [`GET ${YEAR}/overdue`]: '逾期清单：同上',
  [`GET ${YEAR}/cases`]: '案件列表：同上',
  [`GET ${CASE}/documents/:documentId`]: '下载文书：按案件记录在归档目录中查找',
  [`GET ${CASE}/files/:sha256`]: '下载证据与整改报告文件：按案件记录在证据库中查找',
  'GET /api/receipt': '邮件签收链接：显示待签收的文书（令牌即凭据）',
  'POST /api/receipt': '邮件签收链接：签收（acknowledge 更新，令牌即凭据，无需登录）',
};
