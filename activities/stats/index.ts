/**
 * Statistics activities (执法统计). Built by a factory over injected dependencies: the worker
 * passes the real file system (and the directory uploads live in), tests pass their own.
 * Workflows call them with a path and get small JSON back; file bytes never enter history.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../workflows/shared/errors';
import { StatsRulesSchema, type BlankCells, type StatsRulesInput } from '../../workflows/shared/stats';
import { type StatsResult } from '../../workflows/shared/stats-result';
import { analyseStatistics } from './analyse';
import { StatsReadError } from './errors';

export interface StatsDeps {
  /** Reads a file's bytes; defaults to the file system. */
  readFile?: (file: string) => Promise<Uint8Array>;
  /**
   * Directory relative paths resolve against. When set, a path leading outside it is refused:
   * a workflow input must not make the worker read arbitrary files.
   */
  baseDir?: string;
}

export interface ImportStatisticsInput {
  path: string;
  /** Expected sha256 of the file (hex), when it was stored content-addressed. */
  sha256?: string;
  /** The plan's `statistics` section; defaults apply to what it leaves out. */
  thresholds?: StatsRulesInput;
  blankCells?: BlankCells;
  sheet?: string;
}

export function createStatsActivities(deps: StatsDeps = {}) {
  const read = deps.readFile ?? ((file: string) => readFile(file));
  return {
    /** Imports a statistics table: figures, logic problems, indicators, ranks and draft findings. */
    async importStatistics(input: ImportStatisticsInput): Promise<StatsResult> {
      const parsed = StatsRulesSchema.safeParse(input.thresholds ?? {});
      if (!parsed.success) {
        const lines = parsed.error.issues.map((i) => `statistics.${i.path.join('.')}: ${i.message}`);
        throw ApplicationFailure.nonRetryable(`统计阈值设置无效：\n${lines.join('\n')}`, FailureType.InvalidInput);
      }
      const file = resolvePath(input.path, deps.baseDir);
      let bytes: Uint8Array;
      try {
        bytes = await read(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
          throw ApplicationFailure.nonRetryable(
            `无法读取统计表文件 ${path.basename(file)}：${code === 'ENOENT' ? '文件不存在' : code === 'EISDIR' ? '这是一个目录' : '没有读取权限'}`,
            FailureType.UnreadableFile,
          );
        }
        // Anything else (a network share that hiccuped) may pass on a retry.
        throw err;
      }
      if (input.sha256 !== undefined) {
        const actual = createHash('sha256').update(bytes).digest('hex');
        if (actual !== input.sha256.toLowerCase()) {
          throw ApplicationFailure.nonRetryable(
            `统计表文件 ${path.basename(file)} 的内容与登记的 sha256 不一致（文件已被修改）`,
            FailureType.IntegrityError,
          );
        }
      }
      try {
        return await analyseStatistics(bytes, {
          name: path.basename(file),
          rules: parsed.data,
          ...(input.blankCells ? { blankCells: input.blankCells } : {}),
          ...(input.sheet !== undefined ? { sheet: input.sheet } : {}),
        });
      } catch (err) {
        if (err instanceof StatsReadError) {
          throw ApplicationFailure.nonRetryable(err.message, FailureType.UnreadableFile, { cells: err.cells });
        }
        throw err;
      }
    },
  };
}

function resolvePath(file: string, baseDir: string | undefined): string {
  if (baseDir === undefined) return file;
  const base = path.resolve(baseDir);
  const resolved = path.resolve(base, file);
  if (resolved !== base && !resolved.startsWith(base + path.sep)) {
    throw ApplicationFailure.nonRetryable(`统计表路径不在允许的目录内：${file}`, FailureType.InvalidInput);
  }
  return resolved;
}
