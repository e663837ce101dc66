/**
 * 待办 (inbox): what waits on the logged-in person, most urgent first, as GET /api/todo gives it
 * (each case decides on its own clock what is due). Every role opens the dashboard here. A county
 * signs a letter from its row (AckInline); everything else links to the case, where the forms are.
 */
import { useState } from 'preact/hooks';
import { sessionApi } from '../api';
import { Feedback } from '../feedback';
import { clock } from '../format';
import { useLoad } from '../hooks';
import { useSession } from '../session';
import { caseHash } from '../route';
import type { TodoItem } from '../types';
import { AckInline } from '../forms/acknowledge';

/** The page an item is done on: a visit (`visit-<year>-<bureau>-<county>`) or a programme's board. */
function todoLink(item: TodoItem): string | undefined {
  const visit = /^visit-(\d{4})-/.exec(item.caseId);
  if (visit && item.county) return caseHash(Number(visit[1]), item.county);
  const programme = /^guidance-(\d{4})-/.exec(item.caseId);
  return programme ? `#/board/${programme[1]}` : undefined;
}

/** 还剩 N 天 / 今天到期 / 逾期 N 天, counted by the case's own clock. */
function DueBadge({ daysLeft: d }: { daysLeft?: number }) {
  if (d === undefined || d === null) return null;
  if (d < 0) return <span class="badge overdue">逾期 {-d} 天</span>;
  if (d === 0) return <span class="badge due-today">今天到期</span>;
  return <span class="badge days-left">还剩 {d} 天</span>;
}

const keyOf = (i: TodoItem) => `${i.caseId}/${i.kind}/${i.ref ?? ''}`;

export function InboxPage() {
  const { me, setTodo } = useSession();
  const county = me.user.role === 'county';
  // Letters signed from this page, by row: the message stays in the row until dismissed, also
  // once the case has taken the signature and the item has left the list.
  const [signed, setSigned] = useState<Record<string, { item: TodoItem; text: string }>>({});
  const dismiss = (key: string) => setSigned((s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== key)));
  const todo = useLoad(
    async () => {
      const { items } = await sessionApi.todo();
      setTodo(items);
      return items;
    },
    'todo',
    me.refreshSeconds,
  );
  // Without Temporal visibility (a test server) the inbox cannot be read; the rest still works.
  if (todo.error)
    return (
      <>
        <h1>我的待办</h1>
        <p class="muted" id="todo-error">
          待办暂时无法读取：{todo.error}
        </p>
      </>
    );
  const items = todo.data;
  if (!items)
    return (
      <>
        <h1>我的待办</h1>
        <p class="muted">正在加载……</p>
      </>
    );
  const overdue = items.filter((i) => (i.daysLeft ?? 0) < 0).length;
  return (
    <>
      <h1>我的待办</h1>
      <p class="muted" id="todo-summary">
        共 {items.length} 项{overdue ? `，其中 ${overdue} 项逾期` : ''} · 按紧急程度排列 · 上次刷新{' '}
        {todo.at && clock(todo.at)}
        {todo.refreshError && <span class="refresh-error"> · 自动刷新失败：{todo.refreshError}</span>}
      </p>
      {items.length || Object.keys(signed).length ? (
        <table id="todo">
          <thead>
            <tr>
              <th>期限</th>
              <th>事项</th>
              <th>类别</th>
              <th>县区</th>
              <th>办理</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(signed)
              .filter(([key]) => !items.some((i) => keyOf(i) === key))
              .map(([key, s]) => (
                <tr key={key} class="done" data-kind="signed" data-case={s.item.caseId} data-ref={s.item.ref}>
                  <td class="due">{s.item.due || '—'}</td>
                  <td class="title">{s.item.title}</td>
                  <td>
                    <span class="badge kind">已签收</span>
                  </td>
                  <td>{s.item.countyName}</td>
                  <td class="act">
                    <Feedback message={{ kind: 'ok', text: s.text }} onDismiss={() => dismiss(key)} />
                  </td>
                </tr>
              ))}
            {items.map((item) => {
              const link = todoLink(item);
              const done = signed[keyOf(item)];
              return (
                <tr
                  key={keyOf(item)}
                  class={(item.daysLeft ?? 0) < 0 ? 'overdue' : ''}
                  data-kind={item.kind}
                  data-case={item.caseId}
                  data-ref={item.ref}
                >
                  <td class="due">
                    <div>{item.due || '—'}</div>
                    <DueBadge daysLeft={item.daysLeft} />
                  </td>
                  <td class="title">{item.title}</td>
                  <td>
                    <span class={`badge kind kind-${item.kind}`}>{item.kindLabel || item.kind}</span>
                  </td>
                  <td>{item.countyName}</td>
                  <td class="act">
                    {done ? (
                      <Feedback message={{ kind: 'ok', text: done.text }} onDismiss={() => dismiss(keyOf(item))} />
                    ) : (
                      county &&
                      item.kind === 'acknowledge' &&
                      item.ref &&
                      link && (
                        <AckInline
                          item={item}
                          onSigned={(text) => {
                            setSigned((s) => ({ ...s, [keyOf(item)]: { item, text } }));
                            void todo.reload();
                          }}
                        />
                      )
                    )}
                    {link && (
                      <a href={link} class="open-case">
                        {item.caseId.startsWith('guidance-') ? '打开计划看板' : '打开案件'}
                      </a>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p class="muted" id="todo-empty">
          暂无待办事项
        </p>
      )}
    </>
  );
}
