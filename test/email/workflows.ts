/** Test workflows for email delivery: thin wrappers around the workflow-side helper. */
import { deliverLetter, type DeliverLetterRequest } from '../../workflows/lib/delivery';
import type { DeliveryRecord } from '../../workflows/shared/email';

/** Delivers one letter and returns its 送达记录, as a visit workflow would keep it. */
export async function deliverLetterWorkflow(req: DeliverLetterRequest): Promise<DeliveryRecord> {
  return deliverLetter(req);
}
