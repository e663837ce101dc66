/**
 * All activities, built over injected dependencies: the worker wires the real ones, tests their own.
 */
import { createProgrammeActivities, type ProgrammeDeps } from './programme';

export type ActivityDeps = ProgrammeDeps;

export function createActivities(deps: ActivityDeps = {}) {
  return {
    ...createProgrammeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
