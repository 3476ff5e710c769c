/** Key prefixes Salesforce uses for the standard objects a fake is likely to store. */
const KEY_PREFIXES: Record<string, string> = { Lead: '00Q', Contact: '003', Account: '001', Opportunity: '006' };

let counter = 0;

/** An 18-character id shaped like Salesforce's: 3-char key prefix + 15 characters. */
export function salesforceId(sObject: string): string {
  counter += 1;
  const prefix = KEY_PREFIXES[sObject] ?? 'a0F';
  return `${prefix}Fk${counter.toString(36).toUpperCase().padStart(10, '0')}AAA`;
}

/** An org id (00D) or user id (005) for the OAuth `id` URL. */
export function orgAndUserIds(): { orgId: string; userId: string } {
  return { orgId: '00DFk0000000000AAA', userId: '005Fk0000000000AAA' };
}
