/**
 * The typed API client: every URL the dashboard calls, with its request body typed by the zod
 * schema the route parses it with (client/http/api-schemas.ts, the API's contract; type-only
 * imports, so nothing of the server is bundled) and its answer typed after the server's views
 * (./types.ts). The server checks role and
 * county scope itself; an error answer becomes an ApiError carrying the server's Chinese message.
 */
import type { z } from 'zod';
import type {
  AcknowledgeBody,
  AddCountyBody,
  ApproveBody,
  CancelVisitBody,
  CountyEmailsBody,
  EnterpriseBody,
  ExtendBody,
  FindingBody,
  ReinspectionBody,
  RescheduleBody,
  RetryBody,
  ReturnBody,
  ReviewBody,
  RosterBody,
} from '../../http/api-schemas';
import type {
  Board,
  CalendarFile,
  CaseView,
  Me,
  Meta,
  Mode,
  NumbersView,
  OverdueView,
  ProgrammeView,
  ReceiptLinkView,
  TodoItem,
  AppliedTo,
  AcknowledgedByLink,
} from './types';

/** A body as the route's schema takes it (client/http/api-schemas.ts; the server sets the actor from the session). */
type Body<S extends z.ZodType> = z.input<S>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the session is gone (401), so the app can show the login page. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f;
}

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'Network', '无法连接服务器，请稍后再试');
  }
  const data = (await res.json().catch(() => ({}))) as { error?: { type?: string; message?: string } };
  if (!res.ok) {
    if (res.status === 401 && url !== '/api/login') onUnauthorized();
    throw new ApiError(res.status, data.error?.type ?? 'Error', data.error?.message ?? `请求失败（${res.status}）`);
  }
  return data as T;
}

const get = <T>(url: string) => call<T>('GET', url);
const post = <T = { result: unknown }>(url: string, body: unknown) => call<T>('POST', url, body);
const enc = encodeURIComponent;

/** The URLs of one year. */
export const yearApi = (year: number) => {
  const base = `/api/years/${year}`;
  const programme = `${base}/programme`;
  return {
    board: () => get<Board>(`${base}/board`),
    overdue: () => get<OverdueView>(`${base}/overdue`),
    numbers: () => get<NumbersView>(`${base}/numbers`),
    voidNumber: (b: { series: string; number: number; reason: string }) => post(`${base}/numbers/void`, b),
    calendar: (b: CalendarFile) => post<{ result: AppliedTo[] }>(`${base}/calendar`, b),
    programme: () => get<ProgrammeView>(programme),
    programmeRetry: (b: Body<typeof RetryBody>) => post(`${programme}/retry`, b),
    reschedule: (b: Body<typeof RescheduleBody>) => post(`${programme}/reschedule`, b),
    cancelVisit: (b: Body<typeof CancelVisitBody>) => post(`${programme}/cancel`, b),
    addCounty: (b: Body<typeof AddCountyBody>) => post(`${programme}/counties`, b),
    /** Multipart: `period` and one `file` (CSV or XLSX). */
    statistics: (b: FormData) => post(`${programme}/statistics`, b),
  };
};

/** The URLs of one case; `documentUrl` and `fileUrl` are links the browser downloads. */
export const caseApi = (year: number, county: string) => {
  const base = `/api/years/${year}/cases/${enc(county)}`;
  return {
    base,
    read: () => get<CaseView>(base),
    documentUrl: (documentId: string, format: 'pdf' | 'ofd' = 'pdf') =>
      `${base}/documents/${enc(documentId)}${format === 'ofd' ? '?format=ofd' : ''}`,
    fileUrl: (sha256: string) => `${base}/files/${sha256}`,
    /** Multipart: `file`, `item`, optional `enterprise`, `note`. */
    evidence: (b: FormData) => post(`${base}/evidence`, b),
    /** The item and result are the options /api/meta gave (strings to the browser); the route checks them. */
    finding: (b: Omit<Body<typeof FindingBody>, 'item' | 'result'> & { item: string; result: string }) =>
      post(`${base}/findings`, b),
    enterprise: (b: Body<typeof EnterpriseBody>) => post(`${base}/enterprises`, b),
    submit: () => post(`${base}/submit`, {}),
    approve: (b: Body<typeof ApproveBody>) => post(`${base}/approve`, b),
    return: (b: Body<typeof ReturnBody>) => post(`${base}/return`, b),
    /** Multipart: `files` (one or more), `items` (JSON of SubmitReportArgs.items), optional `note`. */
    report: (b: FormData) => post(`${base}/report`, b),
    review: (b: Body<typeof ReviewBody>) => post(`${base}/review`, b),
    extend: (b: Body<typeof ExtendBody>) => post(`${base}/extend`, b),
    reinspection: (b: Body<typeof ReinspectionBody>) => post(`${base}/reinspection`, b),
    retry: (b: Body<typeof RetryBody>) => post(`${base}/retry`, b),
    roster: (b: Body<typeof RosterBody>) => post(`${base}/roster`, b),
    emails: (b: Body<typeof CountyEmailsBody>) => post(`${base}/emails`, b),
    acknowledge: (b: Body<typeof AcknowledgeBody>) => post(`${base}/acknowledge`, b),
  };
};

export const sessionApi = {
  login: (id: string, password: string) => post<{ user: Me['user'] }>('/api/login', { id, password }),
  logout: () => post<{ ok: boolean }>('/api/logout', {}),
  me: () => get<Me>('/api/me'),
  meta: () => get<Meta>('/api/meta'),
  mode: () => get<Mode>('/api/mode'),
  todo: () => get<{ items: TodoItem[] }>('/api/todo'),
};

/** The emailed receipt link: no session, the signed token is the credential. */
export const receiptApi = {
  read: (token: string) => get<ReceiptLinkView>(`/api/receipt?token=${enc(token)}`),
  sign: (token: string, signer: string) => post<{ result: AcknowledgedByLink }>('/api/receipt', { token, signer }),
};
