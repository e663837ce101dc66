/**
 * The dashboard: the session (who is logged in, the vocabulary), the header with its navigation
 * and the count beside 待办, and the page the location hash names. The county's pages are its
 * inbox and its own case; staff also get the board, the overdue list and (administrators) the
 * number register. The server checks every role and county again.
 */
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { sessionApi, whenUnauthorized } from './api';
import { PracticeBanner } from './practice';
import { caseHash, parseRoute, type Route } from './route';
import { SessionContext, type Session } from './session';
import type { Me, Meta, TodoItem } from './types';
import { LoginPage } from './pages/login';
import { InboxPage } from './pages/inbox';
import { BoardPage } from './pages/board';
import { OverduePage } from './pages/overdue';
import { NumbersPage } from './pages/numbers';
import { CasePage } from './pages/case';

interface Count {
  total: number;
  overdue: number;
}
const countOf = (items: TodoItem[]): Count => ({
  total: items.length,
  overdue: items.filter((i) => (i.daysLeft ?? 0) < 0).length,
});

export function App() {
  const [hash, setHash] = useState(location.hash);
  const [who, setWho] = useState<{ me: Me; meta: Meta } | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [count, setCount] = useState<Count>({ total: 0, overdue: 0 });
  const route = parseRoute(hash);

  useEffect(() => {
    const onHash = () => setHash(location.hash);
    window.addEventListener('hashchange', onHash);
    whenUnauthorized(() => {
      setWho(null);
      location.hash = '#/login';
    });
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // The session is read once after login (and again after a 401 sent the person to log in).
  useEffect(() => {
    if (route.page === 'login' || who) return;
    let alive = true;
    Promise.all([sessionApi.me(), sessionApi.meta()])
      .then(([me, meta]) => alive && setWho({ me, meta }))
      .catch((e: Error) => {
        if (!alive) return;
        if ((e as { status?: number }).status === 401) location.hash = '#/login';
        else setFailed(e.message);
      });
    return () => {
      alive = false;
    };
  }, [route.page, who]);

  const setTodo = useCallback((items: TodoItem[]) => setCount(countOf(items)), []);
  // Pages other than the inbox refresh the count on arrival; a failure leaves it blank rather than wrong.
  useEffect(() => {
    if (!who || route.page === 'inbox' || route.page === 'login') return;
    sessionApi
      .todo()
      .then(({ items }) => setTodo(items))
      .catch(() => setTodo([]));
  }, [hash, who, setTodo]);

  const session = useMemo<Session | null>(() => (who ? { ...who, setTodo } : null), [who, setTodo]);

  if (route.page === 'login')
    return (
      <>
        <PracticeBanner />
        <Header />
        <main id="app">
          <LoginPage onLogin={() => setWho(null)} />
        </main>
      </>
    );
  return (
    <>
      <PracticeBanner />
      {session ? (
        <SessionContext.Provider value={session}>
          <Header count={count} onLogout={() => setWho(null)} />
          <main id="app">
            <Page route={route} me={session.me} />
          </main>
        </SessionContext.Provider>
      ) : (
        <>
          <Header />
          <main id="app">
            <p class="muted">{failed ?? '正在加载……'}</p>
          </main>
        </>
      )}
    </>
  );
}

function Page({ route, me }: { route: Route; me: Me }) {
  const county = me.user.role === 'county';
  if (route.page === 'inbox') return <InboxPage />;
  const year = ('year' in route && route.year) || me.year;
  if (route.page === 'case' && route.county)
    return <CasePage key={`${year}/${route.county}`} year={year} county={route.county} />;
  if (county) return <CasePage key={`${me.year}/${me.user.county}`} year={me.year} county={me.user.county!} />;
  if (route.page === 'overdue') return <OverduePage key={year} year={year} />;
  if (route.page === 'numbers') return <NumbersPage key={year} year={year} />;
  return <BoardPage key={year} year={year} />;
}

/** The red header across the page: the brand, the navigation for the role, who is logged in. */
function Header(props: { count?: Count; onLogout?(): void }) {
  const session = useSessionOrNull();
  const me = session?.me;
  const logout = async () => {
    await sessionApi.logout().catch(() => undefined);
    props.onLogout?.();
    location.hash = '#/login';
  };
  const c = props.count ?? { total: 0, overdue: 0 };
  return (
    <header class="top no-print">
      <a class="brand" href="#/">
        年度安全生产执法指导
      </a>
      <nav id="nav">
        {me && (
          <>
            <a href="#/todo" id="nav-todo">
              待办
              <span
                id="todo-count"
                class={`count${c.overdue ? ' has-overdue' : ''}`}
                title={c.overdue ? `${c.total} 项待办，其中 ${c.overdue} 项逾期` : `${c.total} 项待办`}
              >
                {c.total ? String(c.total) : ''}
              </span>
            </a>
            {me.user.role === 'county' ? (
              <a href={caseHash(me.year, me.user.county!)}>本县区案件</a>
            ) : (
              <>
                <a href={`#/board/${me.year}`}>计划看板</a>
                <a href={`#/overdue/${me.year}`}>逾期清单</a>
                {me.user.role === 'admin' && <a href={`#/numbers/${me.year}`}>发文登记</a>}
                {me.temporalUi && (
                  <a href={me.temporalUi} target="_blank" rel="noopener">
                    Temporal Web UI
                  </a>
                )}
              </>
            )}
          </>
        )}
      </nav>
      <span id="who">
        {me && (
          <>
            {me.user.label || me.user.name}
            <button class="secondary" type="button" id="logout" onClick={logout}>
              退出
            </button>
          </>
        )}
      </span>
    </header>
  );
}

const useSessionOrNull = () => useContext(SessionContext);
