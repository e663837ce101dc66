/**
 * Deterministic identity of one copy of a message: (workflowId, step, recipient) → key → Message-ID.
 * The same triple always gives the same Message-ID, so a retried send can be recognised by the
 * sent-log and, should a second copy ever slip through, by any receiver that dedupes on it.
 */
import { createHash } from 'node:crypto';

/** sha256 hex of the triple; the recipient compared case-insensitively. */
export function copyKey(workflowId: string, step: string, recipient: string): string {
  return createHash('sha256')
    .update(JSON.stringify([workflowId, step, recipient.trim().toLowerCase()]))
    .digest('hex');
}

/** The domain right of the sender's `@`, used as the Message-ID's right-hand side. */
export function senderDomain(fromAddress: string): string {
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1).toLowerCase();
  return /^[a-z0-9.-]+$/.test(domain) && domain.includes('.') ? domain : 'guidance.invalid';
}

/** `<guidance.<32 hex>@bureau-domain>` for the copy named by `key`. */
export function messageIdFor(key: string, fromAddress: string): string {
  return `<guidance.${key.slice(0, 32)}@${senderDomain(fromAddress)}>`;
}
