/**
 * 计划看板: the year's counties by month with stage, letter, due date, rung, overdue and incident
 * badges; counts; the scheduler's notes; the programme's forms (schedule changes, statistics,
 * incident retry) and the official calendar for administrators. Refreshes itself; forms keep what
 * is typed and their messages across refreshes (they are components, not redrawn DOM). Fits a
 * 1,366 px screen and prints on A4 landscape (style.css).
 */
import { yearApi } from '../api';
import { clock } from '../format';
import { useLoad } from '../hooks';
import { caseHash } from '../route';
import { useSession } from '../session';
import type { BoardRow, Role } from '../types';
import { CalendarForm } from '../forms/calendar';
import { ProgrammeForms } from '../forms/programme';
import { YearSelect } from './year-select';

const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);

/**
 * The scheduler's note on a year whose holidays are not published names the CLI; on the board the
 * administrator has the form right below, and others are told who applies it.
 */
export function boardNote(note: string, role: Role): string {
  const where =
    role === 'admin' ? '在本页下方“应用国务院节假日安排”中填写并应用到本计划' : '由管理员在计划看板上应用到本计划';
  return note
    .replace(/用\s*guidance calendar apply[^\u3400-\u9fff]*应用到本计划/, where)
    .replace(/[（(]?\s*guidance calendar apply[^\u3400-\u9fff）)]*[）)]?/g, '');
}

function MonthCell({ row }: { row: BoardRow }) {
  return (
    <td class="month">
      <div>{row.date.slice(5)}</div>
      {row.stage ? (
        <span class={`badge stage stage-${row.stage}`}>{row.stageLabel}</span>
      ) : (
        <span class="badge stage stage-none">{row.statusLabel}</span>
      )}
      {row.overdue && <span class="badge overdue">逾期{row.daysOverdue ?? ''}天</span>}
      {row.rungLabel && <span class="badge rung">{row.rungLabel}</span>}
      {row.incident && (
        <span class="badge incident" title={row.incident}>
          故障待处理
        </span>
      )}
    </td>
  );
}

export function BoardPage({ year }: { year: number }) {
  const { me } = useSession();
  const board = useLoad(() => yearApi(year).board(), `board/${year}`, me.refreshSeconds);
  const b = board.data;
  if (!b) return <p class="muted">{board.error ?? '正在加载……'}</p>;
  const c = b.counts;
  return (
    <>
      <h1>
        {b.bureauName} {b.year} 年度执法指导计划
      </h1>
      <div class="toolbar no-print">
        <label>
          年度 <YearSelect year={year} page="board" />
        </label>
        <span class="muted" id="refreshed">
          今天 {b.today} · 上次刷新 {board.at && clock(board.at)} · 每 {me.refreshSeconds} 秒自动刷新
        </span>
        {board.refreshError && <span class="refresh-error">自动刷新失败：{board.refreshError}</span>}
        <button type="button" class="secondary" onClick={() => window.print()}>
          打印
        </button>
      </div>
      <div class="chips">
        <span class="chip">
          县区<b>{c.total}</b>
        </span>
        <span class="chip">
          已开始<b>{c.started}</b>
        </span>
        <span class="chip">
          已出具意见书<b>{c.issued}</b>
        </span>
        <span class="chip">
          整改中<b>{c.rectifying}</b>
        </span>
        <span class="chip">
          逾期<b id="overdue-count">{c.overdue}</b>
        </span>
        <span class="chip">
          已验收<b>{c.closed}</b>
        </span>
      </div>
      <table class="board" id="board">
        <colgroup>
          <col class="col-county" />
          {MONTHS.map((m) => (
            <col key={m} class="col-month" />
          ))}
          <col class="col-docno" />
          <col class="col-due" />
          <col class="col-link no-print" />
        </colgroup>
        <thead>
          <tr>
            <th>县区</th>
            {MONTHS.map((m) => (
              <th key={m}>{m}月</th>
            ))}
            <th>意见书文号</th>
            <th>整改期限</th>
            <th class="no-print"></th>
          </tr>
        </thead>
        <tbody>
          {b.rows.map((r) => (
            <tr key={r.county} class={r.overdue ? 'overdue' : ''} data-county={r.county}>
              <td class="county">
                <a href={caseHash(year, r.county)}>{r.countyName}</a>
              </td>
              {MONTHS.map((m) => (m === r.month ? <MonthCell key={m} row={r} /> : <td key={m} class="month empty" />))}
              <td class="docno">{r.docNumber ?? ''}</td>
              <td class="due">{r.dueDate ?? ''}</td>
              <td class="no-print">
                {r.temporalUi && (
                  <a href={r.temporalUi} target="_blank" rel="noopener">
                    工作流
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {b.bends.length > 0 && (
        <ul class="muted" id="bends">
          {b.bends.map((x) => (
            <li key={x}>{boardNote(x, me.user.role)}</li>
          ))}
        </ul>
      )}
      <ProgrammeForms year={year} onDone={board.reload} />
      {me.user.role === 'admin' && <CalendarForm year={year} onDone={board.reload} />}
      <footer class="print-only">打印时间 {new Date().toLocaleString('zh-CN', { hour12: false })}</footer>
    </>
  );
}
