/**
 * The end of a case: closing it with its archive folder (归档备查; the stage becomes `closed` only
 * once the archive exists), and archiving a cancelled case, with the voiding (作废) of the numbers
 * it drew for letters that never went out.
 */
import { patched, setHandler } from '@temporalio/workflow';
import { bookkeeping } from '../lib/proxies';
import { ARCHIVE_CHUNK_CHARS, archiveChunkQuery } from '../shared/archive-snapshot';
import { SENT_COPY_LABEL } from '../shared/labels';
import type { VisitContext } from './context';

/** Closes the case and writes its archive folder (归档备查). */
export async function closeCase(ctx: VisitContext): Promise<void> {
  const rect = ctx.state.rectification!;
  rect.closedAt = new Date().toISOString();
  ctx.audit('system', 'close', '整改验收通过，案件办结归档');
  // The archived record says closed; the case shows closed only once its archive exists.
  rect.archive = await archiveStep(ctx, 'closed');
  ctx.state.stage = 'closed';
  ctx.audit(
    'system',
    'archive',
    `归档 ${rect.archive.files} 个文件，清单 sha256 ${rect.archive.manifestSha256.slice(0, 16)}…`,
  );
}

/** A cancelled case is archived too (归档备查): its record with stage cancelled, then the stage. */
export async function archiveCancelled(ctx: VisitContext): Promise<void> {
  ctx.audit('system', 'cancel', '执法指导已取消，案卷归档');
  // Numbers drawn for letters that will now never go out are voided (作废) in the register.
  const { state, plan } = ctx;
  const used = new Set([
    state.notice?.docNumber,
    state.letter?.docNumber,
    ...(state.rectification?.escalations ?? []).map((e) => e.docNumber),
    ...(state.rectification?.reports ?? []).map((r) => r.review?.letter?.docNumber),
  ]);
  // Its own patch: a cancelled run recorded with archive-cancelled-visits before voiding existed did not void.
  const unused = patched('void-unused-numbers') ? ctx.numbers.unused(used) : [];
  // A letter recorded on the case only once its mail is done (the acceptance letter) may be out
  // already when the cancel comes mid-retry: its number stands if the sent-log says a copy left.
  // Guarded: runs cancelled before this voided without asking (patch `void-only-unsent`).
  const askSentLog = unused.some((a) => a.mail) && patched('void-only-unsent');
  for (const a of unused) {
    if (askSentLog && a.mail) {
      const mail = a.mail;
      const mailed = await ctx.steps.run(`mailed:${a.requestId}`, `查询文书 ${a.docNumber} 是否已发出`, () =>
        bookkeeping.letterMailed({ workflowId: ctx.caseId, step: mail.step, recipients: mail.recipients }),
      );
      if (mailed.status !== 'never') {
        const copies = mailed.copies
          .filter((c) => c.state !== 'none')
          .map((c) => `${c.address}：${SENT_COPY_LABEL[c.state] ?? c.state}`)
          .join('，');
        ctx.audit(
          'system',
          'keepNumber',
          `文号 ${a.docNumber} 不作废：其文书${mailed.status === 'sent' ? '已发出' : '可能已发出'}（${copies}）`,
        );
        continue;
      }
    }
    await ctx.steps.run(`void:${a.requestId}`, `作废未使用的文号 ${a.docNumber}`, () =>
      bookkeeping.voidDocNumber({
        year: plan.year,
        bureau: plan.bureau.code,
        series: a.series,
        requestId: a.requestId,
        reason: '执法指导已取消，文号未使用',
      }),
    );
    ctx.audit('system', 'voidNumber', `文号 ${a.docNumber} 作废：执法指导已取消，未使用`);
  }
  ctx.state.archive = await archiveStep(ctx, 'cancelled');
  ctx.state.stage = 'cancelled';
  // The programme hears of the end (a run after a continue-as-new follows its visits only through
  // these notes): the audit entry publishes the stage. Patch `publish-cancelled`: a new signal.
  if (patched('publish-cancelled'))
    ctx.audit(
      'system',
      'cancelled',
      `执法指导已取消，案卷已归档（清单 sha256 ${ctx.state.archive.manifestSha256.slice(0, 16)}…）`,
    );
  await ctx.published();
}

/**
 * The archive step: the case as it will be archived (its final stage), serialised afresh for every
 * attempt (a retry after an incident includes the incident), read by the activity through
 * `archiveChunkQuery` in slices. Only the snapshot's id and length go into the activity's input:
 * the whole case in one payload could exceed Temporal's payload limit and have the server end the
 * case. Same activity, same place in the command sequence as before: only its input changed.
 */
function archiveStep(
  ctx: VisitContext,
  stage: 'closed' | 'cancelled',
): Promise<{ dir: string; manifestSha256: string; files: number }> {
  let attempt = 0;
  return ctx.steps.run('archive', '归档', async () => {
    const id = `${ctx.caseId}:${stage}:${++attempt}`;
    const text = JSON.stringify({ ...ctx.state, stage });
    setHandler(archiveChunkQuery, (want) => {
      if (want.id !== id) throw new Error(`归档快照 ${want.id} 已失效（当前为 ${id}）`);
      return {
        id,
        chars: text.length,
        offset: want.offset,
        text: text.slice(want.offset, want.offset + ARCHIVE_CHUNK_CHARS),
      };
    });
    try {
      return await bookkeeping.archiveCase({ caseId: ctx.caseId, snapshot: { id, chars: text.length } });
    } finally {
      // The snapshot is held only while the activity reads it.
      setHandler(archiveChunkQuery, undefined);
    }
  });
}
