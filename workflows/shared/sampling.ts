/**
 * Random sampling of enterprises (双随机抽查): the record of one draw, shared by the workflow that
 * keeps it and the activity that makes it. Pure: no Node built-ins, imported by workflow code.
 * The algorithm itself (sha256-driven) lives in activities/sampling.ts.
 */
import { z } from 'zod';
import { EnterpriseSchema } from './plan';

/**
 * Name and version of the draw algorithm. A draw records it so it can be re-run years later;
 * any change to how numbers are derived or enterprises picked needs a new version, never an edit.
 */
export const SAMPLING_ALGORITHM = 'sha256-weighted-v1';

/** The 2022 plan samples 1–2 enterprises per visit. */
export const SampleSize = z
  .number({ error: '抽查企业数应为 1–2 家' })
  .int('抽查企业数应为 1–2 家')
  .min(1, '抽查企业数应为 1–2 家')
  .max(2, '抽查企业数应为 1–2 家');

export const DrawSampleInputSchema = z.object({
  /** 列入执法计划的企业名单: the county's roster; its order does not matter. */
  roster: z.array(EnterpriseSchema),
  /** Published before the draw (e.g. in the visit notice) so anyone can re-run it afterwards. */
  seed: z.string().min(1, '抽取种子不能为空'),
  size: SampleSize,
});
export type DrawSampleInput = z.input<typeof DrawSampleInputSchema>;

/** What a draw proves: with this seed and a roster of this hash, these enterprises came out, in this order. */
export const SampleDrawSchema = z.object({
  algorithm: z.literal(SAMPLING_ALGORITHM),
  seed: z.string().min(1),
  /** sha256 of the canonical roster (sorted by id), so a changed roster is detected. */
  rosterSha256: z.string().regex(/^[0-9a-f]{64}$/, 'rosterSha256 应为 64 位小写十六进制'),
  /** The size asked for; `enterprises` is shorter when the roster is smaller (see `note`). */
  size: SampleSize,
  /** The drawn enterprises in draw order. */
  enterprises: z.array(EnterpriseSchema).min(1),
  /** Chinese remark for the record, e.g. that the whole roster was drawn. */
  note: z.string().optional(),
});
export type SampleDraw = z.infer<typeof SampleDrawSchema>;
