/**
 * `guidance demo` kept away from production, the parts without a running year: the demo copy of a
 * plan (any plan a bureau writes) has no SMTP block, no real address and marked numbers; its ids and
 * task queue differ from the real ones; and the command refuses a cluster (TEMPORAL_ADDRESS) unless
 * `--allow-cluster` is given. The year itself on the dev server: demo.devserver.test.ts.
 */
import { Command } from 'commander';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDemoCommand } from '../client/commands/demo';
import {
  assertDemoTarget,
  DEMO_MAIL_DOMAIN,
  demoBureauCode,
  demoMail,
  demoPlan,
  demoTaskQueue,
} from '../client/demo-run';
import { UserError } from '../client/programme';
import { isBenign, isTransient } from '../client/simulation/people';
import { loadConfig } from '../config/env';
import type { TemporalConfig } from '../config/temporal';
import { DocNumber, formatDocNumber } from '../workflows/shared/documents';
import { Code, PlanSchema, type Plan } from '../workflows/shared/plan';
import { freePort } from './email/helpers';
import { EXAMPLE_PLAN_FILE, examplePlan } from './helpers/plans';

/** Every address a plan mails to or from. */
function addresses(p: Plan): string[] {
  const people = [
    ...p.supervisors,
    p.approval.approver,
    ...(p.approval.deputy ? [p.approval.deputy] : []),
    ...p.admins,
  ];
  return [p.bureau.email, ...p.counties.flatMap((c) => c.emails), ...people.flatMap((x) => (x.email ? [x.email] : []))];
}

