/**
 * A person's to-do inbox (待办), read from Temporal alone: visibility finds the running visits that
 * wait on the person (search attribute GuidanceWaitingOn, set by each visit from
 * workflows/shared/todo.ts), and each of those visits' `todo` Query says what waits and by when,
 * on the case's own clock. Programme incidents come from the programmes' GuidanceIncident. No side
 * database; shared by `guidance todo`, GET /api/todo (client/todo.ts) and the programme's weekly
 * digest to each person (the `collectTodos` activity).
 */
import type { Client } from '@temporalio/client';
import { dayNumber } from '../workflows/shared/clock';
import { scheduleQuery } from '../workflows/contracts/programme';
import { type Role } from '../workflows/contracts/common';
import { openIncident } from '../workflows/contracts/incidents';
import {
  GuidanceBureau,
  GuidanceIncident,
  GuidanceWaitingOn,
  GuidanceYear,
} from '../workflows/shared/search-attributes';
import { byUrgency, todoQuery, todosFor, type InboxPerson, type TodoItem } from '../workflows/shared/todo';

export interface TodoUser {
  id: string;
  role: Role;
  county?: string;
}

const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The GuidanceWaitingOn tokens that name this user. */
export function tokensOf(user: TodoUser): string[] {
  if (user.role === 'county') return user.county ? [`county:${user.county}`] : [];
  return [`role:${user.role}`, `user:${user.id}`];
}

/** The visibility query of a user's cases, e.g. for the Web UI's search box. */
export function todoVisibilityQuery(bureau: string, user: TodoUser, year?: number): string {
  return visibilityQuery(bureau, tokensOf(user), year);
}

function visibilityQuery(bureau: string, tokens: string[], year?: number): string {
  const parts = [
    `WorkflowType = 'countyVisitWorkflow'`,
    `ExecutionStatus = 'Running'`,
    `${GuidanceBureau.name} = ${quote(bureau)}`,
  ];
  if (year !== undefined) parts.push(`${GuidanceYear.name} = ${year}`);
  parts.push(`${GuidanceWaitingOn.name} IN (${tokens.map(quote).join(', ')})`);
  return parts.join(' AND ');
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** What waits on `user`, most urgent first. A case that cannot answer is skipped, not fatal. */
export async function todoFor(
  client: Client,
  bureau: string,
  user: TodoUser,
  opts: { year?: number } = {},
): Promise<TodoItem[]> {
  return (await inboxesOf(client, bureau, [user], opts))[0]!;
}

/**
 * What waits on each of `users`, in their order. One visibility list for all of them (the cases
 * waiting on any of their tokens), each case queried once, and each person's items picked from
 * the whole: the weekly digest asks for a bureau's twenty-odd people at once, and a list per
 * person was most of the programme's cost to the server (docs/performance.md).
 */
export async function inboxesOf(
  client: Client,
  bureau: string,
  users: TodoUser[],
  opts: { year?: number } = {},
): Promise<TodoItem[][]> {
  const tokens = [...new Set(users.flatMap(tokensOf))];
  const ids: string[] = [];
  if (tokens.length > 0)
    for await (const w of client.workflow.list({ query: visibilityQuery(bureau, tokens, opts.year) }))
      ids.push(w.workflowId);
  const perCase = await pool(ids, 8, async (id) => {
    try {
      // Asked as of now: the case's own time is its last activity (AsOf, workflows/shared/clock.ts).
      return await client.workflow.getHandle(id).query(todoQuery, { nowMs: Date.now() });
    } catch {
      return [];
    }
  });
  const all = perCase.flat();
  const roles = new Set<Role>(users.map((u) => u.role).filter((r) => r === 'admin' || r === 'supervisor'));
  const incidents = roles.size ? await programmeIncidents(client, bureau, opts.year) : [];
  return users.map((user) => {
    if (tokensOf(user).length === 0) return [];
    const items = todosFor(user, all);
    if (roles.has(user.role)) items.push(...incidents.map((i) => ({ ...i, role: user.role })));
    return items.sort(byUrgency);
  });
}

/** The programmes' own incidents (bulletin, digest, calendar), for administrators and supervisors (role set by the caller). */
async function programmeIncidents(client: Client, bureau: string, year?: number): Promise<TodoItem[]> {
  const role: Role = 'admin';
  const parts = [
    `WorkflowType = 'programmeWorkflow'`,
    `ExecutionStatus = 'Running'`,
    `${GuidanceBureau.name} = ${quote(bureau)}`,
    `${GuidanceIncident.name} = true`,
  ];
  if (year !== undefined) parts.push(`${GuidanceYear.name} = ${year}`);
  const out: TodoItem[] = [];
  for await (const w of client.workflow.list({ query: parts.join(' AND ') })) {
    try {
      const p = await client.workflow.getHandle(w.workflowId).query(scheduleQuery, { nowMs: Date.now() });
      const incident = openIncident(p.incidents);
      if (!incident) continue;
      out.push({
        kind: 'incident',
        role,
        county: '',
        countyName: '全市',
        caseId: w.workflowId,
        title: `年度计划故障待处理（${incident.what}）`,
        due: incident.at.slice(0, 10),
        daysLeft: dayNumber(incident.at.slice(0, 10)) - dayNumber(p.today),
      });
    } catch {
      /* a programme that cannot answer is left out */
    }
  }
  return out;
}

export interface CollectTodosInput {
  bureau: string;
  year: number;
  people: InboxPerson[];
}

/** `collectTodos`: each person's inbox, for the weekly digest (a read; safe to retry). */
export function createInboxActivities(deps: { client: Client }) {
  return {
    async collectTodos(input: CollectTodosInput): Promise<{ person: InboxPerson; items: TodoItem[] }[]> {
      const inboxes = await inboxesOf(deps.client, input.bureau, input.people, { year: input.year });
      return input.people.map((person, i) => ({ person, items: inboxes[i]! }));
    },
  };
}
