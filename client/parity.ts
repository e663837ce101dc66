/**
 * Every door to every Update and Query of the workflows, as data: the `guidance` command, the HTTP
 * route and its roles, and the dashboard forms of the roles that act. test/parity.test.ts finds
 * every Update, Query and Signal definition the shared modules export and checks each has its
 * entry here (or is listed as internal), and that each door really exists: the command in
 * `buildProgram()`, the route on the Fastify app (roles not listed get 403, listed ones do not),
 * the form id in the dashboard's scripts. A definition added without its doors fails that test.
 *
 * To wire a new Update: add its CLI command, route and form, then one entry below keyed by the
 * definition's `.name` (e.g. `[acknowledgeUpdate.name]: [{ workflow: 'visit', cli: 'visit acknowledge',
 * http: { method: 'POST', path: `${CASE}/acknowledge`, roles: ['county'] }, forms: [{ id:
 * 'form-acknowledge', roles: ['county'] }] }]`). An Update registered on two workflows (retry) has
 * one door per workflow.
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
  /** Fastify's route pattern, e.g. `/api/years/:year/cases/:county/findings`. */
  path: string;
  /** The roles the route lets through; every other role gets 403. */
  roles: Role[];
}

export interface FormDoor {
  /** The `id` of the form element the dashboard builds (client/http/public/*.js). */
  id: string;
  /** The roles it is shown to. */
  roles: Role[];
}

export interface Door {
  workflow: 'programme' | 'visit' | 'docnumber';
  /** The `guidance` command path, words separated by spaces, e.g. `visit report`. */
  cli: string;
  http: HttpDoor;
  /** For Updates: a form for each role in `http.roles`. Queries are read by the pages. */
  forms?: FormDoor[];
}

const YEAR = '/api/years/:year';
const CASE = `${YEAR}/cases/:county`;
const PROGRAMME = `${YEAR}/programme`;
const ALL: Role[] = ['admin', 'supervisor', 'leader', 'county'];
const STAFF: Role[] = ['admin', 'supervisor', 'leader'];
/** The programme workflow lets these change the schedule (workflows/programme/handlers.ts). */
const SCHEDULERS: Role[] = ['admin', 'supervisor'];
const SUPERVISOR: Role[] = ['supervisor'];
const LEADER: Role[] = ['leader'];
const ADMIN: Role[] = ['admin'];

const visitAction = (cli: string, route: string, roles: Role[], form: string): Door[] => [
  { workflow: 'visit', cli, http: { method: 'POST', path: `${CASE}/${route}`, roles }, forms: [{ id: form, roles }] },
];
const programmeAction = (cli: string, route: string, form: string, roles = SCHEDULERS): Door[] => [
  {
    workflow: 'programme',
    cli,
    http: { method: 'POST', path: `${PROGRAMME}/${route}`, roles },
    forms: [{ id: form, roles }],
  },
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
  [scheduleQuery.name]: [
    { workflow: 'programme', cli: 'programme status', http: { method: 'GET', path: PROGRAMME, roles: STAFF } },
  ],
  [rescheduleUpdate.name]: programmeAction('programme reschedule', 'reschedule', 'form-reschedule'),
  [addCountyUpdate.name]: programmeAction('programme add', 'counties', 'form-add-county'),
  [cancelVisitUpdate.name]: programmeAction('programme cancel', 'cancel', 'form-cancel-visit'),
  [recordStatisticsUpdate.name]: programmeAction('programme stats', 'statistics', 'form-statistics'),

  // ---- visit (执法指导) ---------------------------------------------------------------------------
  [visitCaseQuery.name]: [{ workflow: 'visit', cli: 'visit status', http: { method: 'GET', path: CASE, roles: ALL } }],
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
  [todoQuery.name]: [{ workflow: 'visit', cli: 'todo', http: { method: 'GET', path: '/api/todo', roles: ALL } }],

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
      http: { method: 'POST', path: `${YEAR}/calendar`, roles: ADMIN },
      forms: [{ id: 'form-calendar', roles: ADMIN }],
    },
    {
      workflow: 'visit',
      cli: 'calendar apply',
      http: { method: 'POST', path: `${YEAR}/calendar`, roles: ADMIN },
      forms: [{ id: 'form-calendar', roles: ADMIN }],
    },
  ],

  // ---- number register (发文登记) ----------------------------------------------------------------
  [numbersQuery.name]: [
    { workflow: 'docnumber', cli: 'numbers', http: { method: 'GET', path: `${YEAR}/numbers`, roles: ADMIN } },
  ],
  [voidNumberUpdate.name]: [
    {
      workflow: 'docnumber',
      cli: 'numbers void',
      http: { method: 'POST', path: `${YEAR}/numbers/void`, roles: ADMIN },
      forms: [{ id: 'form-void-number', roles: ADMIN }],
    },
  ],
};
