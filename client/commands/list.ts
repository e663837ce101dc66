/**
 * `guidance list [--year Y] [--stage S] [--overdue] [--json]`: the visits, straight from Temporal
 * visibility through the engine's search attributes (workflows/shared/search-attributes.ts) — no
 * side database. The same query works in the Web UI's search box (printed with --query). Cases
 * Temporal no longer keeps (past the namespace's retention) come from their archive folders,
 * marked `source: 'archive'`; a case in both is listed once, from visibility.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { listArchivedCases, type ArchiveEntry } from '../../activities/archive';
import type { ArchiveLocation } from '../../activities/archive-store';
import { RUNG_LABEL, STAGE_LABEL } from '../../workflows/shared/labels';
import { type VisitCase } from '../../workflows/contracts/visit';
import { Stage } from '../../workflows/shared/labels';
import {
  dueDateOf,
  GuidanceBureau,
  GuidanceCounty,
  GuidanceDueDate,
  GuidanceIncident,
  GuidanceOverdue,
  GuidanceRung,
  GuidanceStage,
  GuidanceYear,
} from '../../workflows/shared/search-attributes';
import { config as envConfig } from '../../config/env';
import { loadPlanFile } from '../plan';
import { EXIT, UserError } from '../programme';
import { configuredArchive } from '../record';
import { connectClient, loadTemporalConfig } from '../../config/temporal';
import { yearOption } from './options';

export interface ListFilter {
  bureau: string;
  year?: number;
  stage?: Stage;
  overdue?: boolean;
  /** Only cases with an incident waiting for an administrator's retry. */
  incident?: boolean;
}

export interface ListedVisit {
  workflowId: string;
  status: string;
  year?: number;
  bureau?: string;
  county?: string;
  stage?: string;
  stageLabel?: string;
  dueDate?: string;
  rung?: string;
  overdue?: boolean;
  /** True while an incident (故障) waits for an administrator's retry. */
  incident?: boolean;
  /** When the workflow started; from the archive, the case's first recorded event. */
  startTime: string;
  /** 'temporal': Temporal visibility; 'archive': the case's archive folder, the workflow is gone. */
  source: 'temporal' | 'archive';
  /** Why an archived case cannot be believed (its folder fails the manifest check). */
  note?: string;
}

/** `status` of a row that comes from the archive. */
export const ARCHIVED = 'ARCHIVED';

const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The visibility query for a filter, e.g. `WorkflowType = 'countyVisitWorkflow' AND GuidanceBureau = 'heluo' AND GuidanceOverdue = true`. */
export function visibilityQuery(f: ListFilter): string {
  const parts = [`WorkflowType = 'countyVisitWorkflow'`, `${GuidanceBureau.name} = ${quote(f.bureau)}`];
  if (f.year !== undefined) parts.push(`${GuidanceYear.name} = ${f.year}`);
  if (f.stage) parts.push(`${GuidanceStage.name} = ${quote(f.stage)}`);
  if (f.overdue) parts.push(`${GuidanceOverdue.name} = true`);
  if (f.incident) parts.push(`${GuidanceIncident.name} = true`);
  return parts.join(' AND ');
}

function toListed(w: WorkflowExecutionInfo): ListedVisit {
  const sa = w.typedSearchAttributes;
  const stage = sa.get(GuidanceStage);
  const due = sa.get(GuidanceDueDate);
  return {
    workflowId: w.workflowId,
    status: w.status.name,
    year: sa.get(GuidanceYear),
    bureau: sa.get(GuidanceBureau),
    county: sa.get(GuidanceCounty),
    stage,
    stageLabel: stage ? ((STAGE_LABEL as Record<string, string>)[stage] ?? stage) : undefined,
    dueDate: due ? dueDateOf(due) : undefined,
    rung: sa.get(GuidanceRung),
    overdue: sa.get(GuidanceOverdue),
    incident: sa.get(GuidanceIncident) ?? false,
    startTime: w.startTime.toISOString(),
    source: 'temporal',
  };
}

/** An archived case as a list row. */
function archivedRow(c: VisitCase): ListedVisit {
  const rung = c.rectification?.rung;
  return {
    workflowId: c.caseId,
    status: ARCHIVED,
    year: c.year,
    bureau: c.bureau,
    county: c.county,
    stage: c.stage,
    stageLabel: (STAGE_LABEL as Record<string, string>)[c.stage] ?? c.stage,
    dueDate: c.rectification?.dueDate ?? c.letter?.dueDate,
    rung: rung && rung !== 'none' ? rung : undefined,
    overdue: c.rectification?.overdue ?? false,
    startTime: c.audit[0]?.at ?? `${c.date}T00:00:00.000Z`,
    source: 'archive',
  };
}

