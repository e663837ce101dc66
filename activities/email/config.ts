/**
 * The mail activity's worker-side dependencies, from the configuration (config/env.ts). What a
 * programme's letters look like and which server they go through comes from its plan, in each
 * `sendLetter` input; the worker contributes only what is its own:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SMTP_HOST / SMTP_PORT / SMTP_SECURITY / SMTP_USER | operator override of every plan's smtp block (or SMTP for plans without one) | none: the plan's |
 * | the plan's `smtp.passwordEnv` (e.g. SMTP_PASSWORD) | the password, read when a plan first needs it | — |
 * | SMTP_TLS_CA_FILE | PEM file of a private CA the server's certificate chains to | system CAs |
 * | GUIDANCE_OUTBOX_DIR | outbox for `.eml` files when a plan names no SMTP server | `outbox` |
 * | GUIDANCE_SENT_LOG_DIR | the durable sent-log | `data/mail-sent-log` |
 */
import { readFileSync } from 'node:fs';
import { config, type Config } from '../../config/env';
import { storeFromConfig, type ObjectStore } from '../storage';
import type { EmailDeps } from './index';
import { receiptLinkKey, receiptLinkKeyFrom } from './receipt-link';

export class EmailConfigError extends Error {
  override name = 'EmailConfigError';
}

/**
 * The mail activity's dependencies; reads the CA file now, so a bad one stops the worker at start.
 * The receipt links' key: `receipts.key` when the caller has it (`receiptLinkKeyFrom` over the
 * process's object store, which a cluster's workers and dashboards share), else the configured
 * secret or the data directory's key file.
 */
export function emailDepsFromConfig(
  mail: Config['mail'] = config().mail,
  receipts?: { settings: Config['receipts']; dataDir: string; key?: Buffer },
): EmailDeps {
  let tls: EmailDeps['tls'];
  if (mail.tlsCaFile) {
    try {
      tls = { ca: readFileSync(mail.tlsCaFile, 'utf8') };
    } catch (err) {
      throw new EmailConfigError(`无法读取 SMTP_TLS_CA_FILE：${(err as Error).message}`);
    }
  }
  return {
    ...(Object.keys(mail.smtpOverride).length ? { smtpOverride: { ...mail.smtpOverride } } : {}),
    ...(tls ? { tls } : {}),
    outboxDir: mail.outboxDir,
    sentLogDir: mail.sentLogDir,
    ...(receipts
      ? {
          receiptLinks: {
            baseUrl: receipts.settings.publicUrl,
            key: receipts.key ?? receiptLinkKey({ secret: receipts.settings.secret, dataDir: receipts.dataDir }),
          },
        }
      : {}),
  };
}

/**
 * The receipt links' key of a worker or dashboard: GUIDANCE_RECEIPT_SECRET, or `receipt-link.key`
 * in the object store the configuration names (`<dataDir>/receipt-link.key` on the local store,
 * the bucket's object with GUIDANCE_STORAGE=s3), made once by whichever process comes first.
 */
export function receiptKeyFromConfig(
  c: Pick<Readonly<Config>, 'dataDir' | 'storage' | 'receipts'> = config(),
  objects: ObjectStore = storeFromConfig(c),
): Promise<Buffer> {
  return receiptLinkKeyFrom({ secret: c.receipts.secret, objects });
}
