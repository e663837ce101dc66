/**
 * The visit's Updates and Queries, registered by concept: on site, approval, rectification,
 * receipts, the official calendar and corrections, each module against only the objects it needs
 * (context.ts). Every Update goes through `onUpdate`: arguments parsed once by the shared schema,
 * the guard (who may, in which stage, against what the case holds) run in the validator, and a
 * state-only `apply`. Letters that follow a human step are sent by the phase script, which
 * notices the change.
 */
import { onQuery } from '../lib/updates';
import { queryNow } from '../shared/clock';
import { caseTodos, todoQuery } from '../shared/todo';
import { visitCaseQuery } from '../contracts/visit';
import { registerApprovalHandlers } from './approval-handlers';
import { registerCalendarHandlers } from './calendar-handlers';
import type { VisitContext } from './context';
import { registerCorrectionHandlers } from './correction-handlers';
import { registerOnsiteHandlers } from './onsite-handlers';
import { registerReceiptHandlers } from './receipt-handlers';
import { registerRectificationHandlers } from './rectification-handlers';

export function registerHandlers(ctx: VisitContext): void {
  const { state, clock } = ctx;
  onQuery(visitCaseQuery, () => state);
  // Today from the caller's instant too: the workflow's own time stands still while the case waits.
  onQuery(todoQuery, (asOf?) =>
    caseTodos(state, clock.today(queryNow(Date.now(), asOf)), (iso) => clock.today(Date.parse(iso))),
  );
  registerOnsiteHandlers(ctx);
  registerApprovalHandlers(ctx);
  registerRectificationHandlers(ctx);
  registerReceiptHandlers(ctx);
  registerCalendarHandlers(ctx);
  registerCorrectionHandlers(ctx);
}
