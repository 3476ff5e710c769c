import type { NetworkPolicy } from '@crm-push/outbound';

/** What every sender is given besides the action and the lead. */
export interface SendContext {
  /** The action job's id: stable across retries, so receivers can dedupe (webhook-id). */
  deliveryId: string;
  /** Per-call limit for connecting and for each wait on the far side. */
  timeoutMs?: number;
  /** SMTP_URL, for email actions. */
  smtpUrl?: string;
  /** The From address of email actions. */
  mailFrom?: string;
  /**
   * Where calls may go (ALLOW_PRIVATE_DESTINATIONS): Slack and webhook URLs on loopback or
   * private networks are refused (DESTINATION_NOT_ALLOWED) before any request and at connect time.
   */
  network: NetworkPolicy;
}

export interface SendResult {
  /** HTTP status, or the SMTP server's final reply code. */
  statusCode?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
