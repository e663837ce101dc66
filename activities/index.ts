/**
 * All activities, built over injected dependencies: the worker wires the real ones, tests their own.
 */
import { createEmailActivities } from './email';
import { createProgrammeActivities, type ProgrammeDeps } from './programme';
import { createStatsActivities } from './stats';

export interface ActivityDeps extends ProgrammeDeps {
  /** Mail transport and sent-log; absent in tests that send nothing. */
  email?: Parameters<typeof createEmailActivities>[0];
  stats?: Parameters<typeof createStatsActivities>[0];
}

export function createActivities(deps: ActivityDeps = {}) {
  return {
    ...createProgrammeActivities(deps),
    ...createStatsActivities(deps.stats ?? {}),
    ...(deps.email ? createEmailActivities(deps.email) : {}),
  };
}

export type Activities = ReturnType<typeof createActivities> & ReturnType<typeof createEmailActivities>;
