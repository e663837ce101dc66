/** The dashboard's pages by location hash: #/todo, #/board/2027, #/case/2027/xiangshan, … */
export type Route =
  | { page: 'login' }
  | { page: 'inbox' }
  | { page: 'board' | 'overdue' | 'numbers'; year?: number }
  | { page: 'case'; year?: number; county?: string };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [page, y, county] = parts;
  const year = Number(y) || undefined;
  if (page === 'login') return { page: 'login' };
  if (!page || page === 'todo') return { page: 'inbox' };
  if (page === 'case') return { page: 'case', year, county };
  if (page === 'overdue' || page === 'numbers') return { page, year };
  return { page: 'board', year };
}

export const caseHash = (year: number, county: string) => `#/case/${year}/${encodeURIComponent(county)}`;
