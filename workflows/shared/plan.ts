/**
 * The yearly plan (年度执法指导工作方案) as a zod schema. One module, imported by the workflows, the
 * CLI, the worker and the HTTP API, so a plan is validated the same way everywhere.
 * Pure: no Node built-ins, safe inside the workflow sandbox.
 */
import { z } from 'zod';
import { zhCN } from 'zod/v4/locales';
import { CalendarDate } from './dates';
import { FileFormat } from './documents';
import { StatsRulesSchema } from './stats';
import { WordingSchema } from './wording';

// Messages for missing or mistyped fields in Chinese: the people who edit plans read Chinese.
z.config(zhCN());

/** A calendar date `YYYY-MM-DD` that exists, in a sane range: the one date schema (dates.ts). */
export const IsoDate = CalendarDate;

/** Lower-case ASCII code used in workflow ids (`visit-2027-heluo-xiangshan`). */
export const Code = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, '代码只能由小写字母、数字和连字符组成，并以字母开头（用于工作流 ID）');

const Phone = z.string().regex(/^[0-9+\-() ]{5,20}$/, '电话号码格式不正确');
const Email = z.email({ error: 'invalid email（邮箱地址格式不正确）' });
const NonEmpty = z.string().trim().min(1, '不能为空');

export const PersonSchema = z.object({
  /** Login / audit id of the person. */
  id: Code,
  name: NonEmpty,
  email: Email.optional(),
  phone: Phone.optional(),
});
export type Person = z.infer<typeof PersonSchema>;

/** 重点 = key unit (all must be in the plan); 一般 = ordinary unit (at least a third). */
export const EnterpriseTier = z.enum(['重点', '一般'], { error: '企业类别只能是“重点”或“一般”' });

export const EnterpriseSchema = z.object({
  id: NonEmpty,
  name: NonEmpty,
  industry: NonEmpty,
  tier: EnterpriseTier,
  /** Optional sampling weight; every enterprise weighs 1 unless the plan says otherwise. */
  weight: z.number().positive('抽取权重必须为正数').optional(),
});
export type Enterprise = z.infer<typeof EnterpriseSchema>;

/**
 * What makes a roster unusable for the draw (双随机): empty, or an enterprise named or numbered
 * twice. One rule for the plan's counties, counties added mid-year and a corrected roster, so the
 * draw never meets a roster that an Update accepted. Paths are relative to the roster.
 */
export function rosterProblems(
  enterprises: readonly { id: string; name: string }[],
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  if (enterprises.length === 0)
    problems.push({ path: [], message: '列入执法计划的企业名单为空，无法随机抽查（双随机）' });
  const names = new Map<string, number>();
  const ids = new Set<string>();
  enterprises.forEach((e, j) => {
    const prev = names.get(e.name.trim());
    if (prev !== undefined)
      problems.push({ path: [j, 'name'], message: `企业名称重复：与 enterprises[${prev}] 相同（${e.name}）` });
    names.set(e.name.trim(), j);
    if (ids.has(e.id)) problems.push({ path: [j, 'id'], message: `企业编号重复：${e.id}` });
    ids.add(e.id);
  });
  return problems;
}

/** A roster as every Update accepts it: the enterprise schema plus `rosterProblems`. */
export function rosterSchema<T extends z.ZodType<{ id: string; name: string }>>(enterprise: T) {
  return z
    .array(enterprise)
    .max(2000, '企业名单不超过 2000 家')
    .superRefine((list, ctx) => {
      for (const p of rosterProblems(list)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    });
}

export const CountySchema = z.object({
  code: Code,
  /** 县区名称, e.g. 香山县. */
  name: NonEmpty,
  /** 县区应急管理局全称, e.g. 香山县应急管理局. */
  bureauName: NonEmpty,
  emails: z.array(Email).min(1, '至少需要一个收件邮箱'),
  contact: z.object({ name: NonEmpty, phone: Phone }),
  /** Explicit visit date; otherwise the scheduler places the county. */
  date: IsoDate.optional(),
  /** 列入执法计划的企业名单: the county's roster for random sampling (双随机). */
  enterprises: z.array(EnterpriseSchema).default([]),
});
export type County = z.infer<typeof CountySchema>;

export const EscalationRung = z.enum(['urge', 'supervise', 'warning', 'summons', 'bulletin']);
export type EscalationRung = z.infer<typeof EscalationRung>;

export const SmtpSchema = z.object({
  host: NonEmpty,
  port: z.number().int().min(1).max(65535),
  /** tls = implicit TLS (465); starttls = upgrade (587); none = plain (loopback tests only). */
  security: z.enum(['tls', 'starttls', 'none']).default('starttls'),
  user: z.string().optional(),
  /** Name of the environment variable holding the password: secrets never live in the plan. */
  passwordEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, '应为环境变量名')
    .default('SMTP_PASSWORD'),
});
export type Smtp = z.infer<typeof SmtpSchema>;

