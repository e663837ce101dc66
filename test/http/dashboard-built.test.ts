/**
 * A dashboard that was never built is refused at start with a Chinese message saying how to build
 * it, instead of a server answering every page with 404; a built one (setup runs Vite) passes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDashboardBuilt, DASHBOARD_DIR } from '../../client/http/start';
import { UserError } from '../../client/programme';

describe('the dashboard build', () => {
  it('an empty public folder is refused with the way to build it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dash-'));
    expect(() => assertDashboardBuilt(dir)).toThrow(UserError);
    expect(() => assertDashboardBuilt(dir)).toThrow(/看板尚未构建.*npm run setup/);
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    expect(() => assertDashboardBuilt(dir)).toThrow(/看板尚未构建/);
    writeFileSync(path.join(dir, 'receipt.html'), '<!doctype html>');
    expect(() => assertDashboardBuilt(dir)).not.toThrow();
  });

  it('the set-up built both pages where the server serves them', () => {
    expect(() => assertDashboardBuilt(DASHBOARD_DIR)).not.toThrow();
  });
});
