/**
 * Names where people read (姓名与名称): the timeline, the case page and the CLI show people,
 * counties and enterprises by name, never by the ids the engine keys them by. The audit log stores
 * who acted as an id (`by`) and, in cases recorded before this, some details carry an id or an
 * English status word ("提醒审批人 zheng-yuan", "通知送达：delivered"); both are put into words
 * here, at the view, from a name book of the plan's people and counties, the users file and the
 * case itself. Nothing stored is changed.
 */
import { ROLE_LABEL, type AuditEntry, type Role } from '../workflows/contracts/common';
import { DELIVERY_STATUS_LABEL, SENT_COPY_LABEL } from '../workflows/shared/labels';
import { planPeople } from '../workflows/shared/people';
import type { Plan } from '../workflows/shared/plan';
import type { VisitCase } from '../workflows/contracts/visit';

/** Ids and codes with the names people know them by. */
export interface NameBook {
  /** Person (plan person or user) by id. */
  people: Map<string, string>;
  /** County by code: its name (香山县) and its bureau's (香山县应急管理局). */
  counties: Map<string, { name: string; bureauName?: string }>;
}

export interface NameSources {
  plan?: Pick<Plan, 'supervisors' | 'approval' | 'admins' | 'counties'>;
  users?: readonly { id: string; name?: string; role: Role; county?: string }[];
  /** Counties as a programme's schedule or a case names them. */
  counties?: readonly { county: string; countyName: string }[];
}

/** The name book of a plan, a users file and the counties of a schedule or case; later sources do not overwrite earlier ones. */
export function nameBook(src: NameSources): NameBook {
  const people = new Map<string, string>();
  const counties = new Map<string, { name: string; bureauName?: string }>();
  if (src.plan) {
    for (const [id, name] of planPeople(src.plan)) people.set(id, name);
    for (const c of src.plan.counties) counties.set(c.code, { name: c.name, bureauName: c.bureauName });
  }
  for (const u of src.users ?? []) if (u.name && !people.has(u.id)) people.set(u.id, u.name);
  for (const c of src.counties ?? []) if (!counties.has(c.county)) counties.set(c.county, { name: c.countyName });
  return { people, counties };
}

/** The book with a case's own county and enterprises added. */
function withCase(book: NameBook, c?: Pick<VisitCase, 'county' | 'countyName'>): NameBook {
  if (!c || book.counties.has(c.county)) return book;
  return { people: book.people, counties: new Map([...book.counties, [c.county, { name: c.countyName }]]) };
}

const countyWords = (county: { name: string; bureauName?: string }) => county.bureauName ?? county.name;

/**
 * Who acted, as a person reads it: 系统; a person's name; a county's bureau (a county user not in
 * the book acts for the case's county); `link:<code>`, a signature through the emailed link, as
 * the county with how it signed. Someone nobody names stays their role and id.
 */
export function actorName(
  book: NameBook,
  by: string,
  role: string,
  c?: Pick<VisitCase, 'county' | 'countyName'>,
): string {
  if (by === 'system') return '系统';
  const named = book.people.get(by);
  if (named) return named;
  const b = withCase(book, c);
  const link = /^link:(.+)$/.exec(by);
  if (link) {
    const county = b.counties.get(link[1]!);
    return `${county ? countyWords(county) : '县区'}（邮件链接签收）`;
  }
  if (role === 'county') {
    const county = b.counties.get(by) ?? (c ? b.counties.get(c.county) : undefined);
    if (county) return countyWords(county);
  }
  return `${(ROLE_LABEL as Record<string, string>)[role] ?? '操作人'} ${by}`;
}

/** Ids as whole words: not inside an address, a path, a file name or a longer id. */
const EDGE_BEFORE = '(?<![A-Za-z0-9_.@/-])';
const EDGE_AFTER = '(?![A-Za-z0-9_.@/-])';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A text of the engine's (an audit detail, an incident message) with every person id, county code
 * and sampled enterprise id the book or the case knows replaced by its name, and the delivery
 * words of cases recorded before they were put in Chinese (`送达：delivered`) in Chinese.
 */
export function readableText(
  book: NameBook,
  text: string,
  c?: Pick<VisitCase, 'county' | 'countyName'> & Partial<Pick<VisitCase, 'sample' | 'correctedRoster'>>,
): string {
  const names = new Map<string, string>();
  for (const [id, name] of book.people) names.set(id, name);
  for (const [code, county] of withCase(book, c).counties) if (!names.has(code)) names.set(code, county.name);
  for (const e of [...(c?.correctedRoster ?? []), ...(c?.sample?.enterprises ?? [])]) names.set(e.id, e.name);
  let out = text;
  if (names.size > 0) {
    const ids = [...names.keys()].sort((a, b) => b.length - a.length).map(escape);
    out = out.replace(new RegExp(`${EDGE_BEFORE}(${ids.join('|')})${EDGE_AFTER}`, 'g'), (id) => names.get(id) ?? id);
  }
  return out
    .replace(
      /(送达：)(delivered|partial|failed)\b/g,
      (_m, head: string, status: string) => `${head}${DELIVERY_STATUS_LABEL[status]}`,
    )
    .replace(
      /(：)(accepted|intent)(?=[，）]|$)/g,
      (_m, head: string, state: string) => `${head}${SENT_COPY_LABEL[state]}`,
    );
}

/** One line of a timeline, as the dashboard and the CLI show it. */
export interface ReadableEntry {
  at: string;
  /** Who acted, in words (actorName). */
  who: string;
  action: string;
  detail: string;
}

/** An audit log in words, oldest first. */
export function readableLog(
  book: NameBook,
  audit: readonly AuditEntry[],
  c?: Parameters<typeof readableText>[2],
): (AuditEntry & ReadableEntry)[] {
  return [...audit]
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((e) => ({ ...e, who: actorName(book, e.by, e.role, c), detail: readableText(book, e.detail, c) }));
}