export const PlanSchema = z
  .object({
    year: z.number().int().min(2020, '年度不能早于 2020').max(2100, '年度不能晚于 2100'),
    bureau: z.object({
      code: Code,
      /** 全称, e.g. 河洛市应急管理局. */
      name: NonEmpty,
      /** 简称 for document numbers: 河洛应急 → 河洛应急指导〔2027〕3号. */
      shortName: NonEmpty,
      address: NonEmpty,
      postcode: z
        .string()
        .regex(/^\d{6}$/, '邮政编码应为 6 位数字')
        .optional(),
      contact: z.object({ name: NonEmpty, phone: Phone }),
      /** Sender address of every letter. */
      email: Email,
    }),
    /** 指导组: the supervisors. */
    supervisors: z.array(PersonSchema).min(1, '至少需要一名执法指导人员'),
    /** 分管局领导 and the deputy who takes over an unanswered approval. */
    approval: z.object({
      approver: PersonSchema,
      deputy: PersonSchema.optional(),
      /** Working days before the approver is reminded and then passed over. */
      periodDays: z.number().int().min(1).max(30).default(3),
    }),
    /** Administrators who watch the programme. */
    admins: z.array(PersonSchema).default([]),
    visit: z
      .object({
        /** Working days between the advance notice and the visit. */
        noticeWorkingDays: z.number().int().min(0).max(30).default(5),
        /** Enterprises sampled at random per visit (1–2 per the 2022 plan). */
        sampleSize: z.number().int().min(1, '抽查企业数应为 1–2 家').max(2, '抽查企业数应为 1–2 家').default(2),
        /** Day of the month the scheduler aims for when it places a county. */
        preferredDay: z.number().int().min(1).max(28).default(15),
      })
      .prefault({}),
    rectification: z
      .object({
        /** Calendar days from the letter date to the rectification report. */
        periodDays: z.number().int().min(1).max(180).default(30),
        reminderDaysBefore: z.array(z.number().int().min(1).max(60)).default([7, 1]),
        escalation: z
          .array(
            z.object({
              rung: EscalationRung,
              daysAfterDue: z.number().int().min(1).max(365),
              ccLeader: z.boolean().default(false),
              /** 考核扣分 recorded at this rung. */
              deductPoints: z.number().min(0).max(100).default(0),
            }),
          )
          .default([
            { rung: 'urge', daysAfterDue: 1, ccLeader: false, deductPoints: 0 },
            { rung: 'supervise', daysAfterDue: 7, ccLeader: true, deductPoints: 0 },
            { rung: 'warning', daysAfterDue: 14, ccLeader: true, deductPoints: 0 },
            { rung: 'summons', daysAfterDue: 21, ccLeader: true, deductPoints: 0 },
            { rung: 'bulletin', daysAfterDue: 30, ccLeader: true, deductPoints: 2 },
          ]),
        /** Days the county gets to report again after a return (退回重新整改). */
        resubmitDays: z.number().int().min(1).max(90).default(15),
        reinspection: z.boolean().default(false),
      })
      .prefault({}),
    /** 签收: letters to the county are acknowledged; unacknowledged after `workingDays`, one reminder. */
    receipts: z
      .object({
        /** Working days after sending by which the county should have acknowledged. */
        workingDays: z
          .number()
          .int()
          .min(1, '签收期限至少 1 个工作日')
          .max(30, '签收期限不超过 30 个工作日')
          .default(3),
        /** Calendar days the emailed receipt link stays valid. */
        linkValidDays: z
          .number()
          .int()
          .min(1, '签收链接有效期至少 1 天')
          .max(180, '签收链接有效期不超过 180 天')
          .default(30),
      })
      .prefault({}),
    /** 月讲评: the monthly bulletin (通报) and the weekly digest of open problems (周交办). */
    reporting: z
      .object({
        /** Day of the month the bulletin goes out; 0 = no bulletin. */
        bulletinDay: z.number().int().min(0).max(28).default(5),
        /** Weekday of the digest to the supervisors (1 = Monday); 0 = no digest. */
        digestWeekday: z.number().int().min(0).max(7).default(1),
      })
      .prefault({}),
    /** Thresholds that turn enforcement statistics into draft findings (README, "Enforcement statistics"). */
    statistics: StatsRulesSchema.prefault({}),
    /** Optional SMTP server; without one, letters go to the outbox directory as .eml files. */
    smtp: SmtpSchema.optional(),
    /** Directory whose templates override the built-in ones (a bureau's own letterhead wording). */
    templatesDir: z.string().optional(),
    /**
     * The formats a bureau wants its documents in: mailed to the counties and kept in the archive
     * (`pdf`, `ofd` or both). The PDF is always made and archived as the engine's reading copy.
     */
    formats: z
      .array(FileFormat)
      .min(1, '文书格式至少一种（pdf 或 ofd）')
      .refine((f) => new Set(f).size === f.length, '文书格式重复')
      .default(['pdf']),
    /**
     * The wording (mail subjects and bodies, letter phrases), merged by the plan loader from
     * templates/wording.yaml, `<templatesDir>/wording.yaml` and the plan's own `wording:` section.
     */
    wording: WordingSchema,
    counties: z.array(CountySchema).min(1, '至少需要一个县区'),
  })
  .superRefine((plan, ctx) => {
    const seen = new Map<string, number>();
    plan.counties.forEach((c, i) => {
      const prev = seen.get(c.code);
      if (prev !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['counties', i, 'code'],
          message: `县区代码重复：与 counties[${prev}] 相同（${c.code}）`,
        });
      }
      seen.set(c.code, i);
      if (c.date !== undefined) {
        const problem = explicitDateProblem(c.date, plan.year);
        if (problem) ctx.addIssue({ code: 'custom', path: ['counties', i, 'date'], message: problem });
      }
      for (const p of rosterProblems(c.enterprises))
        ctx.addIssue({ code: 'custom', path: ['counties', i, 'enterprises', ...p.path], message: p.message });
    });
    const rungs = plan.rectification.escalation.map((r) => r.daysAfterDue);
    if (rungs.some((d, i) => i > 0 && d <= rungs[i - 1]!)) {
      ctx.addIssue({ code: 'custom', path: ['rectification', 'escalation'], message: '督办各级的天数必须逐级递增' });
    }
    const people = [
      ...plan.supervisors,
      plan.approval.approver,
      ...(plan.approval.deputy ? [plan.approval.deputy] : []),
      ...plan.admins,
    ];
    const ids = new Set<string>();
    for (const p of people) {
      if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: ['supervisors'], message: `人员 ID 重复：${p.id}` });
      ids.add(p.id);
    }
  });
export type Plan = z.infer<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;

/** Why an explicit visit date breaks the programme's rules, or undefined when it fits. */
export function explicitDateProblem(date: string, year: number): string | undefined {
  if (Number(date.slice(0, 4)) !== year) return `指导日期 ${date} 不在 ${year} 年度内`;
  if (date > `${year}-11-30`) return `指导日期 ${date} 晚于 ${year} 年 11 月 30 日（全年指导须在 11 月底前完成）`;
  return undefined;
}

/** Formats zod issues as `path: message` lines, the form every user-facing error takes. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(根)';
}

/**
 * The formats of a plan's documents. A programme started before plans had `formats` carries a plan
 * without them in its recorded input, parsed by an older engine: that plan means PDF.
 */
export function planFormats(plan: Pick<Plan, 'formats'>): FileFormat[] {
  return (plan.formats as FileFormat[] | undefined) ?? ['pdf'];
}

/** The renderDocument input's `formats` for a plan: set only when OFD is wanted (PDF alone needs none). */
export function renderFormats(plan: Pick<Plan, 'formats'>): { formats?: FileFormat[] } {
  const formats = planFormats(plan);
  return formats.includes('ofd') ? { formats } : {};
}
