/**
 * A person at a dashboard over real HTTP: logs in (the session cookie), reads, posts JSON, and
 * uploads evidence as the dashboard's form does (multipart) — the door the proof's simulated
 * supervisor uses instead of writing to an evidence store of its own.
 */
import type { EvidenceDoor } from '../../client/simulation/people';

export interface Session {
  url: string;
  get(route: string): Promise<Response>;
  post(route: string, body: unknown): Promise<Response>;
  /** Uploads each of the supervisor's evidence files through this dashboard. */
  evidenceDoor(year: number): EvidenceDoor;
}

export async function login(url: string, id: string, password: string): Promise<Session> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, password }),
  });
  if (res.status !== 200) throw new Error(`登录 ${url} 失败 ${res.status}: ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const headers = { cookie };
  return {
    url,
    get: (route) => fetch(`${url}${route}`, { headers }),
    post: (route, body) =>
      fetch(`${url}${route}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    evidenceDoor: (year) => async (c, file) => {
      const form = new FormData();
      form.set('item', file.item);
      form.set('file', new Blob([file.bytes], { type: 'application/pdf' }), file.filename);
      const up = await fetch(`${url}/api/years/${year}/cases/${c.county}/evidence`, {
        method: 'POST',
        headers,
        body: form,
      });
      const text = await up.text();
      if (up.status !== 200) throw new Error(`上传证据失败 ${up.status}: ${text}`);
      return { id: (JSON.parse(text) as { result: { id: string } }).result.id };
    },
  };
}
