/** The bare floor's workflow: `n` no-op activities one after another, nothing else. */
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(i: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });

export async function noopWorkflow(n: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await noop(i);
  return sum;
}
