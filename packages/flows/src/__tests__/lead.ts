import type { FlowLead } from '../flow-lead';

export function makeLead(data: Record<string, unknown>, extra: Partial<FlowLead> = {}): FlowLead {
  return {
    id: 'lead_1',
    source: 'webform',
    externalId: 'ext-1',
    createdAt: new Date('2024-05-01T10:00:00.000Z'),
    data,
    ...extra,
  };
}
