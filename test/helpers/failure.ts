/** The ApplicationFailure an activity call ended with (the test fails if it succeeded or threw something else). */
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';

export async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}
