import { classifyHubSpotError } from './classify-error';

/**
 * The id HubSpot names in a 409 "Contact already exists. Existing ID: 123" (create with an email
 * it already has). HubSpot gives no structured field for it, so the message is the only source.
 */
export function existingContactId(err: unknown): string | undefined {
  const e = classifyHubSpotError(err);
  if (e.statusCode !== 409 && e.code !== 'CONFLICT') return undefined;
  return idInMessage(e.message);
}

export function idInMessage(message: string | undefined): string | undefined {
  return /Existing ID: ?(\d+)/i.exec(message ?? '')?.[1];
}

export function isStatus(err: unknown, status: number): boolean {
  return (err as { code?: unknown } | null)?.code === status;
}
