/**
 * Polling for tests that watch a real server: each attempt gets its own time limit, because a call
 * can hang (a query sent to the sticky queue of a worker that was just killed) and an await that
 * never returns would outlast the deadline it was meant to enforce. The last answer or error goes
 * into the failure message, so a red run says where it stood.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
  attemptMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${attemptMs} ms`)), attemptMs);
    });
    try {
      const v = await Promise.race([fn(), limit]);
      if (v !== undefined && v !== false) return v;
      last = String(v);
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timer);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last}`);
}