describe('the demo copy of a plan', () => {
  it('for any addresses and SMTP block a bureau writes: no SMTP, every address under demo.invalid, still a valid plan', () => {
    const base = examplePlan();
    const email = fc.emailAddress().filter((e) => !e.toLowerCase().endsWith(`@${DEMO_MAIL_DOMAIN}`));
    fc.assert(
      fc.property(
        fc.array(fc.array(email, { minLength: 1, maxLength: 3 }), {
          minLength: base.counties.length,
          maxLength: base.counties.length,
        }),
        fc.array(fc.option(email, { nil: undefined }), { minLength: 8, maxLength: 8 }),
        email,
        fc.record({
          host: fc.domain(),
          port: fc.integer({ min: 1, max: 65535 }),
          security: fc.constantFrom('tls' as const, 'starttls' as const, 'none' as const),
        }),
        (countyEmails, personEmails, bureauEmail, smtp) => {
          let k = 0;
          const withEmail = <T extends { email?: string }>(x: T): T => {
            const e = personEmails[k++ % personEmails.length];
            return { ...x, email: e };
          };
          const plan: Plan = {
            ...base,
            smtp: { ...smtp, passwordEnv: 'SMTP_PASSWORD' },
            bureau: { ...base.bureau, email: bureauEmail },
            supervisors: base.supervisors.map(withEmail),
            approval: {
              ...base.approval,
              approver: withEmail(base.approval.approver),
              deputy: withEmail(base.approval.deputy ?? { id: 'deputy', name: '副职' }),
            },
            admins: base.admins.map(withEmail),
            counties: base.counties.map((c, i) => ({ ...c, emails: countyEmails[i]! })),
          };
          const demo = demoPlan(plan, demoBureauCode(plan.bureau.code), 2031);
          expect(demo.smtp).toBeUndefined();
          expect('smtp' in demo).toBe(false);
          for (const a of addresses(demo)) expect(a.endsWith(`@${DEMO_MAIL_DOMAIN}`), a).toBe(true);
          const text = JSON.stringify(demo);
          for (const a of addresses(plan)) expect(text.includes(a), a).toBe(false);
          expect(PlanSchema.safeParse(demo).success).toBe(true);
          // The plan as loaded is untouched.
          expect(plan.smtp?.host).toBe(smtp.host);
          expect(plan.counties[0]!.emails).toEqual(countyEmails[0]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('numbers, letterheads and subjects are marked 演示; counties are placed by the scheduler', () => {
    const plan = examplePlan((raw) => {
      raw.counties[0].date = '2027-03-16';
    });
    const demo = demoPlan(plan, 'heluo-demo-x', 2031);
    expect(demo.year).toBe(2031);
    expect(demo.bureau.shortName).toBe(`演示${plan.bureau.shortName}`);
    expect(demo.bureau.name).toBe(`${plan.bureau.name}（演示）`);
    const number = formatDocNumber(demo.bureau.shortName, demo.year, 3);
    expect(number).toBe(`演示${plan.bureau.shortName}指导〔2031〕3号`);
    expect(DocNumber.safeParse(number).success).toBe(true);
    for (const [kind, text] of Object.entries(demo.wording.mail))
      expect(text.subject.startsWith('【演示】'), kind).toBe(true);
    expect(demo.counties.every((c) => c.date === undefined)).toBe(true);
    expect(plan.bureau.shortName.startsWith('演示')).toBe(false);
  });

  it('ids and task queue of their own; the worker gets the demo outbox and no SMTP override', () => {
    const code = demoBureauCode('heluo', Date.UTC(2026, 0, 1));
    expect(code).toMatch(/^heluo-demo-[a-z0-9]+$/);
    expect(Code.safeParse(code).success).toBe(true);
    const long = demoBureauCode('a'.repeat(40));
    expect(long.length).toBeLessThanOrEqual(40);
    expect(Code.safeParse(long).success).toBe(true);
    expect(demoTaskQueue('guidance')).toBe('guidance-demo');
    const c = loadConfig({
      GUIDANCE_OUTBOX_DIR: '/srv/outbox',
      SMTP_HOST: 'mail.heluo.example.cn',
      SMTP_PORT: '25',
      SMTP_USER: 'zhidao',
      SMTP_TLS_CA_FILE: '/srv/ca.pem',
    });
    expect(c.mail.smtpOverride.host).toBe('mail.heluo.example.cn');
    const mail = demoMail(c);
    expect(mail.smtpOverride).toEqual({});
    expect(mail.outboxDir).toBe('/srv/outbox/demo');
    expect(mail.tlsCaFile).toBeUndefined();
  });
});

describe('a cluster only when asked', () => {
  const saved = process.env.TEMPORAL_ADDRESS;
  let address: string;
  beforeAll(async () => {
    // Nothing listens there: a demo that went ahead would fail to connect, not refuse.
    address = `127.0.0.1:${await freePort()}`;
    process.env.TEMPORAL_ADDRESS = address;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TEMPORAL_ADDRESS;
    else process.env.TEMPORAL_ADDRESS = saved;
  });

  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    registerDemoCommand(program);
    await program.parseAsync(['node', 'guidance', 'demo', '--plan', EXAMPLE_PLAN_FILE, '--day-ms', '100', ...args]);
  };

  it('`guidance demo` with TEMPORAL_ADDRESS set refuses, in Chinese, naming the address and --allow-cluster', async () => {
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain(address);
    expect((err as UserError).message).toContain('--allow-cluster');
    expect((err as UserError).message).toMatch(/演示只应在本机默认环境中运行/);
    expect((err as UserError).exitCode).toBe(2);
  });

  it('with --allow-cluster it goes ahead (and here fails to reach the absent cluster instead)', async () => {
    const err = await run('--allow-cluster').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toContain('--allow-cluster');
  });

  it('the embedded default needs no flag', () => {
    const local: TemporalConfig = {
      external: false,
      connection: {},
      namespace: 'default',
      taskQueue: 'q',
      dataDir: '/tmp',
      devServerPort: 7233,
      uiPort: 8233,
    };
    expect(() => assertDemoTarget(local, false)).not.toThrow();
    expect(() =>
      assertDemoTarget({ ...local, external: true, connection: { address: 'temporal.heluo.example.cn:7233' } }, false),
    ).toThrow(/--allow-cluster/);
    expect(() => assertDemoTarget({ ...local, external: true }, true)).not.toThrow();
  });
});

describe("the simulated people's refusals", () => {
  it('shrug off an approval refused because the draft passed to the deputy meanwhile (seen in the cluster proof under load)', () => {
    const refused = new Error('只有审批人（冯青）可以审批此意见书');
    expect(isBenign(refused)).toBe(true);
    expect(isTransient(refused)).toBe(true);
    expect(isBenign(new Error('案件编号不正确'))).toBe(false);
  });
});