/** The archived cases that match the filter; a folder the archive cannot vouch for matches on its name alone. */
function archivedMatches(entries: ArchiveEntry[], f: ListFilter): ListedVisit[] {
  const out: ListedVisit[] = [];
  for (const e of entries) {
    const c = e.archived?.case;
    if (c) {
      if (
        c.bureau !== f.bureau ||
        (f.year !== undefined && c.year !== f.year) ||
        (f.stage && c.stage !== f.stage) ||
        (f.overdue && !c.rectification?.overdue) ||
        f.incident
      )
        continue;
      out.push(archivedRow(c));
      continue;
    }
    const m = /^visit-(\d{4})-(.+)$/.exec(e.caseId);
    if (
      !m ||
      !m[2]!.startsWith(`${f.bureau}-`) ||
      (f.year !== undefined && Number(m[1]) !== f.year) ||
      f.stage ||
      f.overdue ||
      f.incident
    )
      continue;
    out.push({
      workflowId: e.caseId,
      status: ARCHIVED,
      year: Number(m[1]),
      bureau: f.bureau,
      county: m[2]!.slice(f.bureau.length + 1),
      startTime: '',
      source: 'archive',
      note: e.problem,
    });
  }
  return out;
}

/**
 * Visits matching the filter, by county and year: Temporal visibility, and with `archiveDir` the
 * archived cases visibility no longer has (deduplicated by case id, visibility first).
 */
export async function listVisits(client: Client, f: ListFilter, archiveDir?: ArchiveLocation): Promise<ListedVisit[]> {
  const out: ListedVisit[] = [];
  for await (const w of client.workflow.list({ query: visibilityQuery(f) })) out.push(toListed(w));
  if (archiveDir) {
    const seen = new Set(out.map((r) => r.workflowId));
    out.push(...archivedMatches(await listArchivedCases(archiveDir), f).filter((r) => !seen.has(r.workflowId)));
  }
  return out.sort(
    (a, b) => (a.year ?? 0) - (b.year ?? 0) || (a.county ?? a.workflowId).localeCompare(b.county ?? b.workflowId),
  );
}

interface ListOpts {
  year?: string;
  stage?: string;
  overdue?: boolean;
  incident?: boolean;
  json?: boolean;
  query?: boolean;
  bureau?: string;
  plan: string;
}

/** Parses the command's options into a filter; bad values are bad input (exit 2). */
export function filterFrom(opts: ListOpts): ListFilter {
  let year: number | undefined;
  if (opts.year !== undefined) {
    year = yearOption(opts.year);
  }
  let stage: Stage | undefined;
  if (opts.stage !== undefined) {
    const s = Stage.safeParse(opts.stage);
    if (!s.success) throw new UserError(`阶段不正确：${opts.stage}（可选 ${Stage.options.join('、')}）`, EXIT.badInput);
    stage = s.data;
  }
  return {
    bureau: opts.bureau ?? loadPlanFile(opts.plan).bureau.code,
    year,
    stage,
    overdue: opts.overdue,
    incident: opts.incident,
  };
}

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('按年度、阶段、是否逾期列出执法指导（Temporal 检索属性查询，并列出 Temporal 已不保留的归档案件）')
    .option('--year <year>', '年度')
    .option('--stage <stage>', `阶段（${Stage.options.join('/')}）`)
    .option('--overdue', '只列出整改逾期的')
    .option('--incident', '只列出有待处理故障的')
    .option('--bureau <code>', '市局代码（默认取计划文件中的）')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--query', '同时打印所用的检索语句（可粘贴到 Temporal Web UI）')
    .option('--json', '输出 JSON')
    .action(async (opts: ListOpts) => {
      const filter = filterFrom(opts);
      const temporal = loadTemporalConfig();
      const client = await connectClient(temporal);
      try {
        const rows = await listVisits(client, filter, configuredArchive());
        if (opts.query) process.stderr.write(`${visibilityQuery(filter)}\n`);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        const t = new Table({
          head: ['县区', '年度', '阶段', '整改期限', '督办', '逾期', '故障', '工作流状态', '工作流'],
          style: { compact: true, head: [], border: [] },
        });
        for (const r of rows) {
          const status = r.source === 'archive' ? `已归档${r.note ? `（${r.note}）` : ''}` : r.status;
          t.push([
            r.county ?? '',
            r.year ?? '',
            r.stageLabel ?? '',
            r.dueDate ?? '',
            (RUNG_LABEL as Record<string, string>)[r.rung ?? ''] ?? r.rung ?? '',
            r.overdue ? '是' : '',
            r.incident ? '待处理' : '',
            status,
            r.workflowId,
          ]);
        }
        const archived = rows.filter((r) => r.source === 'archive').length;
        process.stdout.write(
          `${t.toString()}\n共 ${rows.length} 项${archived ? `，其中 ${archived} 项来自归档（Temporal 已不保留其工作流）` : ''}\n`,
        );
      } finally {
        await client.connection.close();
      }
    });
}
