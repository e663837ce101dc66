/** 逾期清单: the year's cases past their rectification due date, most overdue first; refreshes itself. */
import { yearApi } from '../api';
import { useLoad } from '../hooks';
import { caseHash } from '../route';
import { useSession } from '../session';

export function OverduePage({ year }: { year: number }) {
  const { me } = useSession();
  const o = useLoad(() => yearApi(year).overdue(), `overdue/${year}`, me.refreshSeconds);
  if (!o.data) return <p class="muted">{o.error ?? '正在加载……'}</p>;
  return (
    <>
      <h1>{year} 年度整改逾期清单</h1>
      <p class="muted">
        今天 {o.data.today}，共 {o.data.rows.length} 个县区逾期
        {o.refreshError && <span class="refresh-error"> · 自动刷新失败：{o.refreshError}</span>}
      </p>
      <table id="overdue">
        <thead>
          <tr>
            <th>县区</th>
            <th>意见书文号</th>
            <th>整改期限</th>
            <th>逾期天数</th>
            <th>督办层级</th>
          </tr>
        </thead>
        <tbody>
          {o.data.rows.map((r) => (
            <tr key={r.county}>
              <td>
                <a href={caseHash(year, r.county)}>{r.countyName}</a>
              </td>
              <td>{r.docNumber ?? ''}</td>
              <td>{r.dueDate ?? ''}</td>
              <td>{r.daysOverdue ?? ''}</td>
              <td>{r.rungLabel ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
