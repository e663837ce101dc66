/** The read-only sections of a case page: incidents, documents, receipts, rectification, files, emails, timeline. */
import type { caseApi } from '../api';
import { fmtSize, fmtTime } from '../format';
import type { CaseView, Incident, ReceiptRef } from '../types';

type Api = ReturnType<typeof caseApi>;
const nameOf = (v: CaseView, id?: string) => (id && v.names[id]) || id || '';

export function Incidents({ v, incidents }: { v: CaseView; incidents: Incident[] }) {
  if (!incidents.length) return null;
  return (
    <>
      <h2>故障记录</h2>
      <table id="incidents">
        <thead>
          <tr>
            <th>编号</th>
            <th>时间</th>
            <th>步骤</th>
            <th>错误</th>
            <th>处理</th>
          </tr>
        </thead>
        <tbody>
          {incidents.map((i) => (
            <tr key={i.id} class={i.retriedAt ? '' : 'overdue'}>
              <td>{i.id}</td>
              <td>{fmtTime(i.at)}</td>
              <td>{i.what}</td>
              <td>{`${i.error.type || '错误'}：${i.error.message}`}</td>
              <td>
                {i.retriedAt
                  ? `${nameOf(v, i.retriedBy)} 于 ${fmtTime(i.retriedAt)} 重试${i.note ? `（${i.note}）` : ''}`
                  : '待管理员排除后重试'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function Documents({ v, api }: { v: CaseView; api: Api }) {
  return (
    <>
      <h2>文书</h2>
      {v.documents.length ? (
        <table id="documents">
          <thead>
            <tr>
              <th>文书</th>
              <th>文号</th>
              <th>日期</th>
              <th>页数</th>
              <th>大小</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {v.documents.map((d) => (
              <tr key={d.documentId}>
                <td>{d.title}</td>
                <td>{d.docNumber ?? ''}</td>
                <td>{d.date ?? ''}</td>
                <td>{d.pages}</td>
                <td>{fmtSize(d.bytes)}</td>
                <td>
                  <a href={api.documentUrl(d.documentId)} download class={`download kind-${d.kind}`}>
                    下载 PDF
                  </a>
                  {d.ofd ? (
                    <>
                      {' '}
                      <a
                        href={api.documentUrl(d.documentId, 'ofd')}
                        download
                        class={`download ofd kind-${d.kind}`}
                        title={`OFD 版式文件，${fmtSize(d.ofd.bytes)}`}
                      >
                        下载 OFD
                      </a>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">暂无文书</p>
      )}
    </>
  );
}

function ReceiptStatus({ r }: { r: ReceiptRef }) {
  const a = r.acknowledged;
  if (a) return <span class="receipt-done">{`已签收（${a.signer}，${a.date}，${a.viaLabel}）`}</span>;
  if (r.overdue) return <span class="badge overdue">逾期未签收</span>;
  return <span class="badge pending">待签收</span>;
}

export function Receipts({ v, api }: { v: CaseView; api: Api }) {
  if (!v.receipts.length) return null;
  return (
    <>
      <h2>签收</h2>
      <table id="receipts">
        <thead>
          <tr>
            <th>编号</th>
            <th>文书</th>
            <th>文号</th>
            <th>发送日期</th>
            <th>签收期限</th>
            <th>状态</th>
            <th>送达回证</th>
          </tr>
        </thead>
        <tbody>
          {v.receipts.map((r) => (
            <tr key={r.id} class={r.overdue ? 'overdue' : ''} data-receipt={r.id}>
              <td>{r.id}</td>
              <td>{r.title}</td>
              <td>{r.docNumber ?? ''}</td>
              <td>{r.sentAt}</td>
              <td>{r.dueBy}</td>
              <td class="receipt-status">
                <ReceiptStatus r={r} />
              </td>
              <td>
                {r.certificate ? (
                  <a href={api.documentUrl(r.certificate.documentId)} download class="download kind-receipt">
                    下载送达回证
                  </a>
                ) : (
                  // The case renders the 送达回证 right after the receipt; until then the row says so.
                  r.acknowledged && <span class="muted">送达回证生成中</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function Rectification({ v }: { v: CaseView }) {
  const r = v.case.rectification;
  if (!r) return null;
  return (
    <>
      <h2>整改情况</h2>
      <ol id="problems">
        {r.problems.map((p, i) => (
          <li key={i}>{p}</li>
        ))}
      </ol>
      {r.reports.length ? (
        <table id="reports">
          <thead>
            <tr>
              <th>次序</th>
              <th>报送时间</th>
              <th>报送人</th>
              <th>各项整改状态</th>
              <th>审核</th>
            </tr>
          </thead>
          <tbody>
            {r.reports.map((rep) => (
              <tr key={rep.no}>
                <td>{`第 ${rep.no} 次${rep.late ? '（逾期）' : ''}`}</td>
                <td>{fmtTime(rep.at)}</td>
                <td>{nameOf(v, rep.by)}</td>
                <td>
                  {rep.items.map((it) => (
                    <div key={it.index}>
                      {`${it.index + 1}. ${it.status}${it.date ? ` ${it.date}` : ''}${it.reason ? `：${it.reason}` : ''}`}
                    </div>
                  ))}
                </td>
                <td>
                  {rep.review
                    ? rep.review.decision === 'accept'
                      ? '验收通过'
                      : `退回：${rep.review.reasons.join('；')}`
                    : '待审核'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">尚未报送整改报告</p>
      )}
    </>
  );
}

export function Files({ v, api }: { v: CaseView; api: Api }) {
  return (
    <>
      <h2>附件</h2>
      {v.files.length ? (
        <table id="files">
          <thead>
            <tr>
              <th>类别</th>
              <th>文件名</th>
              <th>类型</th>
              <th>大小</th>
              <th>上传人</th>
              <th>时间</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {v.files.map((f, i) => (
              <tr key={`${f.sha256}/${i}`}>
                <td>{f.label}</td>
                <td>{f.filename}</td>
                <td>{f.mediaType}</td>
                <td>{fmtSize(f.size)}</td>
                <td>{f.byName || f.by}</td>
                <td>{fmtTime(f.at)}</td>
                <td>
                  <a href={api.fileUrl(f.sha256)} download>
                    下载
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">暂无附件</p>
      )}
    </>
  );
}

const DELIVERY: Record<string, string> = { delivered: '已送达', partial: '部分送达', failed: '送达失败' };

export function Emails({ v }: { v: CaseView }) {
  return (
    <>
      <h2>邮件送达</h2>
      {v.emails.length ? (
        <table id="emails">
          <thead>
            <tr>
              <th>主题</th>
              <th>状态</th>
              <th>收件人</th>
              <th>完成时间</th>
            </tr>
          </thead>
          <tbody>
            {v.emails.map((m, i) => (
              <tr key={i}>
                <td>{m.subject}</td>
                <td>{DELIVERY[m.status] ?? m.status}</td>
                <td>
                  {m.recipients.map((x, j) => (
                    <div key={j}>
                      {`${x.address}（${x.role === 'cc' ? '抄送' : '收件'}，${x.status === 'accepted' ? '已接收' : '失败'}）`}
                    </div>
                  ))}
                </td>
                <td>{fmtTime(m.completedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">暂无邮件</p>
      )}
    </>
  );
}

export function Timeline({ v }: { v: CaseView }) {
  return (
    <>
      <h2>全过程记录</h2>
      <ol class="timeline" id="timeline">
        {v.timeline.map((e, i) => (
          <li key={i}>
            <time>{fmtTime(e.at)}</time>
            <b>{e.who || e.by}</b>
            {'\u3000'}
            {e.detail}
          </li>
        ))}
      </ol>
    </>
  );
}
