/**
 * What the API answers, as the dashboard reads it: the shapes of client/http/views*.ts, the routes
 * and login.ts (client/http/api-schemas.ts declares them loosely where they are the workflows' own
 * state; the fields the pages read are spelled out here).
 */
import type { z } from 'zod';
import type { PublicUser } from '../../http/api-schemas';

export type Role = z.infer<typeof PublicUser>['role'];
export type Stage =
  | 'notice'
  | 'waiting'
  | 'onsite'
  | 'approval'
  | 'issuing'
  | 'issued'
  | 'rectification'
  | 'reinspection'
  | 'closed'
  | 'cancelled';

export interface ScheduleEntry {
  county: string;
  countyName: string;
  date: string;
  status: 'scheduled' | 'started' | 'completed' | 'cancelled' | 'failed';
}

/** A fault waiting for (or retried by) an administrator (故障). */
export interface Incident {
  id: string;
  at: string;
  what: string;
  error: { type?: string; message: string };
  retriedAt?: string;
  retriedBy?: string;
  note?: string;
}

export interface CalendarApplied {
  moves: { what: string; from: string; to: string }[];
}

export interface TodoItem {
  kind: string;
  kindLabel?: string;
  county: string;
  countyName: string;
  caseId: string;
  title: string;
  due?: string;
  daysLeft?: number;
  ref?: string;
}

export interface Report {
  no: number;
  at: string;
  by: string;
  late: boolean;
  items: { index: number; status: string; date?: string; reason?: string }[];
  review?: { decision: 'accept' | 'return'; reasons: string[] };
}

export interface Rectification {
  problems: string[];
  dueDate: string;
  rung: string;
  overdue: boolean;
  reports: Report[];
}

/** The fields of a case (the workflow's VisitCase) the pages read. */
export interface VisitCase {
  caseId: string;
  year: number;
  county: string;
  countyName: string;
  date: string;
  stage: Stage;
  letter?: { docNumber: string; issueDate: string; dueDate: string };
  rectification?: Rectification;
  sample?: { enterprises: { id: string; name: string }[] };
  approval: { approver: string; passedTo?: string };
  incidents: Incident[];
}

export interface User {
  id: string;
  name: string;
  label: string;
  role: Role;
  roleLabel: string;
  county?: string;
}

export interface Me {
  user: User;
  bureau: string;
  year: number;
  refreshSeconds: number;
  maxUploadMb: number;
  temporalUi?: string;
}

export interface Meta {
  checklist: { title: string; items: { key: string; label: string }[] }[];
  stages: Record<string, string>;
  rungs: Record<string, string>;
  itemStatuses: string[];
  findingResults: string[];
}

export type Mode =
  { practice: false } | { practice: true; label: string; notice: string; today: string; nextDayInMs: number };

export interface BoardRow {
  county: string;
  countyName: string;
  date: string;
  month: number;
  status: ScheduleEntry['status'];
  statusLabel: string;
  stage?: Stage;
  stageLabel?: string;
  docNumber?: string;
  dueDate?: string;
  rungLabel?: string;
  overdue: boolean;
  daysOverdue?: number;
  note?: string;
  incident?: string;
  temporalUi?: string;
}

export interface Board {
  year: number;
  bureauName: string;
  today: string;
  bends: string[];
  rows: BoardRow[];
  counts: { total: number; started: number; issued: number; rectifying: number; overdue: number; closed: number };
}

export interface OverdueView {
  year: number;
  today: string;
  rows: BoardRow[];
}

export interface NumbersView {
  rows: { series: string; number: number; requestId: string; status: 'issued' | 'void'; reason?: string }[];
  series: Record<string, string>;
}

export interface ProgrammeView {
  entries: ScheduleEntry[];
  incidents: Incident[];
}

export interface AppliedTo {
  workflowId: string;
  result?: CalendarApplied;
  error?: string;
}

/** The body of POST /api/years/:year/calendar (client/calendar.ts CalendarFileSchema). */
export interface CalendarFile {
  year: number;
  source: string;
  holidays: { name: string; from: string; to: string }[];
  workdays: string[];
}

export interface DocumentRef {
  documentId: string;
  kind: string;
  title: string;
  docNumber?: string;
  date?: string;
  bytes: number;
  pages: number;
  /** The OFD beside the PDF, when the plan asked for OFD. */
  ofd?: { bytes: number };
}

export interface FileRef {
  sha256: string;
  filename: string;
  mediaType: string;
  size: number;
  label: string;
  by: string;
  byName: string;
  at: string;
}

export interface EmailRef {
  subject: string;
  status: string;
  completedAt?: string;
  recipients: { address: string; role: string; status: string }[];
}

export interface ReceiptRef {
  id: string;
  title: string;
  docNumber?: string;
  sentAt: string;
  dueBy: string;
  acknowledged?: { signer: string; date: string; via: string; viaLabel: string };
  overdue: boolean;
  certificate?: { documentId: string };
}

export interface TimelineEvent {
  at: string;
  by: string;
  who: string;
  detail: string;
}

interface CaseViewCommon {
  stageLabel: string;
  documents: DocumentRef[];
  files: FileRef[];
  emails: EmailRef[];
  receipts: ReceiptRef[];
  timeline: TimelineEvent[];
  names: Record<string, string>;
  source: 'temporal' | 'archive';
  /** The engine was busy: this is the case's last answer, read at this instant (ISO). */
  asOf?: string;
}

export interface StaffCaseView extends CaseViewCommon {
  kind: 'staff';
  case: VisitCase;
  links: { temporalUi?: string };
}

/** The narrower case a county sees (client/http/views.ts countyView). */
export interface CountyCaseView extends CaseViewCommon {
  kind: 'county';
  case: Omit<VisitCase, 'sample' | 'approval' | 'incidents'> & {
    incidents?: undefined;
    sample?: undefined;
    approval?: undefined;
  };
}

export type CaseView = StaffCaseView | CountyCaseView;

/** GET /api/receipt: the letter an emailed link asks the county to sign for. */
export interface ReceiptLinkView {
  county: string;
  title: string;
  docNumber?: string;
  sentAt: string;
  dueBy?: string;
  expires: string;
  acknowledged?: { signer: string; date: string; via: string };
}

export interface AcknowledgedByLink {
  title: string;
  docNumber?: string;
  acknowledged?: { signer: string; date: string; via: string };
}
