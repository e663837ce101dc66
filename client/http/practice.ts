/**
 * The dashboard's practice mode (演练模式): when the server shows a sandbox programme
 * (`guidance sandbox`), every page says so and shows the simulated date. The route is public, like
 * the login page, so the banner is there before anyone logs in: nobody should take a practice
 * letter for a real one. A real deployment answers `{ practice: false }`.
 */
import type { FastifyInstance } from 'fastify';
import { Clock } from '../../workflows/shared/clock';
import type { TimeScale } from '../../workflows/contracts/common';

export interface PracticeMode {
  /** The programme's compressed clock, as passed in its input. */
  timeScale: TimeScale;
  /** The instant `timeScale.startDate` began (the programme's `timeScaleEpochMs`). */
  epochMs: number;
}

export type ModeStatus =
  | { practice: false }
  | {
      practice: true;
      label: string;
      notice: string;
      today: string;
      msPerDay: number;
      startDate: string;
      nextDayInMs: number;
    };

/** What `/api/mode` answers at instant `nowMs`: the simulated date is the workflow's own `Clock`. */
export function modeStatus(practice: PracticeMode | undefined, nowMs = Date.now()): ModeStatus {
  if (!practice) return { practice: false };
  const { msPerDay, startDate } = practice.timeScale;
  const elapsed = Math.max(0, nowMs - practice.epochMs);
  return {
    practice: true,
    label: '演练模式',
    notice: '这是练习用的模拟年度，不是真实执法指导；邮件只写入本机发件箱目录，不会发出。',
    today: Clock.compressed(practice.timeScale, practice.epochMs).today(nowMs),
    msPerDay,
    startDate,
    // The browser refreshes the banner when the next simulated day begins.
    nextDayInMs: msPerDay - (elapsed % msPerDay),
  };
}

/** `GET /api/mode` (no login needed; the auth hook lets it through). */
export function registerModeRoute(app: FastifyInstance, practice: PracticeMode | undefined): void {
  app.get('/api/mode', async () => modeStatus(practice));
}
