/** 发文登记 (administrators): every number of the year, issued or voided with its reason, and the void form. */
import { yearApi } from '../api';
import { useLoad } from '../hooks';
import { useSession } from '../session';
import { VoidNumberForm } from '../forms/void-number';

export function NumbersPage({ year }: { year: number }) {
  const { me } = useSession();
  const n = useLoad(() => yearApi(year).numbers(), `numbers/${year}`);
  if (!n.data) return <p class="muted">{n.error ?? '正在加载……'}</p>;
  const { rows, series } = n.data;
  return (
    <>
      <h1>{year} 年度发文登记</h1>
      {rows.length ? (
        <table id="numbers">
          <thead>
            <tr>
              <th>文号系列</th>
              <th>序号</th>
              <th>用于</th>
              <th>状态</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.series}/${r.number}`} class={r.status === 'void' ? 'muted' : ''}>
                <td>{series[r.series] ?? r.series}</td>
                <td>{r.number}</td>
                <td>{r.requestId}</td>
                <td>{r.status === 'void' ? `作废：${r.reason ?? ''}` : '已发文'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">本年度尚未分配文号</p>
      )}
      {me.user.role === 'admin' && <VoidNumberForm year={year} series={series} onDone={n.reload} />}
    </>
  );
}
